"""One project's influence ledger as one reader may count it: the requirements they see, the
trace links they may count with their inputs' authors, and the verified needs they may open.

Three queries whatever the project's size (requirements, links as one UNION ALL over the
source kinds, verified needs); everything else is counted in memory from them. This module
knows nothing of figures or pages, so the metrics and the report can both build on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.models import Need, Requirement
from app.models.base import NeedStatus, id_of
from app.models.requirement import RequirementStatus
from app.models.trace import TraceRelation, TraceSource
from app.services import requirements as requirement_service
from app.services.influence.sources import visible_links
from app.services.permissions import ProjectRelation

NONE = "none"  # the group of inputs without an author's role or organisation
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
    """The reader's share of the project's ledger."""
    full = is_full(rel)
    project_id = id_of(rel.project)
    shown = {id_of(r): r for r in requirement_service.list_requirements(session, rel=rel)}
    # As plain Core rows: the ORM's per-row handling doubled the time of this query.
    query = visible_links(project_ids=[project_id], rel=rel, full=full)
    rows = session.connection().execute(query).all()
    needs = select(col(Need.id), Need.title).where(
        Need.project_id == project_id, Need.status == NeedStatus.verified
    )
    if not full:
        needs = needs.where(col(Need.held).is_(False), col(Need.hidden).is_(False))
    verified = {
        need_id: title for need_id, title in session.exec(needs.order_by(col(Need.id))) if need_id
    }
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
