"""Moderation: reports on needs and comments, the queue, decisions, reviews and held content.

Hiding is one mechanism for both kinds of content (`hidden` and `hidden_reason` on the need or
comment): a procurer hiding a comment from its thread and a moderator deciding a report both end
in `_decide`. Every step is recorded through `contribution.record`, with the content's author
as the addressee of each decision, so they are told.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Comment, Need, Project, User
from app.models.base import id_of, utcnow
from app.models.moderation import (
    Decision,
    Report,
    ReportCreate,
    ReportDecision,
    ReportedType,
    ReportKind,
    ReportState,
)
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.live import LiveEvent
from app.services.permissions import ProjectRelation

Content = Need | Comment
MISSING = {ReportedType.need: N_("No such need."), ReportedType.comment: N_("No such comment.")}
# What a decision does, by the kind of content: the verb, the audit action and the live push.
HIDING = {
    ReportedType.need: (Verb.hid_need, AuditAction.need_hidden, LiveKind.need_hidden),
    ReportedType.comment: (Verb.hid_comment, AuditAction.comment_hidden, LiveKind.comment_hidden),
}
SHOWING = {ReportedType.need: LiveKind.need_shown, ReportedType.comment: LiveKind.comment_shown}


def type_of(content: Content) -> ReportedType:
    """What the queue calls this kind of content."""
    return ReportedType.need if isinstance(content, Need) else ReportedType.comment


def _need_of(session: Session, content: Content) -> Need:
    if isinstance(content, Need):
        return content
    need = session.get(Need, content.need_id)
    assert need is not None  # a comment's need is a foreign key
    return need


def find_content(
    session: Session, *, user: User | None, object_type: ReportedType, object_id: int
) -> tuple[ProjectRelation, Content]:
    """The need or comment and the viewer's relation to its project; 404 when out of sight.

    Held content is out of sight for all but its author and the moderators.
    """
    missing = MISSING[object_type]
    content = _load(session, object_type, object_id)
    if content is None:
        raise NotFound(missing)
    need = _need_of(session, content)
    try:
        rel = permissions.viewable_project(session, user, need.project_id)
    except NotFound:
        raise NotFound(missing) from None
    if not permissions.can_open_need(rel, need):
        raise NotFound(missing)
    if content.held and not (rel.is_moderator or permissions.is_author(rel, content)):
        raise NotFound(missing)
    return rel, content


def _load(session: Session, object_type: ReportedType, object_id: int) -> Content | None:
    if object_type == ReportedType.need:
        return session.get(Need, object_id)
    return session.get(Comment, object_id)


def _state(content: Content, *, held: bool) -> dict[str, object]:
    """What the audit log keeps of content's moderation (whether it was held, where it was)."""
    if held:
        return {
            "hidden": content.hidden,
            "hidden_reason": content.hidden_reason,
            "held": content.held,
        }
    return {"hidden": content.hidden, "hidden_reason": content.hidden_reason}


def _open_reports(session: Session, content: Content) -> list[Report]:
    query = select(Report).where(
        Report.object_type == type_of(content),
        Report.object_id == content.id,
        Report.state == ReportState.open,
    )
    return list(session.exec(query).all())


def report(session: Session, *, user: User | None, data: ReportCreate) -> Report:
    """Someone who can see a need or comment reports it with a reason (once while it is open)."""
    rel, content = find_content(
        session, user=user, object_type=data.object_type, object_id=data.object_id
    )
    reporter = permissions.require_user(rel.user)
    if content.hidden:
        raise Conflict("A moderator has already hidden this.")
    if any(
        r.kind == ReportKind.flag and r.reporter_id == reporter.id
        for r in _open_reports(session, content)
    ):
        raise Conflict("You have already reported this; the moderators will look at it.")
    return _file(session, rel, content, ReportKind.flag, data.reason)


def request_review(session: Session, *, user: User | None, data: ReportCreate) -> Report:
    """The author of hidden content asks the moderators to look again, once."""
    rel, content = find_content(
        session, user=user, object_type=data.object_type, object_id=data.object_id
    )
    permissions.require_user(rel.user)
    if not permissions.is_author(rel, content):
        raise Forbidden("Only the author can ask for a review.")
    if not may_ask_review(session, content):
        if content.hidden:
            raise Conflict(
                "You have already asked for a review of this once; the moderators' decision stands."
            )
        raise Invalid("Only content a moderator has hidden can be reviewed.")
    return _file(session, rel, content, ReportKind.review, data.reason)


# What filing each kind of report by a person is, in the logs.
FILED = {
    ReportKind.flag: (Verb.reported, AuditAction.content_reported),
    ReportKind.review: (Verb.asked_review, AuditAction.review_requested),
}


