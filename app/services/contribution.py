"""The one way a change is recorded: its participation event, its audit entry, its live push.

Every write of the platform ends in one call here, inside the caller's transaction, so the three
records commit or roll back with the change they describe:

- the **participation event** (research and figures) when a person took part in the dialogue;
- the **audit entry** when the change belongs to the procurement record (a project's) or to an
  organisation's record of its members;
- the **live event**, delivered to viewers only after the commit.

Nothing else under `app/` calls `participation.record`, `audit.record` or `live.announce`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.models import Organisation, Project, User
from app.models.vocabulary import AuditAction, LiveKind, ObjectType, Verb
from app.services import audit, live, participation
from app.services.live import LiveEvent


@dataclass(frozen=True)
class Change:
    """An audited change: what was decided, the state before and after, and why."""

    action: AuditAction
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    rationale: str | None = None
    # What the entry is about when that is not the act's subject: a phase move is recorded as
    # an act on the move, and as a decision on the project's record.
    about: tuple[ObjectType, int] | None = None


def record(
    session: Session,
    *,
    actor: User,
    project: Project,
    subject: ObjectType,
    subject_id: int,
    verb: Verb | None = None,
    addressee: User | None = None,
    phase: str | None = None,
    change: Change | None = None,
    push: LiveEvent | Sequence[LiveEvent] = (),
) -> None:
    """Record a change to a project: participation event, audit entry and live push, as given.

    `verb` is the act as the participation log keeps it (none for a change that is not an act of
    participation, such as a saved draft); `addressee` the person it answers; `phase` the phase
    the act belongs to when it moves the phase itself; `change` the audit entry; `push` the live
    event or events to deliver after the commit.
    """
    if change is not None:
        object_type, object_id = change.about or (subject, subject_id)
        audit.record(
            session,
            actor=actor,
            project=project,
            action=change.action,
            object_type=object_type,
            object_id=object_id,
            before=change.before,
            after=change.after,
            rationale=change.rationale,
        )
    if verb is not None:
        participation.record(
            session,
            actor=actor,
            project=project,
            verb=verb,
            object_type=subject,
            object_id=subject_id,
            addressee=addressee,
            phase=phase,
        )
    _push(session, push)


def record_for_organisation(
    session: Session,
    *,
    actor: User,
    organisation: Organisation,
    subject: ObjectType,
    subject_id: int,
    change: Change,
    push: LiveEvent | Sequence[LiveEvent] = (),
) -> None:
    """Record a decision on an organisation's record (members, domains, invitations)."""
    audit.record(
        session,
        actor=actor,
        organisation=organisation,
        action=change.action,
        object_type=subject,
        object_id=subject_id,
        before=change.before,
        after=change.after,
        rationale=change.rationale,
    )
    _push(session, push)


def access_changed(session: Session, *, user_id: int) -> None:
    """After the commit, close the person's sockets so they reconnect under their new access."""
    _push(session, LiveEvent(kind=LiveKind.access_changed, object_id=user_id, project_id=0))


def session_ended(session: Session, *, login_session_id: int) -> None:
    """After the commit, close every socket the ended login session opened, in every process."""
    _push(session, LiveEvent(kind=LiveKind.session_ended, object_id=login_session_id, project_id=0))


def push(session: Session, event: LiveEvent | Sequence[LiveEvent]) -> None:
    """Deliver a live event after the commit, for a change with nothing to log (rare)."""
    _push(session, event)


def _push(session: Session, events: LiveEvent | Sequence[LiveEvent]) -> None:
    for event in [events] if isinstance(events, LiveEvent) else events:
        live.announce(session, event)
