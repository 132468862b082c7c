"""The inputs a trace link may point at, one entry per source kind: where the input is stored,
who wrote it, what it is called, and which of them a reader other than the project's procurers
may open.

Adding a source kind is one `SourceKind` entry in `SOURCES`; a link whose kind has no entry
counts for nobody. An input whose row does not hold its project (a hearing comment: its hearing
does) names the table joined to reach it and the project's column there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, literal, null, select
from sqlmodel import col

from app.models import (
    DialogueEvent,
    EventRegistration,
    Hearing,
    HearingComment,
    Need,
    Organisation,
    Proposal,
    Question,
    TraceLink,
    User,
)
from app.models.proposal import ProposalStatus
from app.models.question import QuestionStatus
from app.models.trace import TraceSource
from app.services.events.views import ACTIVE
from app.services.permissions import ProjectRelation, heard_clause, visible_proposals_clause

# A source kind's rule for readers other than the project's procurers: which inputs they open.
Visible = Callable[[ProjectRelation], ColumnElement[bool]]
# Which inputs are open to anyone who may see the project (what the research export counts).
Published = Callable[[], ColumnElement[bool]]


@dataclass(frozen=True)
class SourceKind:
    """Where one kind of input lives and who may open it (besides the project's procurers)."""

    source: TraceSource
    model: Any
    author: Any  # the column with the author's user id
    title: Any  # the column that names the input in lists
    visible: Visible
    published: Published
    supplier: Any = None  # the column with the supplier company's id (proposals)
    status: Any = None  # the column with the input's status (needs)
    anonymous: Any = None  # the column that hides the author's name (needs)
    # The table joined to reach the input's project and its condition, and the column with the
    # project's id there (None: the model's own `project_id`).
    via: tuple[Any, Any] | None = None
    project: Any = None

    def project_column(self) -> Any:
        """The column that holds the input's project."""
        return self.model.project_id if self.project is None else self.project


def _open_need(rel: ProjectRelation) -> ColumnElement[bool]:
    """Needs neither held for review nor hidden by a moderator (their text is out of sight)."""
    return and_(col(Need.held).is_(False), col(Need.hidden).is_(False))


def _published_answer(rel: ProjectRelation | None = None) -> ColumnElement[bool]:
    """Questions whose anonymised version and answer were published to all."""
    return col(Question.status) == QuestionStatus.published


def _posted_need() -> ColumnElement[bool]:
    """Needs not held for review (a hidden one keeps its place, without its text)."""
    return col(Need.held).is_(False)


def _published_summary() -> ColumnElement[bool]:
    """Proposals whose summary the supplier published, and did not withdraw."""
    return and_(
        col(Proposal.summary_published).is_(True), col(Proposal.status) != ProposalStatus.withdrawn
    )


def _published_minutes() -> ColumnElement[bool]:
    """Dialogue events whose minutes were published."""
    return col(DialogueEvent.minutes_published_at).is_not(None)


def _readable_minutes(rel: ProjectRelation) -> ColumnElement[bool]:
    """Published minutes, for the registered suppliers and the event's registered people."""
    published = _published_minutes()
    if rel.is_registered_supplier:
        return published
    if rel.user is None:
        return false()
    registered = select(col(EventRegistration.event_id)).where(
        col(EventRegistration.user_id) == rel.user.id,
        col(EventRegistration.status).in_(ACTIVE),
    )
    return and_(published, col(DialogueEvent.id).in_(registered))


def _never() -> ColumnElement[bool]:
    """Hearing comments are read by those heard alone, never by all who may see the project:
    the research export and the outsiders' figures leave them out."""
    return false()


SOURCES: dict[TraceSource, SourceKind] = {
    kind.source: kind
    for kind in (
        SourceKind(
            TraceSource.need,
            Need,
            author=Need.author_id,
            title=Need.title,
            visible=_open_need,
            published=_posted_need,
            status=Need.status,
            anonymous=Need.anonymous,
        ),
        SourceKind(
            TraceSource.proposal,
            Proposal,
            author=Proposal.submitted_by_id,
            title=Proposal.title,
            visible=visible_proposals_clause,
            published=_published_summary,
            supplier=Proposal.organisation_id,
        ),
        SourceKind(
            TraceSource.answer,
            Question,
            author=Question.answered_by_id,
            title=Question.public_question,
            visible=_published_answer,
            published=_published_answer,
        ),
        SourceKind(
            TraceSource.event_minutes,
            DialogueEvent,
            author=DialogueEvent.created_by_id,
            title=DialogueEvent.title,
            visible=_readable_minutes,
            published=_published_minutes,
        ),
        SourceKind(
            TraceSource.hearing_comment,
            HearingComment,
            author=HearingComment.author_id,
            title=None,  # named in no list of the report (its text is for those heard)
            visible=heard_clause,  # the hearings the reader takes part in
            published=_never,
            via=(Hearing, col(Hearing.id) == HearingComment.hearing_id),
            project=Hearing.project_id,
        ),
    )
}


def _or_null(column: Any) -> Any:
    return null() if column is None else column


def links_query(
    kind: SourceKind, *, project_ids: Any, rel: ProjectRelation | None, full: bool
) -> Select[Any]:
    """The links of this source kind in the projects, with the input's author and names.

    `full` (the project's procurers) keeps every link, confidential ones too; otherwise only
    links that are not confidential, to inputs `kind.visible(rel)` lets the reader open
    (with no `rel`, what anyone who may see the project may open: `kind.published`).
    """
    model = kind.model
    project = col(kind.project_column())
    where = [
        col(TraceLink.project_id).in_(project_ids),
        col(TraceLink.source_type) == kind.source,
        project == TraceLink.project_id,
        # Said twice so that the planner may also start from the input's own project index.
        project.in_(project_ids),
    ]
    if not full:
        where += [col(TraceLink.confidential).is_(False)]
        where += [kind.visible(rel) if rel is not None else kind.published()]
    columns: list[Any] = [
        col(TraceLink.id).label("link_id"),
        col(TraceLink.project_id).label("project_id"),
        col(TraceLink.requirement_id).label("requirement_id"),
        col(TraceLink.source_type).label("source_type"),
        col(TraceLink.source_id).label("source_id"),
        col(TraceLink.relation).label("relation"),
        col(TraceLink.confidential).label("confidential"),
        col(TraceLink.created_by_id).label("created_by_id"),
        col(TraceLink.created_at).label("created_at"),
        col(kind.author).label("author_id"),
        col(User.role).label("author_role"),
        col(Organisation.kind).label("author_org_kind"),
        _or_null(kind.supplier).label("supplier_id"),
        _or_null(kind.status).label("source_status"),
        (literal(False) if kind.anonymous is None else kind.anonymous).label("anonymous"),
        _or_null(kind.title).label("source_title"),
    ]
    query = select(*columns).join(model, col(model.id) == TraceLink.source_id)
    if kind.via is not None:
        query = query.join(*kind.via)
    return (
        query.outerjoin(User, col(User.id) == kind.author)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(*where)
    )


def links_union(*, project_ids: Any, rel: ProjectRelation | None, full: bool) -> Any:
    """Every source kind's links as one subquery (a UNION ALL of `links_query`)."""
    parts = [
        links_query(kind, project_ids=project_ids, rel=rel, full=full) for kind in SOURCES.values()
    ]
    return parts[0].union_all(*parts[1:]).subquery()


def visible_links(*, project_ids: Any, rel: ProjectRelation | None, full: bool) -> Any:
    """Every source kind's links in the projects as the reader may count them, by link id."""
    union = links_union(project_ids=project_ids, rel=rel, full=full)
    query: Select[Any] = select(union).order_by(union.c.link_id)
    return query
