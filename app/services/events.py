"""Dialogue events: conferences with capacity and waitlist, one-to-one meetings, minutes, ICS.

Every change checks the policy, writes its participation event (and audit entry for decisions)
in the same transaction, and announces new counts (never names) to the event's viewers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import get_settings
from app.i18n import N_
from app.models import (
    DialogueEvent,
    EventRegistration,
    MeetingSlot,
    Organisation,
    Project,
    SlotBooking,
    User,
)
from app.models.base import id_of, utcnow
from app.models.event import (
    DialogueEventCreate,
    DialogueEventPublic,
    EventKind,
    EventRegistrationPublic,
    RegistrationStatus,
    SlotPublic,
    as_utc,
)
from app.services import audit, participation, permissions
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.live import LiveEvent, announce
from app.services.permissions import ProjectRelation

MAX_SLOTS = 200
ALREADY_REGISTERED = N_("You are already registered for this event.")
COMPANY_HAS_BOOKING = N_(
    "Your company has already booked a meeting in this event; each company gets one. Cancel "
    "that booking first if you want another slot."
)
SLOT_TAKEN = N_("This slot is already taken. Choose another one.")
ACTIVE = (RegistrationStatus.confirmed, RegistrationStatus.waitlisted)


@dataclass(frozen=True)
class EventCounts:
    """What everyone who may view the project may know about an event: numbers, never names."""

    event_id: int
    kind: EventKind
    capacity: int | None
    confirmed: int = 0
    waitlisted: int = 0
    slots: int = 0
    free_slots: int = 0

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity


@dataclass
class EventView:
    """An event as this viewer may see it."""

    event: DialogueEvent
    counts: EventCounts
    my_registration: EventRegistration | None = None
    my_waitlist_position: int | None = None
    my_slot_id: int | None = None
    minutes_visible: bool = False

    @property
    def minutes_published(self) -> bool:
        return self.event.minutes_published_at is not None

    def to_public(self) -> DialogueEventPublic:
        """The API view."""
        event, counts = self.event, self.counts
        shown = self.minutes_published and self.minutes_visible
        return DialogueEventPublic.model_validate(
            event,
            update={
                "starts_at": as_utc(event.starts_at),
                "ends_at": as_utc(event.ends_at),
                "confirmed_count": counts.confirmed,
                "waitlist_count": counts.waitlisted,
                "slot_count": counts.slots,
                "free_slot_count": counts.free_slots,
                "minutes_published": self.minutes_published,
                "minutes": event.minutes if shown else None,
                "my_status": self.my_registration.status if self.my_registration else None,
                "my_waitlist_position": self.my_waitlist_position,
                "my_slot_id": self.my_slot_id,
            },
        )


# ---- reading -----------------------------------------------------------------------------------


def find_event(
    session: Session, *, user: User | None, event_id: int
) -> tuple[ProjectRelation, DialogueEvent]:
    """An event and the viewer's relation to its project; 404 when either is out of sight."""
    event = session.get(DialogueEvent, event_id)
    if event is None:
        raise NotFound("No such event.")
    rel = permissions.viewable_project(session, user, event.project_id)
    return rel, event


def find_slot(
    session: Session, *, user: User | None, slot_id: int
) -> tuple[ProjectRelation, DialogueEvent, MeetingSlot]:
    """A meeting slot with its event and the viewer's relation; 404 when out of sight."""
    slot = session.get(MeetingSlot, slot_id)
    if slot is None:
        raise NotFound("No such meeting slot.")
    rel, event = find_event(session, user=user, event_id=slot.event_id)
    return rel, event, slot


