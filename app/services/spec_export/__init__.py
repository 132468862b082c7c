"""A project's specification exported for the tender: a PDF to attach, a DOCX to edit on.

`content.py` decides what the document says (and who may have it), `sources.py` reads the
influence ledger without confidential content, `blocks.py` turns the requirements' Markdown into
paragraphs and lists, and `pdf.py` and `word.py` lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from app.services.permissions import ProjectRelation
from app.services.spec_export import content, pdf, word


class ExportFormat(StrEnum):
    """The file formats a specification is exported in."""

    pdf = "pdf"
    docx = "docx"


MEDIA_TYPES = {
    ExportFormat.pdf: "application/pdf",
    ExportFormat.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class ExportedFile:
    """An exported specification: its bytes, their media type and the name to save it as."""

    data: bytes
    media_type: str
    filename: str


def export(session: Session, *, rel: ProjectRelation, fmt: ExportFormat) -> ExportedFile:
    """The project's specification as a file, for those who may open its workspace (404 else)."""
    spec = content.build(session, rel=rel)
    data = pdf.render(spec) if fmt == ExportFormat.pdf else word.render(spec)
    return ExportedFile(data, MEDIA_TYPES[fmt], f"{spec.filename_stem}.{fmt.value}")