def _file(
    session: Session, rel: ProjectRelation, content: Content, kind: ReportKind, reason: str
) -> Report:
    """Put a person's report or review request in the queue, recorded as their act."""
    filed = Report(
        project_id=id_of(rel.project),
        need_id=id_of(_need_of(session, content)),
        kind=kind,
        object_type=type_of(content),
        object_id=id_of(content),
        reporter_id=id_of(permissions.require_user(rel.user)),
        reason=reason,
    )
    verb, action = FILED[kind]
    after = {"state": ReportState.open.value, "reason": reason}
    contribution.record(
        session,
        rel=rel,
        on=filed,
        verb=verb,
        change=Change(action, before=None, after=after, rationale=reason, about=content),
        push=LiveKind.reports_changed,
    )
    return filed


def holds_first_contribution(session: Session, *, rel: ProjectRelation, user: User) -> bool:
    """Whether the project holds this person's next need or comment: while it asks for that and
    none of theirs in it shows yet (held until a moderator approves one; moderators are never held).
    """
    if not rel.project.hold_first_contributions or rel.is_moderator:
        return False
    posted = select(col(Need.id)).where(
        col(Need.project_id) == rel.project.id,
        col(Need.author_id) == user.id,
        col(Need.held).is_(False),
        col(Need.hidden).is_(False),
    )
    commented = (
        select(col(Comment.id))
        .join(Need, col(Need.id) == col(Comment.need_id))
        .where(
            col(Need.project_id) == rel.project.id,
            col(Comment.author_id) == user.id,
            col(Comment.held).is_(False),
            col(Comment.hidden).is_(False),
        )
    )
    return session.exec(posted.limit(1)).first() is None and (
        session.exec(commented.limit(1)).first() is None
    )


def hold(session: Session, *, rel: ProjectRelation, content: Content) -> Report:
    """Put a held contribution (already recorded) in the queue until a moderator approves it."""
    held = Report(
        project_id=id_of(rel.project),
        need_id=id_of(_need_of(session, content)),
        kind=ReportKind.hold,
        object_type=type_of(content),
        object_id=id_of(content),
        reporter_id=content.author_id,
        reason="",
    )
    contribution.record(session, rel=rel, on=held, push=LiveKind.reports_changed)
    return held


def find_report(
    session: Session, *, user: User | None, report_id: int
) -> tuple[ProjectRelation, Report]:
    """A report and its project's relation, for the project's moderators; 404 for anyone else."""
    found = session.get(Report, report_id)
    if found is None:
        raise NotFound("No such report.")
    try:
        rel = permissions.viewable_project(session, user, found.project_id)
    except NotFound:
        raise NotFound("No such report.") from None
    permissions.require_user(rel.user)
    if not rel.is_moderator:
        raise NotFound("No such report.")
    return rel, found


def decide(
    session: Session, *, rel: ProjectRelation, report: Report, data: ReportDecision
) -> Report:
    """A moderator decides an open report: hide the content, show it again, or dismiss."""
    permissions.ensure_can_moderate(rel)
    if report.state == ReportState.decided:
        raise Conflict("This report has already been decided.")
    _rel, content = find_content(
        session, user=rel.user, object_type=report.object_type, object_id=report.object_id
    )
    if data.decision == Decision.dismiss and report.kind == ReportKind.hold:
        raise Invalid("A held contribution is shown or hidden; it cannot be dismissed.")
    _decide(
        session, rel=rel, content=content, decision=data.decision, reason=data.reason, report=report
    )
    return report


def hide(session: Session, *, rel: ProjectRelation, content: Content, reason: str) -> None:
    """A moderator hides a need or comment with a public reason (its open reports are decided)."""
    permissions.ensure_can_moderate(rel)
    _decide(session, rel=rel, content=content, decision=Decision.hide, reason=reason)


def _decide(
    session: Session,
    *,
    rel: ProjectRelation,
    content: Content,
    decision: Decision,
    reason: str,
    report: Report | None = None,
) -> None:
    """Apply a decision to content and close its open reports, recorded as one change."""
    moderator = permissions.require_user(rel.user)
    reason = reason.strip()
    kind = type_of(content)
    was_held = content.held
    before = _state(content, held=was_held)
    if decision == Decision.hide:
        if not reason:
            raise Invalid("Give a reason for hiding; it is shown in place of the content.")
        content.hidden, content.hidden_reason, content.held = True, reason, False
    elif decision == Decision.restore:
        if not (content.hidden or content.held):
            raise Invalid("This is not hidden; dismiss the report instead.")
        content.hidden, content.hidden_reason, content.held = False, "", False
    closed = _open_reports(session, content)
    now = utcnow()
    for each in closed:
        each.state, each.decision, each.decided_by_id = ReportState.decided, decision, moderator.id
        each.decided_at, each.decision_reason = now, reason
        session.add(each)
    author = session.get(User, content.author_id)
    queue = [contribution.live_event(LiveKind.reports_changed, r, rel.project) for r in closed]
    if decision == Decision.dismiss:
        subject = report or (closed[0] if closed else None)
        if subject is None:
            raise Invalid("There is no open report to dismiss.")
        change = Change(
            AuditAction.report_dismissed,
            before={"state": ReportState.open.value},
            after={"state": ReportState.decided.value, "decision": decision.value},
            rationale=reason or None,
            about=content,
        )
        contribution.record(
            session,
            rel=rel,
            on=subject,
            verb=Verb.dismissed_report,
            addressee=author,
            change=change,
            push=queue,
        )
        return
    if decision == Decision.hide:
        verb, action, live = HIDING[kind]
    else:
        verb, action, live = Verb.restored_content, AuditAction.content_restored, SHOWING[kind]
    change = Change(
        action, before=before, after=_state(content, held=was_held), rationale=reason or None
    )
    pushes: list[LiveEvent] = [contribution.live_event(live, content, rel.project), *queue]
    contribution.record(
        session, rel=rel, on=content, verb=verb, addressee=author, change=change, push=pushes
    )


