"""Planning dialogue events: a procurer creates one and cuts a one-to-one event into slots."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.models import DialogueEvent, MeetingSlot, SlotBooking
from app.models.base import id_of
from app.models.event import DialogueEventCreate, EventKind, as_utc
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid
from app.services.permissions import ProjectRelation

MAX_SLOTS = 200


def create_event(
    session: Session, *, rel: ProjectRelation, data: DialogueEventCreate
) -> DialogueEvent:
    """A procurer plans a conference or a round of one-to-one meetings."""
    user = permissions.ensure_can_plan_events(rel)
    permissions.ensure_phase_allows(rel, permissions.DialogueAction.plan_event)
    event = DialogueEvent(
        **data.model_dump(), project_id=id_of(rel.project), created_by_id=id_of(user)
    )
    contribution.record(
        session,
        rel=rel,
        verb=Verb.planned_event,
        on=event,
        change=Change(AuditAction.event_created, before=None, after=_event_state(event)),
        push=LiveKind.event_created,
    )
    return event


def generate_slots(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent, slot_minutes: int | None
) -> list[MeetingSlot]:
    """Cut a one-to-one event into equal slots, replacing the old ones while none is booked."""
    permissions.ensure_can_plan_events(rel)
    if event.kind != EventKind.one_to_one:
        raise Invalid("Only one-to-one events have meeting slots.")
    minutes = slot_minutes or event.slot_minutes
    if not minutes:
        raise Invalid("Give a slot length in minutes.")
    booked = session.exec(select(SlotBooking.id).where(SlotBooking.event_id == event.id)).first()
    if booked is not None:
        raise Conflict(
            "The slots cannot be changed after a supplier has booked one; cancel the bookings "
            "first."
        )
    starts, ends = as_utc(event.starts_at), as_utc(event.ends_at)
    length = timedelta(minutes=minutes)
    number = int((ends - starts) / length)
    if number < 1:
        raise Invalid("The event is shorter than one slot.")
    if number > MAX_SLOTS:
        raise Invalid(
            "That would make %(count)s slots; at most %(max)s are allowed.",
            count=number,
            max=MAX_SLOTS,
        )
    old = session.exec(select(MeetingSlot).where(MeetingSlot.event_id == event.id)).all()
    before = {"slot_minutes": event.slot_minutes, "slots": len(old)}
    for slot in old:
        session.delete(slot)
    session.flush()
    slots = [
        MeetingSlot(
            event_id=id_of(event), starts_at=starts + i * length, ends_at=starts + (i + 1) * length
        )
        for i in range(number)
    ]
    session.add_all(slots)
    event.slot_minutes = minutes
    contribution.record(
        session,
        rel=rel,
        on=event,
        change=Change(
            AuditAction.meeting_slots_generated,
            before=before,
            after={"slot_minutes": minutes, "slots": number},
        ),
        push=LiveKind.event_slots_made,
    )
    return slots


def _event_state(event: DialogueEvent) -> dict[str, object]:
    return {
        "kind": str(event.kind),
        "title": event.title,
        "starts_at": as_utc(event.starts_at).isoformat(),
        "ends_at": as_utc(event.ends_at).isoformat(),
        "capacity": event.capacity,
        "slot_minutes": event.slot_minutes,
    }
