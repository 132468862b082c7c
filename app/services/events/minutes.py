"""After an event: the procurer writes and publishes the minutes and marks who attended."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from app.models import DialogueEvent, EventRegistration, SlotBooking, User
from app.models.base import utcnow
from app.models.event import EventKind, RegistrationStatus
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid
from app.services.permissions import ProjectRelation


def write_minutes(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent, minutes: str
) -> DialogueEvent:
    """The procurer drafts the minutes (Markdown); published minutes are final."""
    permissions.ensure_can_plan_events(rel)
    if event.minutes_published_at is not None:
        raise Conflict("The minutes are published and can no longer be changed.")
    if not minutes.strip():
        raise Invalid("The minutes cannot be blank.")
    event.minutes = minutes
    session.add(event)
    session.flush()
    return event


def publish_minutes(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent
) -> DialogueEvent:
    """Publish the minutes to every participant and registered supplier at the same moment."""
    permissions.ensure_can_plan_events(rel)
    if event.minutes_published_at is not None:
        raise Conflict("The minutes are already published.")
    if not (event.minutes or "").strip():
        raise Invalid("Write the minutes before publishing them.")
    event.minutes_published_at = utcnow()
    contribution.record(
        session,
        rel=rel,
        verb=Verb.published_minutes,
        on=event,
        change=Change(
            AuditAction.minutes_published,
            before={"minutes_published_at": None},
            after={"minutes_published_at": event.minutes_published_at.isoformat()},
        ),
        push=LiveKind.event_minutes_published,
    )
    return event


def mark_attendance(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent, user_ids: Sequence[int]
) -> list[int]:
    """The procurer marks who came; each newly marked person gets an `attended` event."""
    procurer = permissions.ensure_can_plan_events(rel)
    marked: list[int] = []
    now = utcnow()
    for user_id in dict.fromkeys(user_ids):
        record: EventRegistration | SlotBooking | None
        if event.kind == EventKind.conference:
            record = session.exec(
                select(EventRegistration).where(
                    EventRegistration.event_id == event.id,
                    EventRegistration.user_id == user_id,
                    EventRegistration.status == RegistrationStatus.confirmed,
                )
            ).first()
        else:
            record = session.exec(
                select(SlotBooking).where(
                    SlotBooking.event_id == event.id, SlotBooking.booked_by_id == user_id
                )
            ).first()
        participant = session.get(User, user_id)
        if record is None or participant is None:
            raise Invalid(
                "Only people with a confirmed seat or a booked meeting in this event can be "
                "marked as attended."
            )
        if record.attended_at is not None:
            continue
        record.attended_at = now
        session.add(record)
        contribution.record(
            session,
            rel=rel,
            actor=participant,
            verb=Verb.attended,
            on=event,
            addressee=procurer,
            push=LiveKind.event_counts,  # the other procurers' list of who registered
        )
        marked.append(user_id)
    session.flush()
    return marked