# ---- the queue -----------------------------------------------------------------------------


@dataclass
class QueueItem:
    """One need or comment in the queue, in context, with its open reports."""

    object_type: ReportedType
    content: Content
    need: Need
    author_name: str
    parent: Comment | None = None
    parent_author: str = ""
    reports: list[Report] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The item's id on the page."""
        return f"{self.object_type}-{self.content.id}"

    @property
    def kinds(self) -> set[ReportKind]:
        """Why it is in the queue."""
        return {r.kind for r in self.reports}


@dataclass
class Queue:
    """A project's open moderation queue, and its counts."""

    items: list[QueueItem]

    @property
    def open_reports(self) -> int:
        """Reports waiting for a decision."""
        return sum(len(item.reports) for item in self.items)

    def count(self, kind: ReportKind) -> int:
        """Items waiting for a decision that are in the queue for this reason."""
        return sum(1 for item in self.items if kind in item.kinds)


def open_reports(session: Session, *, rel: ProjectRelation) -> list[Report]:
    """The project's open reports, oldest first (its moderators only)."""
    permissions.ensure_can_moderate(rel)
    query = (
        select(Report)
        .where(Report.project_id == rel.project.id, Report.state == ReportState.open)
        .order_by(col(Report.created_at), col(Report.id))
    )
    return list(session.exec(query).all())


def queue(session: Session, *, rel: ProjectRelation) -> Queue:
    """The project's open reports grouped by the content they are about, with its context."""
    by_object: dict[tuple[ReportedType, int], list[Report]] = defaultdict(list)
    for each in open_reports(session, rel=rel):
        by_object[(each.object_type, each.object_id)].append(each)
    return Queue([_item(session, kind, oid, reports) for (kind, oid), reports in by_object.items()])


def _name(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.display_name if user else ""


def _item(session: Session, kind: ReportedType, object_id: int, reports: list[Report]) -> QueueItem:
    content = _load(session, kind, object_id)
    assert content is not None  # reports are never about content that is gone
    parent = (
        session.get(Comment, content.parent_id)
        if isinstance(content, Comment) and content.parent_id
        else None
    )
    return QueueItem(
        object_type=kind,
        content=content,
        need=_need_of(session, content),
        author_name=_name(session, content.author_id),
        parent=parent,
        parent_author=_name(session, parent.author_id) if parent else "",
        reports=reports,
    )


def set_holding(session: Session, *, rel: ProjectRelation, hold_first: bool) -> Project:
    """The project's procurers choose whether new accounts' first contributions are held."""
    permissions.ensure_procurer(rel)
    project = rel.project
    before = {"hold_first": project.hold_first_contributions}
    project.hold_first_contributions = hold_first
    contribution.record(
        session,
        rel=rel,
        on=project,
        change=Change(AuditAction.project_edited, before=before, after={"hold_first": hold_first}),
    )
    return project


def own_moderated_comments(
    session: Session, *, rel: ProjectRelation, need_id: int
) -> list[tuple[Comment, bool]]:
    """The viewer's own hidden or held comments on a need, each with whether they may still
    ask for a review (their page shows these in full, with why)."""
    if rel.user is None:
        return []
    query = (
        select(Comment)
        .where(
            Comment.need_id == need_id,
            Comment.author_id == rel.user.id,
            col(Comment.hidden) | col(Comment.held),
        )
        .order_by(col(Comment.id))
    )
    comments = list(session.exec(query).all())
    return [(c, may_ask_review(session, c)) for c in comments]


def was_held(session: Session, *, object_id: int) -> bool:
    """Whether a comment came to the thread through the queue (held as a first contribution)."""
    query = select(Report.id).where(
        Report.object_type == ReportedType.comment,
        Report.object_id == object_id,
        Report.kind == ReportKind.hold,
    )
    return session.exec(query).first() is not None


def may_ask_review(session: Session, content: Content) -> bool:
    """Whether the author of this hidden content has not yet asked for its review."""
    if not content.hidden:
        return False
    asked = select(Report.id).where(
        Report.object_type == type_of(content),
        Report.object_id == content.id,
        Report.kind == ReportKind.review,
    )
    return session.exec(asked).first() is None
