"""My contributions (/me): what I put into the dialogue across projects, where each stands now,
and what happened to it since I last looked.

One query per kind of contribution and one for the news, whatever the number of items: each kind
is read newest first after a keyset cursor (when, kind, id), so the kinds page alone or merged
into one feed. Only projects the person may still see are read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, literal, or_
from sqlmodel import Session, col, select

from app.models import (
    Comment,
    DialogueEvent,
    EventRegistration,
    MeetingSlot,
    Need,
    ParticipationEvent,
    Project,
    Proposal,
    Question,
    SlotBooking,
    Support,
    User,
)
from app.models.base import NeedStatus, Role, id_of, utcnow
from app.models.event import RegistrationStatus
from app.models.mine import (
    BookingState,
    CommentState,
    ContributionKind,
    ContributionPublic,
    ContributionsPage,
)
from app.models.proposal import ProposalStatus
from app.models.question import QuestionStatus
from app.models.vocabulary import ObjectType, Verb, label_for
from app.services import cursors, permissions
from app.services.errors import Invalid

PAGE_SIZE = 25
KINDS = list(ContributionKind)
RANK = {kind: rank for rank, kind in enumerate(KINDS)}
# A need's status moved: news for its author (addressed to them) and for those who support it.
STATUS_VERBS = (Verb.changed_need_status, Verb.verified_need)
NEW_COMMENT_VERBS = (Verb.commented, Verb.replied)

# The objects whose acts are news on my item of the same id.
NEWS_KINDS: dict[str, ContributionKind] = {
    ObjectType.need: ContributionKind.need,
    ObjectType.question: ContributionKind.question,
    ObjectType.proposal: ContributionKind.proposal,
}

Cursor = tuple[datetime, ContributionKind, int]


@dataclass(frozen=True)
class _Kind:
    """How one kind of contribution is read: its query, its key columns, its item."""

    query: Callable[[User], Any]
    at: Any
    id: Any
    item: Callable[[Any], ContributionPublic]


def _visible(user: User) -> ColumnElement[bool]:
    return permissions.visible_projects_clause(user)


def _company(user: User) -> int | None:
    """The supplier company whose questions, proposals and bookings are also mine."""
    return user.organisation_id if user.role == Role.supplier else None


def _needs(user: User) -> Any:
    return (
        select(Need, Project.title)
        .join(Project, col(Project.id) == Need.project_id)
        .where(Need.author_id == user.id, _visible(user))
    )


def _need_item(row: Any) -> ContributionPublic:
    need, project_title = row
    return _item(
        ContributionKind.need,
        id_of(need),
        need.project_id,
        project_title,
        need.title,
        label_for(NeedStatus, need.status),
        need.status,
        need.created_at,
        f"/needs/{need.id}",
        need_id=need.id,
    )


def _comments(user: User) -> Any:
    return (
        select(Comment, Need.title, Need.project_id, Project.title)
        .join(Need, col(Need.id) == Comment.need_id)
        .join(Project, col(Project.id) == Need.project_id)
        .where(Comment.author_id == user.id, _visible(user))
    )


def _comment_item(row: Any) -> ContributionPublic:
    comment, need_title, project_id, project_title = row
    state = (
        CommentState.withdrawn
        if comment.withdrawn_at is not None
        else CommentState.hidden
        if comment.hidden
        else CommentState.held
        if comment.held
        else CommentState.visible
    )
    return _item(
        ContributionKind.comment,
        id_of(comment),
        project_id,
        project_title,
        need_title,
        label_for(CommentState, state),
        state,
        comment.created_at,
        f"/needs/{comment.need_id}#comment-{comment.id}",
        need_id=comment.need_id,
    )


def _supports(user: User) -> Any:
    return (
        select(Support, Need, Project.title)
        .join(Need, col(Need.id) == Support.need_id)
        .join(Project, col(Project.id) == Need.project_id)
        .where(Support.user_id == user.id, _visible(user))
    )


def _support_item(row: Any) -> ContributionPublic:
    support, need, project_title = row
    return _item(
        ContributionKind.support,
        id_of(support),
        need.project_id,
        project_title,
        need.title,
        label_for(NeedStatus, need.status),
        need.status,
        support.created_at,
        f"/needs/{support.need_id}",
        need_id=support.need_id,
    )


def _questions(user: User) -> Any:
    company = _company(user)
    mine = col(Question.asked_by_id) == user.id
    return (
        select(Question, Project.title)
        .join(Project, col(Project.id) == Question.project_id)
        .where(
            mine if company is None else col(Question.organisation_id) == company, _visible(user)
        )
    )


def _question_item(row: Any) -> ContributionPublic:
    question, project_title = row
    # A draft answer is the procurers' business until published: the asker sees "asked".
    status = QuestionStatus.asked if question.status == QuestionStatus.answered else question.status
    return _item(
        ContributionKind.question,
        id_of(question),
        question.project_id,
        project_title,
        question.public_question if status == QuestionStatus.published else question.body,
        label_for(QuestionStatus, status),
        status,
        question.asked_at,
        f"/projects/{question.project_id}/questions#question-{question.id}",
    )


def _proposals(user: User) -> Any:
    company = _company(user)
    owner = col(Proposal.organisation_id) == company if company is not None else false()
    return (
        select(Proposal, Project.title)
        .join(Project, col(Project.id) == Proposal.project_id)
        .where(owner, _visible(user))
    )


def _proposal_item(row: Any) -> ContributionPublic:
    proposal, project_title = row
    return _item(
        ContributionKind.proposal,
        id_of(proposal),
        proposal.project_id,
        project_title,
        proposal.title,
        label_for(ProposalStatus, proposal.status),
        proposal.status,
        proposal.submitted_at,
        f"/proposals/{proposal.id}",
    )


def _registrations(user: User) -> Any:
    return (
        select(EventRegistration, DialogueEvent, Project.title)
        .join(DialogueEvent, col(DialogueEvent.id) == EventRegistration.event_id)
        .join(Project, col(Project.id) == DialogueEvent.project_id)
        .where(EventRegistration.user_id == user.id, _visible(user))
    )


def _registration_item(row: Any) -> ContributionPublic:
    registration, event, project_title = row
    return _item(
        ContributionKind.registration,
        id_of(registration),
        event.project_id,
        project_title,
        event.title,
        label_for(RegistrationStatus, registration.status),
        registration.status,
        registration.registered_at,
        f"/events/{event.id}",
        starts_at=event.starts_at,
    )


def _bookings(user: User) -> Any:
    company = _company(user)
    owner = col(SlotBooking.organisation_id) == company if company is not None else false()
    return (
        select(SlotBooking, MeetingSlot.starts_at, DialogueEvent, Project.title)
        .join(MeetingSlot, col(MeetingSlot.id) == SlotBooking.slot_id)
        .join(DialogueEvent, col(DialogueEvent.id) == SlotBooking.event_id)
        .join(Project, col(Project.id) == DialogueEvent.project_id)
        .where(or_(col(SlotBooking.booked_by_id) == user.id, owner), _visible(user))
    )


def _booking_item(row: Any) -> ContributionPublic:
    booking, starts_at, event, project_title = row
    return _item(
        ContributionKind.booking,
        id_of(booking),
        event.project_id,
        project_title,
        event.title,
        label_for(BookingState, BookingState.booked),
        BookingState.booked,
        booking.booked_at,
        f"/events/{event.id}",
        starts_at=starts_at,
    )


def _item(
    kind: ContributionKind,
    item_id: int,
    project_id: int,
    project_title: str,
    title: str | None,
    status_label: str,
    status: str,
    at: datetime,
    url: str,
    *,
    starts_at: datetime | None = None,
    need_id: int | None = None,
) -> ContributionPublic:
    return ContributionPublic(
        kind=kind,
        id=item_id,
        project_id=project_id,
        project_title=project_title,
        title=title or "",
        status=str(status),
        status_label=status_label,
        at=at,
        starts_at=starts_at,
        need_id=need_id,
        url=url,
    )


KIND_READERS: dict[ContributionKind, _Kind] = {
    ContributionKind.need: _Kind(_needs, Need.created_at, Need.id, _need_item),
    ContributionKind.comment: _Kind(_comments, Comment.created_at, Comment.id, _comment_item),
    ContributionKind.support: _Kind(_supports, Support.created_at, Support.id, _support_item),
    ContributionKind.question: _Kind(_questions, Question.asked_at, Question.id, _question_item),
    ContributionKind.proposal: _Kind(
        _proposals, Proposal.submitted_at, Proposal.id, _proposal_item
    ),
    ContributionKind.registration: _Kind(
        _registrations,
        EventRegistration.registered_at,
        EventRegistration.id,
        _registration_item,
    ),
    ContributionKind.booking: _Kind(
        _bookings, SlotBooking.booked_at, SlotBooking.id, _booking_item
    ),
}


# ---- paging --------------------------------------------------------------------------------


def encode_cursor(cursor: Cursor) -> str:
    """The position after the item (when, kind, id), for the next page."""
    at, kind, item_id = cursor
    return cursors.encode(at, str(kind), item_id)


def decode_cursor(cursor: str) -> Cursor:
    """A cursor this list made, read back (422 for anything else)."""
    at, kind, item_id = cursors.decode(cursor, 3)
    if kind not in RANK:
        raise Invalid(cursors.NOT_VALID)
    return cursors.moment(at), ContributionKind(kind), cursors.row_id(item_id)


def parse_kind(kind: str) -> ContributionKind | None:
    """The kind asked for ("" for all of them in one feed); 422 for an unknown kind."""
    try:
        return ContributionKind(kind) if kind else None
    except ValueError:
        raise Invalid("Choose a kind of contribution from the list.") from None


def _after(kind: ContributionKind, reader: _Kind, cursor: Cursor | None) -> list[Any]:
    """The keyset condition on this kind's rows: strictly after `cursor` in the feed's order
    (when, kind, id) descending; the kind is constant within one query."""
    if cursor is None:
        return []
    at, after_kind, after_id = cursor
    if RANK[kind] > RANK[after_kind]:
        return [col(reader.at) < at]
    if RANK[kind] < RANK[after_kind]:
        return [col(reader.at) <= at]
    return [or_(col(reader.at) < at, and_(col(reader.at) == at, col(reader.id) < after_id))]


def _read_kind(
    session: Session, user: User, kind: ContributionKind, cursor: Cursor | None, limit: int
) -> list[ContributionPublic]:
    reader = KIND_READERS[kind]
    query = (
        reader.query(user)
        .where(*_after(kind, reader, cursor))
        .order_by(col(reader.at).desc(), col(reader.id).desc())
        .limit(limit)
    )
    return [reader.item(row) for row in session.exec(query).all()]


def _feed_key(item: ContributionPublic) -> tuple[datetime, int, int]:
    return item.at, -RANK[item.kind], item.id


def _paged(user: User, items: list[ContributionPublic], limit: int) -> ContributionsPage:
    """The first `limit` of items in the feed's order, and the cursor after them if more."""
    items.sort(key=_feed_key, reverse=True)
    page, last = items[:limit], items[limit - 1] if len(items) > limit else None
    cursor = encode_cursor((last.at, last.kind, last.id)) if last else None
    return ContributionsPage(items=page, next=cursor, seen_at=user.contributions_seen_at)


