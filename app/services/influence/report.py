"""The influence report of a project (issue 13, item 4): which needs, and whose input by role and
organisation kind, reached which final requirements; verified needs that reached none;
requirements with no verified need behind them; requirements resting on one supplier alone.

Computed from three queries whatever the project's size (its requirements, its trace links with
their inputs' authors as one UNION ALL, its verified needs), then counted in memory.

Who sees what: the project's procurers (`full`) count every link, confidential ones too, and
the single-supplier flag names the proposals and the company. Everyone else who may see the
project gets a report built only from what they may open (`restricted`): requirements they may
see (`requirements.list_requirements`), links that are not confidential to inputs they may open
(`sources.SOURCES`), no proposal and no company named. The inputs by group are suppressed under
5 people for readers who do not read the project's participation, as on the dashboards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Need, Organisation, Requirement
from app.models.base import NeedStatus, id_of
from app.models.requirement import RequirementStatus
from app.models.trace import TraceRelation, TraceSource
from app.services import requirements as requirement_service
from app.services.influence.schemas import (
    InfluenceReport,
    NeedReach,
    NeedRef,
    ProposalRef,
    RequirementRef,
    SupplierRisk,
)
from app.services.influence.sources import visible_links
from app.services.metrics.schemas import Figure
from app.services.metrics.suppression import FigureKind, figure
from app.services.permissions import ProjectRelation

NONE = "none"  # the group of inputs without an author's role or organisation
BY_GROUP = FigureKind(
    "influence_by_group",
    N_("Input that reached final requirements, by the author's role and organisation"),
    2,
    N_(
        "Inputs traced to requirements (needs, proposals, published answers, minutes), how many "
        "reached a final requirement by a link other than rejected input, and how many final "
        "requirements they reached, grouped by the author's role and organisation kind."
    ),
    ("author_role", "organisation_kind", "inputs", "reached", "requirements"),
)
SHAPING = frozenset(r for r in TraceRelation if r != TraceRelation.rejected_input)


@dataclass
class Ledger:
    """What one reader may count of one project's influence ledger."""

    requirements: dict[int, Requirement]
    links: list[Any]  # rows of `sources.visible_links`, on requirements the reader sees
    verified_needs: dict[int, str]  # id → title, of the verified needs the reader may open

    @property
    def final(self) -> set[int]:
        """The ids of the final requirements."""
        return {i for i, r in self.requirements.items() if r.status == RequirementStatus.final}

    def shaping(self) -> list[Any]:
        """The links that shaped a requirement (all but rejected input)."""
        return [link for link in self.links if link.relation in SHAPING]


def is_full(rel: ProjectRelation) -> bool:
    """The project's procurers read the whole ledger, confidential links too."""
    return rel.is_procurer


def ledger(session: Session, *, rel: ProjectRelation) -> Ledger:
    """The reader's share of the project's ledger, in three queries."""
    full = is_full(rel)
    project_id = id_of(rel.project)
    seen = requirement_service.list_requirements(session, rel=rel)
    shown = {id_of(r): r for r in seen}
    rows = session.execute(visible_links(project_ids=[project_id], rel=rel, full=full)).all()
    needs = select(Need.id, Need.title).where(
        Need.project_id == project_id, Need.status == NeedStatus.verified
    )
    if not full:
        needs = needs.where(col(Need.held).is_(False), col(Need.hidden).is_(False))
    verified = {need_id: title for need_id, title in session.exec(needs.order_by(col(Need.id)))}
    links = [row for row in rows if row.requirement_id in shown]
    return Ledger(requirements=shown, links=links, verified_needs=verified)


@dataclass
class _Group:
    inputs: set[tuple[str, int]] = field(default_factory=set)
    reached: set[tuple[str, int]] = field(default_factory=set)
    requirements: set[tuple[int, int]] = field(default_factory=set)
    people: set[int] = field(default_factory=set)


def group_rows(ledgers: Iterable[Ledger]) -> list[dict[str, Any]]:
    """Inputs, inputs that reached a final requirement, final requirements reached and people,
    per author role and organisation kind, over the ledgers together."""
    groups: dict[tuple[str, str], _Group] = {}
    for book in ledgers:
        final = book.final
        for link in book.links:
            key = (str(link.author_role or NONE), str(link.author_org_kind or NONE))
            group = groups.setdefault(key, _Group())
            source = (str(link.source_type), link.source_id)
            group.inputs.add(source)
            if link.author_id is not None:
                group.people.add(link.author_id)
            if link.relation in SHAPING and link.requirement_id in final:
                group.reached.add(source)
                group.requirements.add((link.project_id, link.requirement_id))
    return [
        {
            "author_role": role,
            "organisation_kind": kind,
            "inputs": len(g.inputs),
            "reached": len(g.reached),
            "requirements": len(g.requirements),
            "participants": len(g.people),
        }
        for (role, kind), g in sorted(groups.items())
    ]


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


def single_supplier(book: Ledger) -> dict[int, list[Any]]:
    """The requirements whose every shaping link is to a proposal of one and the same supplier,
    each with those links."""
    sources: dict[int, list[Any]] = {}
    for link in book.shaping():
        sources.setdefault(link.requirement_id, []).append(link)
    return {
        requirement_id: links
        for requirement_id, links in sources.items()
        if all(link.source_type == TraceSource.proposal for link in links)
        and len({link.supplier_id for link in links}) == 1
    }


def _risks(session: Session, book: Ledger, *, full: bool) -> list[SupplierRisk]:
    flagged = single_supplier(book)
    names: dict[int, str] = {}
    if full and flagged:
        suppliers = {links[0].supplier_id for links in flagged.values()}
        query = select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(suppliers))
        names = {org_id: name for org_id, name in session.exec(query)}
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


def by_group(ledgers: Sequence[Ledger], *, aggregate: bool) -> Figure:
    """The inputs-by-group figure over the ledgers, suppressed under 5 people if `aggregate`."""
    return figure(BY_GROUP, group_rows(ledgers), aggregate=aggregate)


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
