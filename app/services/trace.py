"""Trace links, the influence ledger: which input shaped which requirement, how, and why.

A writer of the specification (the project's procurers and invited co-authors, while it is open)
links a requirement to an input of the same project that they may see: a need, a proposal, a
published answer, the published minutes of a dialogue event or a comment in a hearing
(`app/services/trace_sources.py` says which, kind by kind). Every link has a relation and a
rationale. A link to a proposal whose summary is not published, or one the writer marks so,
refers to confidential content: it and its rationale are the project's procurers' alone.

Who sees a link (`visible_links`, which every reader of links goes through: the requirement's
page, the need's page, the API, the influence report and the export): whoever may see both the
requirement and the source, and for a confidential link only the project's procurers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Requirement, TraceLink
from app.models.base import id_of
from app.models.requirement import RequirementKind
from app.models.trace import TraceLinkCreate, TraceRelation, TraceSource
from app.models.vocabulary import AuditAction, AuditField, LiveKind, Verb
from app.services import contribution, permissions, requirements, rows, trace_sources
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid, NotFound
from app.services.permissions import ProjectRelation
from app.services.trace_sources import SourceItem

NO_SUCH_SOURCE = N_("There is no such input in this project that you may link to.")
NO_SUCH_LINK = N_("No such trace link.")
DUPLICATE = N_("The requirement is already linked to this input.")
ONLY_PROPOSALS_CONFIDENTIAL = N_("Only a link to a proposal can refer to confidential content.")


@dataclass(frozen=True)
class LinkView:
    """A trace link as one reader sees it: the link, its requirement and its source, named."""

    link: TraceLink
    requirement: Requirement
    source: SourceItem


def _co_author(session: Session, rel: ProjectRelation) -> bool:
    return rel.user is not None and requirements.is_co_author(session, rel=rel)


def may_link(session: Session, *, rel: ProjectRelation) -> bool:
    """Whether the person may add and remove links now (a writer, while the specification is
    open and not final)."""
    co_author = _co_author(session, rel)
    return permissions.allows(
        lambda r: permissions.ensure_can_write_specification(r, co_author=co_author), rel
    )


def source_row(session: Session, *, rel: ProjectRelation, kind: TraceSource, source_id: int) -> Any:
    """The input to link: of the project, usable as a source, and seen by the writer (422)."""
    spec = trace_sources.kind_of(kind)
    row = trace_sources.load(session, kind, [source_id], project_id=id_of(rel.project)).get(
        source_id
    )
    if row is None or not spec.usable(row) or not spec.visible(session, rel, row):
        raise Invalid(NO_SUCH_SOURCE)
    return row


def _fields(link: TraceLink) -> dict[str, object]:
    return {
        AuditField.requirement_id: link.requirement_id,
        AuditField.source: f"{link.source_type}:{link.source_id}",
        AuditField.relation: link.relation,
        AuditField.rationale: link.rationale,
        AuditField.confidential: link.confidential,
    }


def add_link(
    session: Session, *, rel: ProjectRelation, requirement: Requirement, data: TraceLinkCreate
) -> TraceLink:
    """A writer traces the requirement to an input of the project, with a relation and why."""
    user = permissions.ensure_can_write_specification(rel, co_author=_co_author(session, rel))
    row = source_row(session, rel=rel, kind=data.source_type, source_id=data.source_id)
    if data.confidential and data.source_type != TraceSource.proposal:
        raise Invalid(ONLY_PROPOSALS_CONFIDENTIAL)
    spec = trace_sources.SOURCES[data.source_type]
    twin = select(TraceLink.id).where(
        TraceLink.requirement_id == requirement.id,
        TraceLink.source_type == data.source_type,
        TraceLink.source_id == data.source_id,
    )
    if session.exec(twin).first() is not None:
        raise Conflict(DUPLICATE)
    link = TraceLink(
        project_id=id_of(rel.project),
        requirement_id=id_of(requirement),
        source_type=data.source_type,
        source_id=id_of(row),
        relation=data.relation,
        rationale=data.rationale,
        confidential=data.confidential or spec.confidential(row),
        created_by_id=id_of(user),
    )
    rows.add_unique(session, link, conflict=DUPLICATE)
    contribution.record(
        session,
        rel=rel,
        on=link,
        verb=Verb.linked_requirement,
        change=Change(AuditAction.trace_link_added, before=None, after=_fields(link)),
        push=LiveKind.requirement_changed,
    )
    return link


def view_of(session: Session, *, link: TraceLink, requirement: Requirement) -> LinkView:
    """A link just written, named for its writer (who may no longer see a link they marked
    confidential without being a procurer)."""
    found = trace_sources.load(
        session, link.source_type, [link.source_id], project_id=link.project_id
    )
    row = found[link.source_id]
    return LinkView(link, requirement, trace_sources.item(link.source_type, row))


def find_link(
    session: Session, *, rel: ProjectRelation, requirement: Requirement, link_id: int
) -> TraceLink:
    """One link of the requirement the person may see (404 otherwise, as for none)."""
    link = session.get(TraceLink, link_id)
    if link is None or link.requirement_id != requirement.id:
        raise NotFound(NO_SUCH_LINK)
    if not visible_links(session, rel=rel, requirement_id=id_of(requirement), link_id=link_id):
        raise NotFound(NO_SUCH_LINK)
    return link


def remove_link(
    session: Session, *, rel: ProjectRelation, requirement: Requirement, link_id: int
) -> None:
    """A writer removes a link of the requirement; the audit log keeps what it said."""
    permissions.ensure_can_write_specification(rel, co_author=_co_author(session, rel))
    link = find_link(session, rel=rel, requirement=requirement, link_id=link_id)
    contribution.record(
        session,
        rel=rel,
        on=link,
        verb=Verb.unlinked_requirement,
        change=Change(AuditAction.trace_link_removed, before=_fields(link), after=None),
        push=LiveKind.requirement_changed,
    )
    session.delete(link)
    session.flush()


def visible_links(
    session: Session,
    *,
    rel: ProjectRelation,
    requirement_id: int | None = None,
    source: tuple[TraceSource, int] | None = None,
    link_id: int | None = None,
) -> list[LinkView]:
    """The project's links this reader may see: of one requirement, one source, or all.

    A link shows when the reader may see its requirement and its source; a confidential one
    only to the project's procurers. In the order of the requirements, then of the links.
    """
    query = select(TraceLink).where(TraceLink.project_id == rel.project.id)
    if requirement_id is not None:
        query = query.where(TraceLink.requirement_id == requirement_id)
    if source is not None:
        query = query.where(TraceLink.source_type == source[0], TraceLink.source_id == source[1])
    if link_id is not None:
        query = query.where(TraceLink.id == link_id)
    if not rel.is_procurer:
        query = query.where(col(TraceLink.confidential).is_(False))
    links = list(session.exec(query.order_by(col(TraceLink.id))).all())
    return _seen(session, rel, links)


def _seen(session: Session, rel: ProjectRelation, links: list[TraceLink]) -> list[LinkView]:
    """The links whose requirement and source the reader may see, named for them."""
    if not links:
        return []
    co_author = _co_author(session, rel)
    wanted = {link.requirement_id for link in links}
    query = select(Requirement).where(col(Requirement.id).in_(wanted))
    seen = {
        id_of(r): r
        for r in session.exec(query).all()
        if permissions.can_see_requirement(rel, r, co_author=co_author)
    }
    by_kind: dict[TraceSource, set[int]] = defaultdict(set)
    for link in links:
        by_kind[link.source_type].add(link.source_id)
    items: dict[tuple[TraceSource, int], SourceItem] = {}
    for kind, ids in by_kind.items():
        spec = trace_sources.SOURCES.get(kind)
        found = trace_sources.load(session, kind, ids, project_id=id_of(rel.project))
        for source_id, row in found.items():
            if spec is not None and spec.visible(session, rel, row):
                items[(kind, source_id)] = trace_sources.item(kind, row)
    views = [
        LinkView(link, seen[link.requirement_id], items[(link.source_type, link.source_id)])
        for link in links
        if link.requirement_id in seen and (link.source_type, link.source_id) in items
    ]
    order = {id_: n for n, id_ in enumerate(_requirement_order(seen.values()))}
    return sorted(views, key=lambda view: (order[view.link.requirement_id], id_of(view.link)))


def _requirement_order(found: Iterable[Requirement]) -> list[int]:
    kinds = list(RequirementKind)
    ordered = sorted(found, key=lambda r: (kinds.index(r.kind), r.position, id_of(r)))
    return [id_of(r) for r in ordered]


def by_relation(views: list[LinkView]) -> list[tuple[TraceRelation, list[LinkView]]]:
    """Links grouped by relation, in the relations' order (relations without any left out)."""
    groups = [
        (relation, [v for v in views if v.link.relation == relation]) for relation in TraceRelation
    ]
    return [(relation, found) for relation, found in groups if found]


def led_to(session: Session, *, rel: ProjectRelation, need_id: int) -> tuple[list[LinkView], bool]:
    """Which requirements a need led to, as this reader may see them, and whether it also
    shaped requirements out of their sight (said without a title or a count)."""
    source = (TraceSource.need, need_id)
    shown = visible_links(session, rel=rel, source=source)
    query = select(TraceLink.requirement_id).where(
        TraceLink.project_id == rel.project.id,
        TraceLink.source_type == TraceSource.need,
        TraceLink.source_id == need_id,
    )
    unseen = set(session.exec(query).all()) - {view.link.requirement_id for view in shown}
    return shown, bool(unseen)


def linked_sources(session: Session, *, requirement_id: int) -> set[tuple[TraceSource, int]]:
    """Every input the requirement is linked to (whoever may see the links)."""
    query = select(TraceLink.source_type, TraceLink.source_id).where(
        TraceLink.requirement_id == requirement_id
    )
    return {(TraceSource(kind), source_id) for kind, source_id in session.exec(query).all()}