def contributions(
    session: Session,
    *,
    user: User | None,
    kind: ContributionKind | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> ContributionsPage:
    """A page of my contributions of one kind, or of all kinds in one feed, newest first, each
    with the count of what happened to it since I last looked (401 for visitors)."""
    user = permissions.require_user(user)
    after = decode_cursor(cursor) if cursor else None
    items: list[ContributionPublic] = []
    for each in [kind] if kind is not None else KINDS:
        items.extend(_read_kind(session, user, each, after, limit + 1))
    page = _paged(user, items, limit)
    mark_news(session, user=user, items=page.items)
    page.new_count = sum(item.new_count for item in page.items)
    return page


def by_kind(
    session: Session, *, user: User | None, limit: int = PAGE_SIZE
) -> dict[ContributionKind, ContributionsPage]:
    """The first page of each kind, for the /me page (one query per kind, one for the news)."""
    user = permissions.require_user(user)
    pages = {k: _paged(user, _read_kind(session, user, k, None, limit + 1), limit) for k in KINDS}
    mark_news(session, user=user, items=[item for p in pages.values() for item in p.items])
    for page in pages.values():
        page.new_count = sum(item.new_count for item in page.items)
    return pages


# ---- what happened since I last looked ------------------------------------------------------


def _news_key(
    user: User, act: ParticipationEvent, comment: Comment | None
) -> tuple[ContributionKind, int] | None:
    """Which of my items an act addressed to me (or on a need I support) is news for."""
    if comment is not None:
        if act.verb not in NEW_COMMENT_VERBS:  # a moderator's decision on my comment itself
            return (ContributionKind.comment, act.object_id)
        # A reply to my comment is news on my comment; a comment on my need, on my need.
        if comment.parent_id:
            return (ContributionKind.comment, comment.parent_id)
        return (ContributionKind.need, comment.need_id)
    kind = NEWS_KINDS.get(act.object_type)
    if kind is ContributionKind.need and act.addressee_id != user.id:
        return (ContributionKind.support, act.object_id)  # a status change of a need I support
    return (kind, act.object_id) if kind else None


def mark_news(session: Session, *, user: User, items: list[ContributionPublic]) -> None:
    """Count on each item what others did to it since I last opened /me (one query)."""
    since = user.contributions_seen_at
    supported = select(Support.need_id).where(Support.user_id == user.id)
    about_me = or_(
        col(ParticipationEvent.addressee_id) == user.id,
        and_(
            col(ParticipationEvent.object_type) == ObjectType.need,
            col(ParticipationEvent.verb).in_(STATUS_VERBS),
            col(ParticipationEvent.object_id).in_(supported),
        ),
    )
    # A new comment that has since been hidden is no news to its addressee (they cannot read it).
    hidden_since = and_(
        col(ParticipationEvent.verb).in_(NEW_COMMENT_VERBS), col(Comment.hidden).is_(True)
    )
    query = (
        select(ParticipationEvent, Comment)
        .join(Project, col(Project.id) == ParticipationEvent.project_id)
        .outerjoin(
            Comment,
            and_(
                col(ParticipationEvent.object_type) == literal(ObjectType.comment.value),
                col(Comment.id) == ParticipationEvent.object_id,
            ),
        )
        .where(
            about_me,
            col(ParticipationEvent.actor_id) != user.id,
            col(ParticipationEvent.verb) != Verb.withdrew_support,
            ~hidden_since,
            _visible(user),
        )
    )
    if since is not None:
        query = query.where(col(ParticipationEvent.occurred_at) > since)
    counts: Counter[tuple[ContributionKind, int]] = Counter()
    for act, comment in session.exec(query).all():
        key = _news_key(user, act, comment)
        if key is not None:
            counts[key] += 1
    for item in items:
        # A support is news by its need; every other item by its own id.
        key_id = item.need_id if item.kind is ContributionKind.support else item.id
        item.new_count = counts.get((item.kind, key_id or 0), 0)


def mark_seen(session: Session, *, user: User) -> None:
    """Note that the person has looked at their contributions now (flushed, not committed)."""
    user.contributions_seen_at = utcnow()
    session.add(user)
    session.flush()