def counts_for(session: Session, *, events: Sequence[DialogueEvent]) -> dict[int, EventCounts]:
    """Registration and slot counts of several events, in two queries."""
    ids = [id_of(e) for e in events]
    if not ids:
        return {}
    registrations: dict[tuple[int, str], int] = {}
    query = (
        select(EventRegistration.event_id, EventRegistration.status, func.count())
        .where(col(EventRegistration.event_id).in_(ids))
        .group_by(col(EventRegistration.event_id), col(EventRegistration.status))
    )
    for event_id, status, number in session.exec(query).all():
        registrations[(event_id, status)] = number
    slots = dict(
        session.exec(
            select(MeetingSlot.event_id, func.count())
            .where(col(MeetingSlot.event_id).in_(ids))
            .group_by(col(MeetingSlot.event_id))
        ).all()
    )
    booked = dict(
        session.exec(
            select(SlotBooking.event_id, func.count())
            .where(col(SlotBooking.event_id).in_(ids))
            .group_by(col(SlotBooking.event_id))
        ).all()
    )
    return {
        id_of(e): EventCounts(
            event_id=id_of(e),
            kind=e.kind,
            capacity=e.capacity,
            confirmed=registrations.get((id_of(e), RegistrationStatus.confirmed), 0),
            waitlisted=registrations.get((id_of(e), RegistrationStatus.waitlisted), 0),
            slots=slots.get(id_of(e), 0),
            free_slots=slots.get(id_of(e), 0) - booked.get(id_of(e), 0),
        )
        for e in events
    }


def event_counts(session: Session, *, event: DialogueEvent) -> EventCounts:
    """The counts of one event."""
    return counts_for(session, events=[event])[id_of(event)]


def _active_registration(
    session: Session, event: DialogueEvent, user_id: int
) -> EventRegistration | None:
    query = select(EventRegistration).where(
        EventRegistration.event_id == event.id,
        EventRegistration.user_id == user_id,
        col(EventRegistration.status).in_(ACTIVE),
    )
    return session.exec(query).first()


def _waitlist(session: Session, event: DialogueEvent) -> list[EventRegistration]:
    query = (
        select(EventRegistration)
        .where(
            EventRegistration.event_id == event.id,
            EventRegistration.status == RegistrationStatus.waitlisted,
        )
        .order_by(col(EventRegistration.registered_at), col(EventRegistration.id))
    )
    return list(session.exec(query).all())


def waitlist_position(session: Session, *, registration: EventRegistration) -> int | None:
    """Where a waitlisted registration stands in line (1 is next), else None."""
    if registration.status != RegistrationStatus.waitlisted:
        return None
    event = session.get(DialogueEvent, registration.event_id)
    assert event is not None  # foreign key
    ids = [r.id for r in _waitlist(session, event)]
    return ids.index(registration.id) + 1


def _company_booking(
    session: Session, event: DialogueEvent, organisation_id: int | None
) -> SlotBooking | None:
    if organisation_id is None:
        return None
    query = select(SlotBooking).where(
        SlotBooking.event_id == event.id, SlotBooking.organisation_id == organisation_id
    )
    return session.exec(query).first()


def is_participant(session: Session, *, rel: ProjectRelation, event: DialogueEvent) -> bool:
    """Whether the viewer takes part: an active registration, or a slot booked by the company."""
    user = rel.user
    if user is None or user.id is None:
        return False
    if _active_registration(session, event, user.id) is not None:
        return True
    return _company_booking(session, event, user.organisation_id) is not None


def _view(
    session: Session, rel: ProjectRelation, event: DialogueEvent, counts: EventCounts
) -> EventView:
    view = EventView(event=event, counts=counts)
    user = rel.user
    participant = False
    if user is not None and user.id is not None:
        view.my_registration = _active_registration(session, event, user.id)
        if view.my_registration is not None:
            participant = True
            view.my_waitlist_position = waitlist_position(
                session, registration=view.my_registration
            )
        booking = _company_booking(session, event, user.organisation_id)
        if booking is not None:
            participant = True
            view.my_slot_id = booking.slot_id
    view.minutes_visible = permissions.can_read_minutes(rel, participant=participant)
    return view


def event_view(session: Session, *, rel: ProjectRelation, event: DialogueEvent) -> EventView:
    """One event with its counts and the viewer's own registration or booking."""
    return _view(session, rel, event, event_counts(session, event=event))


