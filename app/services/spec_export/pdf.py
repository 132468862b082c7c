"""An exported specification laid out as a PDF (fpdf2, pure Python).

The font is DejaVu Sans, shipped with the package in `fonts/` (cut to the Latin scripts,
so æøå and the Sámi letters print on any machine) and embedded in every file.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF, XPos, YPos

from app.i18n import N_, gettext
from app.services.spec_export.blocks import Block
from app.services.spec_export.content import ExportedRequirement, Section, Specification

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
_STYLES = {"": "DejaVuSans", "B": "DejaVuSans-Bold", "I": "DejaVuSans-Oblique"}
_STYLES["BI"] = "DejaVuSans-BoldOblique"
PAGE = N_("Page %(page)s of %(pages)s")
LINE = 5.5  # mm per line of body text
INDENT = 6.0  # mm per list level
RED = (170, 0, 0)


class _Pdf(FPDF):
    """A page with the specification's name above and the page number below."""

    def __init__(self, spec: Specification) -> None:
        super().__init__(format="A4")
        self.spec = spec
        for style, name in _STYLES.items():
            self.add_font(FAMILY, style, str(FONTS / f"{name}.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_title(spec.title)
        self.set_lang(spec.lang)
        self.set_creator("Pivotal")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*(RED if not self.spec.final else (90, 90, 90)))
        mark = "" if self.spec.final else f" · {self.spec.status}"
        self.cell(0, 5, f"{self.spec.title} · {self.spec.facts[0][1]}{mark}", align="L")
        self.set_text_color(0, 0, 0)
        self.ln(8)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 5, gettext(PAGE, page=self.page_no(), pages="{nb}"), align="C")


def _lines(pdf: FPDF, height: float, text: str) -> None:
    """Text wrapped from the current position to the right margin; then on a new line."""
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(spec: Specification) -> bytes:
    """The specification as PDF bytes."""
    pdf = _Pdf(spec)
    _title_page(pdf, spec)
    for section in spec.sections:
        _section(pdf, section)
    _appendix(pdf, spec)
    return bytes(pdf.output())


def _title_page(pdf: _Pdf, spec: Specification) -> None:
    pdf.add_page()
    pdf.set_y(60)
    pdf.set_font(FAMILY, "B", 26)
    _lines(pdf, 12, spec.title)
    pdf.ln(6)
    for label, value in spec.facts:
        pdf.set_font(FAMILY, "B", 12)
        pdf.cell(40, 8, label)
        pdf.set_font(FAMILY, "", 12)
        _lines(pdf, 8, value)
    if spec.draft_note:
        pdf.ln(10)
        pdf.set_text_color(*RED)
        pdf.set_font(FAMILY, "B", 20)
        _lines(pdf, 10, spec.status)
        pdf.set_font(FAMILY, "", 11)
        _lines(pdf, LINE, spec.draft_note)
        pdf.set_text_color(0, 0, 0)
    if spec.empty_note:
        pdf.ln(6)
        _lines(pdf, LINE, spec.empty_note)


def _section(pdf: _Pdf, section: Section) -> None:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 16)
    _lines(pdf, 9, section.heading)
    pdf.ln(2)
    for requirement in section.requirements:
        _requirement(pdf, requirement)
    if section.total:
        pdf.set_font(FAMILY, "B", 11)
        _lines(pdf, LINE, section.total)


def _requirement(pdf: _Pdf, requirement: ExportedRequirement) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 12)
    _lines(pdf, 7, f"{requirement.number}  {requirement.title}")
    pdf.set_font(FAMILY, "I", 9)
    meta = requirement.status + (f" · {requirement.weight}" if requirement.weight else "")
    _lines(pdf, LINE, meta)
    pdf.ln(1)
    for block in requirement.blocks:
        _block(pdf, block)
    pdf.ln(3)


def _block(pdf: _Pdf, block: Block) -> None:
    left = pdf.l_margin
    indent = left + INDENT * (block.level + 1) if block.kind == "item" else left
    if block.kind == "quote":
        indent = left + INDENT
    pdf.set_x(indent)
    if block.kind == "item" and block.marker:
        pdf.set_x(indent - INDENT)
        pdf.set_font(FAMILY, "", 10)
        pdf.cell(INDENT, LINE, block.marker)
    pdf.set_left_margin(indent)
    try:
        size = 11 if block.kind == "heading" else 10
        for run in block.runs:
            style = ("B" if run.bold or block.kind == "heading" else "") + (
                "I" if run.italic or block.kind == "quote" else ""
            )
            pdf.set_font(FAMILY, style, size - (1 if run.code else 0))
            pdf.write(LINE, run.text)
    finally:
        pdf.set_left_margin(left)
    pdf.ln(LINE + 1)


def _appendix(pdf: _Pdf, spec: Specification) -> None:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 16)
    _lines(pdf, 9, spec.appendix)
    pdf.set_font(FAMILY, "", 9)
    _lines(pdf, LINE, spec.appendix_note)
    pdf.ln(3)
    for section in spec.sections:
        for requirement in section.requirements:
            pdf.set_font(FAMILY, "B", 10)
            _lines(pdf, 6, f"{requirement.number}  {requirement.title}")
            pdf.set_font(FAMILY, "", 9)
            for line in requirement.links or [spec.no_sources]:
                pdf.set_x(pdf.l_margin + INDENT)
                _lines(pdf, LINE, line)
            pdf.ln(2)
