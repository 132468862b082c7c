"""The influence report of a project (issue 13, item 4): which needs, and whose input by role and
organisation kind, reached which final requirements; verified needs that reached none;
requirements with no verified need behind them; requirements resting on one supplier alone.

Computed from the reader's ledger (`ledger`: three queries whatever the project's size), plus
one query for the company names the procurers see.

Who sees what: the project's procurers (`full`) count every link, confidential ones too, and
the single-supplier flag names the proposals and the company. Everyone else who may see the
project gets a report built only from what they may open (`restricted`): requirements they may
see (`requirements.list_requirements`), links that are not confidential to inputs they may open
(`sources.SOURCES`), no proposal and no company named. The inputs by group are suppressed under
5 people for readers who do not read the project's participation, as on the dashboards.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import Organisation, Requirement
from app.models.base import NeedStatus, id_of
from app.models.trace import TraceSource
from app.services.influence.ledger import Ledger, is_full, ledger, single_supplier
from app.services.influence.schemas import (
    InfluenceReport,
    NeedReach,
    NeedRef,
    ProposalRef,
    RequirementRef,
    SupplierRisk,
)
from app.services.metrics.ledger import by_group
from app.services.permissions import ProjectRelation


def _ref(requirement: Requirement) -> RequirementRef:
    return RequirementRef(
        requirement_id=id_of(requirement),
        title=requirement.title,
        kind=requirement.kind,
        status=requirement.status,
    )


def _needs_reached(book: Ledger) -> list[NeedReach]:
    final = book.final
    reached: dict[int, NeedReach] = {}
    for link in book.shaping():
        if link.source_type != TraceSource.need or link.requirement_id not in final:
            continue
        need = reached.setdefault(
            link.source_id,
            NeedReach(
                need_id=link.source_id,
                title=link.source_title,
                status=link.source_status,
                requirements=[],
            ),
        )
        need.requirements.append(_ref(book.requirements[link.requirement_id]))
    return [reached[i] for i in sorted(reached)]


def _without_verified_need(book: Ledger) -> list[RequirementRef]:
    backed = {
        link.requirement_id
        for link in book.shaping()
        if link.source_type == TraceSource.need and link.source_status == NeedStatus.verified
    }
    return [_ref(r) for i, r in book.requirements.items() if i not in backed]


def _risks(session: Session, book: Ledger, *, full: bool) -> list[SupplierRisk]:
    flagged = single_supplier(book)
    names: dict[int, str] = {}
    if full and flagged:
        suppliers = {links[0].supplier_id for links in flagged.values()}
        query = select(col(Organisation.id), Organisation.name).where(
            col(Organisation.id).in_(suppliers)
        )
        names = {org_id: name for org_id, name in session.exec(query) if org_id}
    risks = []
    for requirement_id in sorted(flagged, key=lambda i: _order(book.requirements[i])):
        proposals = None
        if full:
            unique = {link.source_id: link for link in flagged[requirement_id]}
            proposals = [
                ProposalRef(
                    proposal_id=link.source_id,
                    title=link.source_title,
                    supplier=names.get(link.supplier_id, ""),
                )
                for _, link in sorted(unique.items())
            ]
        risks.append(
            SupplierRisk(requirement=_ref(book.requirements[requirement_id]), proposals=proposals)
        )
    return risks


def _order(requirement: Requirement) -> tuple[str, int, int]:
    return (requirement.kind, requirement.position, id_of(requirement))


def suppressed_for(rel: ProjectRelation) -> bool:
    """Readers who do not read the project's participation get small groups suppressed."""
    return not rel.can_read_participation


def report(session: Session, *, rel: ProjectRelation) -> InfluenceReport:
    """The project's influence report as this reader may see it (the relation must allow
    viewing the project)."""
    full = is_full(rel)
    book = ledger(session, rel=rel)
    reached = _needs_reached(book)
    reached_ids = {n.need_id for n in reached}
    aggregate = suppressed_for(rel)
    return InfluenceReport(
        project_id=id_of(rel.project),
        view="full" if full else "restricted",
        suppressed_cells=aggregate,
        requirements=len(book.requirements),
        final_requirements=len(book.final),
        links=len(book.links),
        inputs_by_group=by_group([book], aggregate=aggregate),
        needs_reached=reached,
        verified_needs_unreached=[
            NeedRef(need_id=i, title=title)
            for i, title in book.verified_needs.items()
            if i not in reached_ids
        ],
        requirements_without_verified_need=_without_verified_need(book),
        single_supplier=_risks(session, book, full=full),
    )
