"""What a notification is about, and whether its recipient may open it now.

A notification never tells anything its recipient could not open: the check runs when it is made
and again whenever it is listed or mailed, through the one permission policy, so a person whose
access was revoked later no longer sees it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app import i18n
from app.models import (
    Comment,
    DialogueEvent,
    Document,
    Need,
    Notification,
    Project,
    Proposal,
    Question,
    User,
)
from app.models.base import NeedStatus
from app.models.notification import NotificationKind
from app.models.proposal import ProposalStatus
from app.models.vocabulary import ObjectType, label_for
from app.services import permissions
from app.services.errors import NotFound
from app.services.permissions import ProjectRelation, RoundRelation

MODELS: dict[str, type[Any]] = {
    ObjectType.project: Project,
    ObjectType.need: Need,
    ObjectType.comment: Comment,
    ObjectType.question: Question,
    ObjectType.document: Document,
    ObjectType.dialogue_event: DialogueEvent,
    ObjectType.proposal: Proposal,
}


@dataclass(frozen=True)
class Subject:
    """What a notification is about, as its recipient may open it: a title and a link."""

    title: str
    url: str
    project_title: str
    state: str = ""  # a need's or a proposal's status now, as a label; a round's deadline


def _need(rel: ProjectRelation, need: Need, _kind: str) -> bool:
    return rel.can_view


def _comment(rel: ProjectRelation, comment: Comment, kind: str) -> bool:
    # The author hears of the moderator's decision about their own comment, hidden or not.
    moderated = kind == NotificationKind.moderation
    return rel.can_view and (moderated or permissions.can_see_comment(rel, comment))


def _question(rel: ProjectRelation, question: Question, _kind: str) -> bool:
    return permissions.can_see_question(rel, question)


def _document(rel: ProjectRelation, document: Document, _kind: str) -> bool:
    return permissions.can_see_document(rel, document)


def _event(rel: ProjectRelation, _event: DialogueEvent, _kind: str) -> bool:
    return rel.can_view


def _proposal(rel: ProjectRelation, proposal: Proposal, _kind: str) -> bool:
    return rel.can_view and permissions.can_see_full_proposal(rel, proposal)


def _project(rel: ProjectRelation, _project: Project, _kind: str) -> bool:
    return rel.can_view


CHECKS: dict[str, Callable[[ProjectRelation, Any, str], bool]] = {
    ObjectType.project: _project,
    ObjectType.need: _need,
    ObjectType.comment: _comment,
    ObjectType.question: _question,
    ObjectType.document: _document,
    ObjectType.dialogue_event: _event,
    ObjectType.proposal: _proposal,
}


def _need_of(session: Session, row: Any) -> Need | None:
    return session.get(Need, row.need_id)


def _project_of(session: Session, object_type: str, row: Any) -> int | None:
    """The project a stored object belongs to."""
    if object_type == ObjectType.project:
        return int(row.id)
    if object_type == ObjectType.comment:
        need = _need_of(session, row)
        return None if need is None else need.project_id
    return int(row.project_id)


def _describe(session: Session, object_type: str, row: Any) -> tuple[str, str] | None:
    """The title and link of a stored object (None when what it hangs on is gone)."""
    if object_type == ObjectType.comment:
        need = _need_of(session, row)
        return None if need is None else (need.title, f"/needs/{need.id}#comment-{row.id}")
    if object_type == ObjectType.need:
        return row.title, f"/needs/{row.id}"
    if object_type == ObjectType.question:
        return "", f"/projects/{row.project_id}/questions#question-{row.id}"
    if object_type == ObjectType.document:
        return row.title, f"/projects/{row.project_id}/documents"
    if object_type == ObjectType.dialogue_event:
        return row.title, f"/events/{row.id}"
    if object_type == ObjectType.proposal:
        return row.title, f"/proposals/{row.id}"
    return row.title, f"/projects/{row.id}"


class Opener:
    """Answers whether one recipient may open notifications, one project (or self-assessment
    round) relation at a time."""

    def __init__(self, session: Session, user: User) -> None:
        self.session = session
        self.user = user
        self._relations: dict[int, ProjectRelation | None] = {}
        self._rounds: dict[int, RoundRelation | None] = {}
        # The session keeps loaded rows only while something refers to them: these stay loaded.
        self._kept: list[Any] = []

    def relation(self, project_id: int) -> ProjectRelation | None:
        """The recipient's relation to the project (None when the project is gone)."""
        if project_id not in self._relations:
            project = self.session.get(Project, project_id)
            self._relations[project_id] = (
                None if project is None else permissions.relation(self.session, self.user, project)
            )
        return self._relations[project_id]

    def round_relation(self, round_id: int) -> RoundRelation | None:
        """The recipient's relation to the round (None when they may not see it, or it is gone)."""
        if round_id not in self._rounds:
            try:
                rel = permissions.round_relation(self.session, self.user, round_id)
            except NotFound:
                rel = None
            self._rounds[round_id] = rel
        return self._rounds[round_id]

    def round_subject(
        self, *, round_id: int, object_type: str, object_id: int, kind: str
    ) -> Subject | None:
        """What a round's notification is about, if the recipient may open it now: an
        invitation shows while that invitation stands and the recipient may see the round."""
        rel = self.round_relation(round_id)
        if (
            rel is None
            or rel.respondent is None
            or kind != NotificationKind.round_invitation
            or object_type != ObjectType.maturity_respondent
            or rel.respondent.id != object_id
        ):
            return None
        return Subject(
            title=rel.round.title,
            url=f"/maturity/rounds/{round_id}/answer",
            project_title=rel.organisation.name,
            state=i18n.format_time(rel.round.deadline),
        )

    def subject(
        self, *, project_id: int, object_type: str, object_id: int, kind: str
    ) -> Subject | None:
        """What the notification is about, if the recipient may open it now; else None."""
        rel = self.relation(project_id)
        model, check = MODELS.get(object_type), CHECKS.get(object_type)
        if rel is None or model is None or check is None:
            return None
        row = self.session.get(model, object_id)
        if row is None or _project_of(self.session, object_type, row) != project_id:
            return None
        if not check(rel, row, kind):
            return None
        described = _describe(self.session, object_type, row)
        if described is None:
            return None
        title, url = described
        state = (
            label_for(NeedStatus, row.status)
            if isinstance(row, Need)
            else label_for(ProposalStatus, row.status)
            if isinstance(row, Proposal)
            else ""
        )
        return Subject(title=title, url=url, project_title=rel.project.title, state=state)

    def preload(self, notifications: Sequence[Notification]) -> None:
        """Load what the notifications are about in one query per kind, so that asking of each
        reads from the session instead of the database."""
        ids: dict[str, set[int]] = defaultdict(set)
        rounds: set[int] = set()
        for notification in notifications:
            if notification.maturity_round_id is not None:
                rounds.add(notification.maturity_round_id)
                continue
            ids[notification.object_type].add(notification.object_id)
        if rounds:
            # Only a respondent hears of a round, so these are all the relations that can open one.
            relations = permissions.respondent_relations(self.session, self.user, rounds)
            for round_id in rounds:
                self._rounds[round_id] = relations.get(round_id)
        for object_type, wanted in ids.items():
            model = MODELS.get(object_type)
            if model is not None:
                rows = self.session.exec(select(model).where(col(model.id).in_(wanted))).all()
                self._kept.extend(rows)
                if model is Comment:
                    need_ids = {row.need_id for row in rows}
                    needs = self.session.exec(select(Need).where(col(Need.id).in_(need_ids)))
                    self._kept.extend(needs.all())

    def opens(self, notification: Notification) -> Subject | None:
        """The subject of a stored notification, if its recipient may open it now."""
        if notification.maturity_round_id is not None:
            return self.round_subject(
                round_id=notification.maturity_round_id,
                object_type=notification.object_type,
                object_id=notification.object_id,
                kind=notification.kind,
            )
        if notification.project_id is None:  # pragma: no cover - the check constraint
            return None
        return self.subject(
            project_id=notification.project_id,
            object_type=notification.object_type,
            object_id=notification.object_id,
            kind=notification.kind,
        )
