"""Seats and slots: registering for a conference (with a waitlist), booking a one-to-one meeting.

Taking a seat or a slot locks the event's row so counts and promotions do not race; every act
writes its participation event in the same transaction and pushes the change to the event's
viewers.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.i18n import N_
from app.models import DialogueEvent, EventRegistration, MeetingSlot, SlotBooking, User
from app.models.base import id_of
from app.models.event import EventKind, RegistrationStatus
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, permissions, rows
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid, NotFound
from app.services.events.views import (
    active_registration,
    company_booking,
    event_counts,
    waitlist,
)
from app.services.permissions import ProjectRelation

ALREADY_REGISTERED = N_("You are already registered for this event.")
COMPANY_HAS_BOOKING = N_(
    "Your company has already booked a meeting in this event; each company gets one. Cancel "
    "that booking first if you want another slot."
)
SLOT_TAKEN = N_("This slot is already taken. Choose another one.")


def _locked(session: Session, event: DialogueEvent) -> DialogueEvent:
    """The event row, locked until commit (PostgreSQL) so counts and promotions do not race."""
    query = select(DialogueEvent).where(DialogueEvent.id == event.id).with_for_update()
    return session.exec(query).one()


def register(session: Session, *, rel: ProjectRelation, event: DialogueEvent) -> EventRegistration:
    """Register oneself for a conference: confirmed while there is room, else waitlisted."""
    user = permissions.ensure_can_register_for_event(rel)
    if event.kind != EventKind.conference:
        raise Invalid("One-to-one meetings are booked by choosing a slot, not by registering.")
    event = _locked(session, event)
    if active_registration(session, event, id_of(user)) is not None:
        raise Conflict(ALREADY_REGISTERED)
    counts = event_counts(session, event=event)
    status = RegistrationStatus.waitlisted if counts.full else RegistrationStatus.confirmed
    registration = rows.add_unique(
        session,
        EventRegistration(
            event_id=id_of(event),
            user_id=id_of(user),
            organisation_id=user.organisation_id,
            status=status,
        ),
        conflict=ALREADY_REGISTERED,
    )
    _record_counts(
        session,
        rel,
        event,
        actor=user,
        verb=Verb.registered_for_event,
        push=LiveKind.event_registered,
    )
    return registration


def cancel_registration(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent
) -> EventRegistration:
    """Cancel one's own registration; a freed seat goes to the first in line at once."""
    user = permissions.require_user(rel.user)
    event = _locked(session, event)
    registration = active_registration(session, event, id_of(user))
    if registration is None:
        raise NotFound("You are not registered for this event.")
    registration.status = RegistrationStatus.cancelled
    session.add(registration)
    session.flush()
    _record_counts(
        session,
        rel,
        event,
        actor=user,
        verb=Verb.cancelled_registration,
        push=LiveKind.event_registration_cancelled,
    )
    _promote(session, rel=rel, event=event, actor=user)
    return registration


def _promote(session: Session, *, rel: ProjectRelation, event: DialogueEvent, actor: User) -> None:
    """Move people from the waitlist to confirmed seats while there is room, in order."""
    counts = event_counts(session, event=event)
    room = counts.waitlisted if event.capacity is None else event.capacity - counts.confirmed
    for registration in waitlist(session, event)[: max(room, 0)]:
        registration.status = RegistrationStatus.confirmed
        contribution.record(
            session,
            rel=rel,
            actor=actor,
            on=registration,
            change=Change(
                AuditAction.event_registration_promoted,
                before={"status": RegistrationStatus.waitlisted.value},
                after={"status": RegistrationStatus.confirmed.value},
            ),
        )


def book_slot(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent, slot: MeetingSlot
) -> SlotBooking:
    """Book a slot for one's company: one booking per company per event, one company per slot."""
    user = permissions.ensure_can_book_meeting(rel)
    org_id = user.organisation_id
    assert org_id is not None  # a registered supplier belongs to its company
    event = _locked(session, event)
    if company_booking(session, event, org_id) is not None:
        raise Conflict(COMPANY_HAS_BOOKING)
    taken = session.exec(select(SlotBooking.id).where(SlotBooking.slot_id == slot.id)).first()
    if taken is not None:
        raise Conflict(SLOT_TAKEN)
    booking = rows.add_unique(
        session,
        SlotBooking(
            slot_id=id_of(slot),
            event_id=id_of(event),
            organisation_id=org_id,
            booked_by_id=id_of(user),
        ),
        # Someone got there first: say which rule they hit.
        conflict=lambda: (
            COMPANY_HAS_BOOKING
            if company_booking(session, event, org_id) is not None
            else SLOT_TAKEN
        ),
    )
    _record_counts(
        session,
        rel,
        event,
        actor=user,
        verb=Verb.booked,
        slot=slot,
        push=LiveKind.event_slot_booked,
    )
    return booking


def cancel_booking(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent, slot: MeetingSlot
) -> None:
    """Free a slot: the company that booked it, or the project's procurers."""
    user = permissions.require_user(rel.user)
    booking = session.exec(select(SlotBooking).where(SlotBooking.slot_id == slot.id)).first()
    mine = booking is not None and booking.organisation_id == user.organisation_id
    if booking is None or not (mine or rel.is_procurer):
        # Another company's booking is no more this user's business than a free slot.
        raise NotFound("Your company has not booked this slot.")
    session.delete(booking)
    session.flush()
    _record_counts(
        session,
        rel,
        event,
        actor=user,
        verb=Verb.cancelled_booking,
        slot=slot,
        push=LiveKind.event_slot_freed,
    )


def _record_counts(
    session: Session,
    rel: ProjectRelation,
    event: DialogueEvent,
    *,
    actor: User,
    verb: Verb,
    push: LiveKind,
    slot: MeetingSlot | None = None,
) -> None:
    """A person's act on a seat or a slot: answers the event's planner, moves its counts; `push`
    says what happened, to the event's viewers (who see it as their role may)."""
    contribution.record(
        session,
        rel=rel,
        actor=actor,
        verb=verb,
        on=slot or event,
        addressee=session.get(User, event.created_by_id),
        push=contribution.live_event(push, event, rel.project),
    )
