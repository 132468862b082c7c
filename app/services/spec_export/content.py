"""What an exported specification says, in the reader's language, before any layout.

Who may export is who may open the workspace: its writers (the procurers and invited
co-authors) at any time, everyone who may see the project once the specification is final.
The export holds the requirements the exporter sees in the workspace: a draft specification
shows each requirement's status and is marked as a draft on its title page and every page; a
final one holds only final requirements. Award criteria carry their weights and the total.
The appendix traces each requirement to its public sources (see `sources.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date
from sqlmodel import Session

from app.i18n import BABEL_LOCALES, N_, TIMEZONE, current_language, gettext
from app.models import Organisation, Requirement
from app.models.base import id_of
from app.models.requirement import REQUIREMENT_STATUS_LABELS, RequirementKind
from app.models.trace import TRACE_RELATION_LABELS, TRACE_SOURCE_LABELS
from app.services import requirements
from app.services.errors import NotFound
from app.services.permissions import ProjectRelation
from app.services.spec_export.blocks import Block, to_blocks
from app.services.spec_export.sources import ExportedLink, public_links

SPECIFICATION = N_("Requirement specification")
KIND_HEADINGS = {
    RequirementKind.functional: N_("Functional requirements"),
    RequirementKind.performance: N_("Performance requirements"),
    RequirementKind.qualification: N_("Qualification requirements"),
    RequirementKind.award_criterion: N_("Award criteria"),
    RequirementKind.contract_term: N_("Contract terms"),
}
FINAL = N_("Final")
DRAFT_MARK = N_("DRAFT – not final")
DRAFT_NOTE = N_(
    "This specification is not final: requirements may still change. Each requirement shows "
    "its status."
)
APPENDIX = N_("Appendix: Traceability")
APPENDIX_NOTE = N_(
    "Each requirement's sources: the needs, proposals, published answers, minutes and hearing "
    "comments that shaped it, with the relation and the rationale. Confidential content is "
    "left out, and a source that is not public is named by its kind only."
)
NO_SOURCES = N_("No sources recorded.")
NOT_PUBLIC = N_("not public")
STATUS_LINE = N_("Status: %(status)s")
WEIGHT_LINE = N_("Weight: %(weight)s %%")
TOTAL_LINE = N_("Sum of the weights: %(total)s %% of 100 %%")
FACTS = (N_("Project"), N_("Municipality"), N_("Date"), N_("Status"))
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class ExportedRequirement:
    """One requirement as printed: its number in the document, its text as blocks."""

    number: str
    title: str
    status: str
    weight: str | None
    blocks: list[Block]
    links: list[str]


@dataclass(frozen=True)
class Section:
    """The requirements of one kind, under their heading; award criteria with their total."""

    heading: str
    requirements: list[ExportedRequirement]
    total: str | None


@dataclass(frozen=True)
class Specification:
    """An exported specification, every text already in the reader's language."""

    title: str
    lang: str
    final: bool
    status: str
    draft_note: str | None
    facts: list[tuple[str, str]]
    sections: list[Section]
    empty_note: str | None
    appendix: str
    appendix_note: str
    no_sources: str
    filename_stem: str


def build(session: Session, *, rel: ProjectRelation) -> Specification:
    """The project's specification as its exporter may see it (404 for anyone else)."""
    if not requirements.can_open_workspace(session, rel=rel):
        raise NotFound(requirements.NO_SUCH_SPECIFICATION)
    listed = requirements.list_requirements(session, rel=rel)
    project = rel.project
    ids = [id_of(r) for r in listed]
    links = public_links(session, project_id=id_of(project), requirement_ids=ids)
    final = project.specification_final
    status = gettext(FINAL) if final else gettext(DRAFT_MARK)
    owner = session.get(Organisation, project.owner_org_id)
    today = format_date(datetime.now(TIMEZONE).date(), "long", locale=_locale())
    facts = [(gettext(FACTS[0]), project.title), (gettext(FACTS[1]), owner.name if owner else "")]
    facts += [(gettext(FACTS[2]), today), (gettext(FACTS[3]), status)]
    by_requirement: dict[int, list[str]] = {}
    for link in links:
        by_requirement.setdefault(link.requirement_id, []).append(_link_line(link))
    sections = [
        _section(kind, number, rows, by_requirement)
        for number, (kind, rows) in enumerate(requirements.by_kind(listed), start=1)
    ]
    title = gettext(SPECIFICATION)
    stem = f"{title} - {project.title}" + ("" if final else f" - {gettext(DRAFT_MARK)}")
    return Specification(
        title=title,
        lang=current_language(),
        final=final,
        status=status,
        draft_note=None if final else gettext(DRAFT_NOTE),
        facts=facts,
        sections=sections,
        empty_note=None if listed else gettext(requirements.NO_REQUIREMENTS),
        appendix=gettext(APPENDIX),
        appendix_note=gettext(APPENDIX_NOTE),
        no_sources=gettext(NO_SOURCES),
        filename_stem=_UNSAFE_IN_NAME.sub(" ", stem).strip()[:150],
    )


def _locale() -> str:
    return BABEL_LOCALES.get(current_language(), "nb_NO")


def _section(
    kind: RequirementKind, number: int, rows: list[Requirement], links: dict[int, list[str]]
) -> Section:
    printed = [
        ExportedRequirement(
            number=f"{number}.{index}",
            title=requirement.title,
            status=gettext(STATUS_LINE, status=_status_label(requirement)),
            weight=None
            if requirement.weight is None
            else gettext(WEIGHT_LINE, weight=requirement.weight),
            blocks=to_blocks(requirement.text),
            links=links.get(id_of(requirement), []),
        )
        for index, requirement in enumerate(rows, start=1)
    ]
    total = None
    if kind == RequirementKind.award_criterion:
        total = gettext(TOTAL_LINE, total=requirements.weights_total(rows))
    return Section(gettext(KIND_HEADINGS[kind]), printed, total)


def _status_label(requirement: Requirement) -> str:
    return gettext(REQUIREMENT_STATUS_LABELS[requirement.status])


def _link_line(link: ExportedLink) -> str:
    """`Derived from · Need: Title — rationale`, the title left out when it is not public."""
    source = gettext(TRACE_SOURCE_LABELS[link.source_type])
    named = f"{source}: {link.title}" if link.title else f"{source} ({gettext(NOT_PUBLIC)})"
    line = f"{gettext(TRACE_RELATION_LABELS[link.relation])} · {named}"
    rationale = " ".join(link.rationale.split())
    return f"{line} — {rationale}" if rationale else line
