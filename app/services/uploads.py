"""Uploaded files: size-limited, typed by their content (never by their name), stored outside
the web root under their SHA-256, and served only through routes that check permission first.

Documents and proposal attachments keep the metadata (`StoredFile`) in their own rows; the bytes
live once per content in `PIVOTAL_UPLOAD_DIR`. Nothing under that folder is reachable by URL.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

from app.config import get_settings
from app.i18n import N_, LazyText, format_file_size, gettext
from app.services.errors import Invalid, NotFound

CHUNK = 64 * 1024
# What may be uploaded, by the type the content shows; the stored name gets this extension.
ACCEPTED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "text/plain": "txt",
}
# What people call each accepted type, in words ("PDF-dokument", not "application/pdf").
TYPE_NAMES: dict[str, str] = {
    "application/pdf": N_("PDF document"),
    "image/png": N_("PNG image"),
    "image/jpeg": N_("JPEG image"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": N_("Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": N_("Excel spreadsheet"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": N_(
        "PowerPoint presentation"
    ),
    "application/vnd.oasis.opendocument.text": N_("OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": N_("OpenDocument spreadsheet"),
    "application/vnd.oasis.opendocument.presentation": N_("OpenDocument presentation"),
    "text/plain": N_("Text file"),
}
ACCEPTED_LABEL = LazyText(N_("PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument or text files"))


def type_name(content_type: str) -> str:
    """A stored file's type in words, in the current language ("File" for one we do not name)."""
    return gettext(TYPE_NAMES.get(content_type, N_("File")))


def describe(content_type: str, size: int) -> str:
    """A file's type and size in words: "PDF-dokument, 45 byte", "Word-dokument, 1,2 MB"."""
    return f"{type_name(content_type)}, {format_file_size(size)}"


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file as stored: what its rows record about it."""

    sha256: str
    size: int
    content_type: str
    filename: str


def upload_dir() -> Path:
    """The folder the bytes are kept in (outside the web root; created on first use)."""
    path = Path(get_settings().upload_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sniff(head: bytes) -> str | None:
    """The accepted content type these first bytes show, or None."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime if kind.mime in ACCEPTED_TYPES else None
    if b"\x00" in head:
        return None  # binary of a kind we do not take
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end of the sample
            return None
    return "text/plain"


def clean_filename(name: str | None) -> str:
    """A display name without folders or control characters (the stored name never uses it)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    return base.strip()[:200] or "fil"


def named_for_type(filename: str, content_type: str) -> str:
    """The file name with the extension its content shows (`rapport.exe` of a PDF: `rapport.pdf`).

    A name is what a reader's computer opens the file by; it must not say more than the bytes.
    """
    extension = ACCEPTED_TYPES.get(content_type)
    stem, dot, current = filename.rpartition(".")
    if not dot or not stem:
        stem, current = filename, ""
    if (
        extension is None
        or current.lower() == extension
        or (extension == "jpg" and current.lower() == "jpeg")
    ):
        return filename
    return f"{stem}.{extension}"


def store(stream: BinaryIO, *, filename: str | None) -> StoredFile:
    """Read an upload within the size limit, check its type by content, keep it; or refuse."""
    limit = get_settings().max_upload_bytes
    digest = hashlib.sha256()
    folder = upload_dir()
    size = 0
    head = b""
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".incoming-", delete=False) as out:
        try:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise Invalid(
                        "The file is larger than %(limit)s MB.", limit=f"{limit / 1_000_000:g}"
                    )
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
            if size == 0:
                raise Invalid("The file is empty.")
            content_type = _sniff(head)
            if content_type is None:
                raise Invalid(
                    "This kind of file is not accepted. Accepted: %(kinds)s.", kinds=ACCEPTED_LABEL
                )
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    sha = digest.hexdigest()
    target = path_of(sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(out.name, target)  # same content, same name: a second upload just replaces it
    name = named_for_type(clean_filename(filename), content_type)
    return StoredFile(sha256=sha, size=size, content_type=content_type, filename=name)


def path_of(sha256: str) -> Path:
    """Where the bytes with this digest are kept."""
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise NotFound("No such file.")
    return upload_dir() / sha256[:2] / sha256


def open_stored(sha256: str) -> Path:
    """The path of a stored file, or 404 when its bytes are gone."""
    path = path_of(sha256)
    if not path.is_file():
        raise NotFound("No such file.")
    return path