def list_events(session: Session, *, rel: ProjectRelation) -> list[EventView]:
    """The project's events in the order they happen."""
    query = (
        select(DialogueEvent)
        .where(DialogueEvent.project_id == rel.project.id)
        .order_by(col(DialogueEvent.starts_at), col(DialogueEvent.id))
    )
    events = list(session.exec(query).all())
    counts = counts_for(session, events=events)
    return [_view(session, rel, e, counts[id_of(e)]) for e in events]


def list_registrations(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent
) -> list[EventRegistrationPublic]:
    """Everyone registered, confirmed first then the waitlist in order (procurers only)."""
    if not permissions.can_see_event_participants(rel):
        raise Forbidden("Only the project's procurers can see who registered for an event.")
    query = (
        select(EventRegistration, User.display_name, Organisation.name)
        .join(User, col(User.id) == EventRegistration.user_id)
        .join(
            Organisation,
            col(Organisation.id) == EventRegistration.organisation_id,
            isouter=True,
        )
        .where(EventRegistration.event_id == event.id)
        .order_by(col(EventRegistration.registered_at), col(EventRegistration.id))
    )
    shown: list[EventRegistrationPublic] = []
    position = 0
    for registration, name, org_name in session.exec(query).all():
        waiting = registration.status == RegistrationStatus.waitlisted
        position += waiting
        shown.append(
            EventRegistrationPublic.model_validate(
                registration,
                update={
                    "name": name,
                    "organisation_name": org_name,
                    "waitlist_position": position if waiting else None,
                    "attended": registration.attended_at is not None,
                },
            )
        )
    order = {RegistrationStatus.confirmed: 0, RegistrationStatus.waitlisted: 1}
    return sorted(shown, key=lambda r: order.get(r.status, 2))


def list_slots(session: Session, *, rel: ProjectRelation, event: DialogueEvent) -> list[SlotPublic]:
    """The event's slots: free or taken for all; the company only to procurers and itself."""
    query = (
        select(MeetingSlot, SlotBooking, Organisation.name, User.display_name)
        .join(SlotBooking, col(SlotBooking.slot_id) == MeetingSlot.id, isouter=True)
        .join(Organisation, col(Organisation.id) == SlotBooking.organisation_id, isouter=True)
        .join(User, col(User.id) == SlotBooking.booked_by_id, isouter=True)
        .where(MeetingSlot.event_id == event.id)
        .order_by(col(MeetingSlot.starts_at))
    )
    own_org = rel.user.organisation_id if rel.user else None
    procurer = permissions.can_see_event_participants(rel)
    slots = []
    for slot, booking, org_name, booked_by in session.exec(query).all():
        mine = booking is not None and own_org is not None and booking.organisation_id == own_org
        named = booking is not None and (procurer or mine)
        slots.append(
            SlotPublic(
                id=id_of(slot),
                event_id=slot.event_id,
                starts_at=as_utc(slot.starts_at),
                ends_at=as_utc(slot.ends_at),
                booked=booking is not None,
                mine=mine,
                organisation_id=booking.organisation_id if named and booking else None,
                organisation_name=org_name if named else None,
                booked_by=booked_by if named else None,
            )
        )
    return slots


# ---- planning ----------------------------------------------------------------------------------


def create_event(
    session: Session, *, rel: ProjectRelation, data: DialogueEventCreate
) -> DialogueEvent:
    """A procurer plans a conference or a round of one-to-one meetings."""
    user = permissions.ensure_can_plan_events(rel)
    permissions.ensure_phase_allows(rel, permissions.DialogueAction.plan_event)
    event = DialogueEvent(
        **data.model_dump(), project_id=id_of(rel.project), created_by_id=id_of(user)
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=user,
        project=rel.project,
        action="event_created",
        object_type="dialogue_event",
        object_id=id_of(event),
        before=None,
        after=_event_state(event),
    )
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="planned_event",
        object_type="dialogue_event",
        object_id=id_of(event),
    )
    _announce(session, event, "event.created")
    return event


