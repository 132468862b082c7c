"""An exported specification as a Word document (python-docx), for the procurer to edit on.

Headings use Word's own heading styles, so the document's outline and table of contents work;
a draft says so on its title page and in the header of every page.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from app.services.spec_export.blocks import Block
from app.services.spec_export.content import ExportedRequirement, Specification

RED = RGBColor(0xAA, 0x00, 0x00)
INDENT_MM = 6


def render(spec: Specification) -> bytes:
    """The specification as DOCX bytes."""
    document = Document()
    _set_up(document, spec)
    _title_page(document, spec)
    for section in spec.sections:
        document.add_heading(section.heading, level=1)
        for requirement in section.requirements:
            _requirement(document, requirement)
        if section.total:
            document.add_paragraph().add_run(section.total).bold = True
    _appendix(document, spec)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _set_up(document: DocxDocument, spec: Specification) -> None:
    document.core_properties.title = f"{spec.title} – {spec.facts[0][1]}"
    document.core_properties.language = {"nb": "nb-NO", "nn": "nn-NO"}.get(spec.lang, "en-GB")
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    # Spell-checking and hyphenation in the reader's language.
    run_properties = normal.element.get_or_add_rPr()
    language = run_properties.find(qn("w:lang"))
    if language is None:
        language = run_properties.makeelement(qn("w:lang"), {})
        run_properties.append(language)
    language.set(qn("w:val"), document.core_properties.language)
    if not spec.final:
        header = document.sections[0].header.paragraphs[0]
        mark = header.add_run(f"{spec.title} · {spec.status}")
        mark.bold = True
        mark.font.color.rgb = RED


def _title_page(document: DocxDocument, spec: Specification) -> None:
    document.add_heading(spec.title, level=0)
    for label, value in spec.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    if spec.draft_note:
        mark = document.add_paragraph().add_run(spec.status)
        mark.bold = True
        mark.font.size = Pt(20)
        mark.font.color.rgb = RED
        document.add_paragraph(spec.draft_note)
    if spec.empty_note:
        document.add_paragraph(spec.empty_note)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _requirement(document: DocxDocument, requirement: ExportedRequirement) -> None:
    document.add_heading(f"{requirement.number}  {requirement.title}", level=2)
    meta = requirement.status + (f" · {requirement.weight}" if requirement.weight else "")
    document.add_paragraph().add_run(meta).italic = True
    for block in requirement.blocks:
        _block(document, block)


def _block(document: DocxDocument, block: Block) -> None:
    if block.kind == "heading":
        document.add_heading(block.text, level=3)
        return
    paragraph = document.add_paragraph()
    if block.kind == "item":
        paragraph.paragraph_format.left_indent = Mm(INDENT_MM * (block.level + 1))
        paragraph.paragraph_format.first_line_indent = Mm(-INDENT_MM)
        paragraph.add_run(f"{block.marker}\t" if block.marker else "\t")
    elif block.kind == "quote":
        paragraph.paragraph_format.left_indent = Mm(INDENT_MM)
    for run in block.runs:
        text = paragraph.add_run(run.text)
        text.bold = run.bold or None
        text.italic = (run.italic or block.kind == "quote") or None
        if run.code:
            text.font.name = "Courier New"


def _appendix(document: DocxDocument, spec: Specification) -> None:
    document.add_page_break()
    document.add_heading(spec.appendix, level=1)
    document.add_paragraph(spec.appendix_note)
    for section in spec.sections:
        for requirement in section.requirements:
            document.add_heading(f"{requirement.number}  {requirement.title}", level=3)
            for line in requirement.links or [spec.no_sources]:
                paragraph = document.add_paragraph(line)
                paragraph.paragraph_format.left_indent = Mm(INDENT_MM)
