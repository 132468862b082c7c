"""Uploads: typed by content, limited in size, stored outside the web root under their digest."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.config import get_settings
from app.services import uploads
from app.services.errors import Invalid, NotFound

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_pdf_is_kept_under_its_digest_outside_the_web_root(upload_dir: Path) -> None:
    stored = uploads.store(io.BytesIO(PDF), filename="behovsbeskrivelse.pdf")
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF)
    path = uploads.open_stored(stored.sha256)
    assert path.read_bytes() == PDF
    assert upload_dir in path.parents
    assert Path("app/static").resolve() not in path.resolve().parents
    assert not list(upload_dir.glob(".incoming-*"))


def test_the_type_comes_from_the_content_not_the_name() -> None:
    assert uploads.store(io.BytesIO(docx()), filename="notat.pdf").content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert uploads.store(
        io.BytesIO("Referat fra dialogmøtet".encode()), filename="x.exe"
    ).content_type == ("text/plain")


def test_a_program_named_like_a_pdf_is_refused(upload_dir: Path) -> None:
    with pytest.raises(Invalid, match="not accepted"):
        uploads.store(
            io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200), filename="tilbud.pdf"
        )
    with pytest.raises(Invalid, match="not accepted"):
        uploads.store(io.BytesIO(b"\x7fELF\x02\x01\x01" + b"\x00" * 200), filename="a.txt")
    assert not list(upload_dir.rglob("*")) or all(p.is_dir() for p in upload_dir.rglob("*"))


def test_a_file_over_the_limit_is_refused_and_leaves_nothing(
    upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_bytes", 1000)
    with pytest.raises(Invalid, match="larger than") as refused:
        uploads.store(io.BytesIO(PDF + b"0" * 1000), filename="stor.pdf")
    assert refused.value.params == {"limit": "0.001"}
    assert not [p for p in upload_dir.rglob("*") if p.is_file()]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Invalid, match="empty"):
        uploads.store(io.BytesIO(b""), filename="tom.txt")


def test_display_names_lose_folders_and_control_characters() -> None:
    assert uploads.clean_filename("../../etc/passwd") == "passwd"
    assert uploads.clean_filename("C:\\Users\\x\\Referat\u0000 mai.docx") == "Referat mai.docx"
    assert uploads.clean_filename("") == "fil"


def test_a_malformed_or_unknown_digest_is_not_found() -> None:
    with pytest.raises(NotFound):
        uploads.open_stored("../../app/main.py")
    with pytest.raises(NotFound):
        uploads.open_stored("0" * 64)


@pytest.mark.parametrize(
    ("name", "content", "kept_as"),
    [
        ("rapport.exe", PDF, "rapport.pdf"),
        ("rapport.html", PDF, "rapport.pdf"),
        ("rapport", PDF, "rapport.pdf"),
        ("notat.PDF", PDF, "notat.PDF"),
        ("notat.txt", docx(), "notat.docx"),
        ("lesmeg.svg", b"bare tekst", "lesmeg.txt"),
    ],
)
def test_a_file_is_kept_under_the_extension_its_content_shows(
    name: str, content: bytes, kept_as: str
) -> None:
    assert uploads.store(io.BytesIO(content), filename=name).filename == kept_as