def generate_slots(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent, slot_minutes: int | None
) -> list[MeetingSlot]:
    """Cut a one-to-one event into equal slots, replacing the old ones while none is booked."""
    user = permissions.ensure_can_plan_events(rel)
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
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=user,
        project=rel.project,
        action="meeting_slots_generated",
        object_type="dialogue_event",
        object_id=id_of(event),
        before=before,
        after={"slot_minutes": minutes, "slots": number},
    )
    _announce(session, event, "event.counts")
    return slots


# ---- conference registration -------------------------------------------------------------------


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
    if _active_registration(session, event, id_of(user)) is not None:
        raise Conflict(ALREADY_REGISTERED)
    counts = event_counts(session, event=event)
    status = RegistrationStatus.waitlisted if counts.full else RegistrationStatus.confirmed
    registration = EventRegistration(
        event_id=id_of(event),
        user_id=id_of(user),
        organisation_id=user.organisation_id,
        status=status,
    )
    try:
        with session.begin_nested():
            session.add(registration)
    except IntegrityError:
        raise Conflict(ALREADY_REGISTERED) from None
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="registered_for_event",
        object_type="dialogue_event",
        object_id=id_of(event),
        addressee=session.get(User, event.created_by_id),
    )
    _announce(session, event, "event.counts")
    return registration


def cancel_registration(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent
) -> EventRegistration:
    """Cancel one's own registration; a freed seat goes to the first in line at once."""
    user = permissions.require_user(rel.user)
    event = _locked(session, event)
    registration = _active_registration(session, event, id_of(user))
    if registration is None:
        raise NotFound("You are not registered for this event.")
    registration.status = RegistrationStatus.cancelled
    session.add(registration)
    session.flush()
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="cancelled_registration",
        object_type="dialogue_event",
        object_id=id_of(event),
        addressee=session.get(User, event.created_by_id),
    )
    _promote(session, rel=rel, event=event, actor=user)
    _announce(session, event, "event.counts")
    return registration


def _promote(session: Session, *, rel: ProjectRelation, event: DialogueEvent, actor: User) -> None:
    """Move people from the waitlist to confirmed seats while there is room, in order."""
    counts = event_counts(session, event=event)
    room = counts.waitlisted if event.capacity is None else event.capacity - counts.confirmed
    for registration in _waitlist(session, event)[: max(room, 0)]:
        registration.status = RegistrationStatus.confirmed
        session.add(registration)
        audit.record(
            session,
            actor=actor,
            project=rel.project,
            action="event_registration_promoted",
            object_type="event_registration",
            object_id=id_of(registration),
            before={"status": RegistrationStatus.waitlisted.value},
            after={"status": RegistrationStatus.confirmed.value},
        )


# ---- one-to-one bookings -----------------------------------------------------------------------


def book_slot(
    session: Session, *, rel: ProjectRelation, event: DialogueEvent, slot: MeetingSlot
) -> SlotBooking:
    """Book a slot for one's company: one booking per company per event, one company per slot."""
    user = permissions.ensure_can_book_meeting(rel)
    org_id = user.organisation_id
    assert org_id is not None  # a registered supplier belongs to its company
    event = _locked(session, event)
    if _company_booking(session, event, org_id) is not None:
        raise Conflict(COMPANY_HAS_BOOKING)
    taken = session.exec(select(SlotBooking.id).where(SlotBooking.slot_id == slot.id)).first()
    if taken is not None:
        raise Conflict(SLOT_TAKEN)
    booking = SlotBooking(
        slot_id=id_of(slot), event_id=id_of(event), organisation_id=org_id, booked_by_id=id_of(user)
    )
    try:
        with session.begin_nested():
            session.add(booking)
    except IntegrityError:
        # Someone got there first: say which rule they hit.
        if _company_booking(session, event, org_id) is not None:
            raise Conflict(COMPANY_HAS_BOOKING) from None
        raise Conflict(SLOT_TAKEN) from None
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="booked",
        object_type="meeting_slot",
        object_id=id_of(slot),
        addressee=session.get(User, event.created_by_id),
    )
    _announce(session, event, "event.counts")
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
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="cancelled_booking",
        object_type="meeting_slot",
        object_id=id_of(slot),
        addressee=session.get(User, event.created_by_id),
    )
    _announce(session, event, "event.counts")


# ---- minutes and attendance --------------------------------------------------------------------


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
    user = permissions.ensure_can_plan_events(rel)
    if event.minutes_published_at is not None:
        raise Conflict("The minutes are already published.")
    if not (event.minutes or "").strip():
        raise Invalid("Write the minutes before publishing them.")
    event.minutes_published_at = utcnow()
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=user,
        project=rel.project,
        action="minutes_published",
        object_type="dialogue_event",
        object_id=id_of(event),
        before={"minutes_published_at": None},
        after={"minutes_published_at": event.minutes_published_at.isoformat()},
    )
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="published_minutes",
        object_type="dialogue_event",
        object_id=id_of(event),
    )
    _announce(session, event, "event.minutes_published")
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
        participation.record(
            session,
            actor=participant,
            project=rel.project,
            verb="attended",
            object_type="dialogue_event",
            object_id=id_of(event),
            addressee=procurer,
        )
        marked.append(user_id)
    session.flush()
    return marked


# ---- calendar ----------------------------------------------------------------------------------


def _host() -> str:
    return urlsplit(get_settings().base_url).hostname or "pivotal"


def event_uid(event: DialogueEvent) -> str:
    """The event's calendar UID: stable, so a re-import updates instead of duplicating."""
    return f"dialogue-event-{id_of(event)}@{_host()}"


def calendar(events: Sequence[DialogueEvent], *, name: str) -> bytes:
    """An iCalendar (RFC 5545) file with the events, times in UTC."""
    base = get_settings().base_url.rstrip("/")
    cal = Calendar()
    cal.add("prodid", "-//Pivotal//Dialogue events//NB")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", event_uid(event))
        entry.add("dtstamp", _last_change(event))
        entry.add("dtstart", as_utc(event.starts_at))
        entry.add("dtend", as_utc(event.ends_at))
        entry.add("summary", event.title)
        if event.description:
            entry.add("description", event.description)
        entry.add("location", event.location)
        entry.add("url", f"{base}/events/{id_of(event)}")
        cal.add_component(entry)
    return cal.to_ical()


def _last_change(event: DialogueEvent) -> datetime:
    moments = [as_utc(event.created_at)]
    if event.minutes_published_at is not None:
        moments.append(as_utc(event.minutes_published_at))
    return max(moments)


def project_events(session: Session, *, project: Project) -> list[DialogueEvent]:
    """All of a project's events in order (for the calendar and the OCDS export)."""
    query = (
        select(DialogueEvent)
        .where(DialogueEvent.project_id == project.id)
        .order_by(col(DialogueEvent.starts_at), col(DialogueEvent.id))
    )
    return list(session.exec(query).all())


# ---- helpers -----------------------------------------------------------------------------------


def _event_state(event: DialogueEvent) -> dict[str, object]:
    return {
        "kind": str(event.kind),
        "title": event.title,
        "starts_at": as_utc(event.starts_at).isoformat(),
        "ends_at": as_utc(event.ends_at).isoformat(),
        "capacity": event.capacity,
        "slot_minutes": event.slot_minutes,
    }


def _announce(session: Session, event: DialogueEvent, kind: str) -> None:
    """New counts for the event page and the project's events page (never who)."""
    announce(
        session,
        LiveEvent(
            kind,
            id_of(event),
            event.project_id,
            extra_topics=(f"event:{id_of(event)}", f"events:{event.project_id}"),
        ),
    )
