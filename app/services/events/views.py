"""What viewers see of dialogue events: counts (never names), their own place, the lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Exists, exists, func
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import (
    DialogueEvent,
    EventRegistration,
    MeetingSlot,
    Organisation,
    SlotBooking,
    User,
)
from app.models.base import id_of
from app.models.event import (
    DialogueEventPublic,
    EventKind,
    EventRegistrationPublic,
    RegistrationStatus,
    SlotPublic,
    as_utc,
)
from app.services import cursors, permissions
from app.services.errors import Forbidden, NotFound
from app.services.permissions import ProjectRelation

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


def find_event(
    session: Session, *, user: User | None, event_id: int
) -> tuple[ProjectRelation, DialogueEvent]:
    """An event and the viewer's relation to its project; 404 when either is out of sight."""
    event, rel = permissions.find_in_project(
        session, user, DialogueEvent, event_id, missing=N_("No such event.")
    )
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


def active_registration(
    session: Session, event: DialogueEvent, user_id: int
) -> EventRegistration | None:
    """The person's confirmed or waitlisted registration for the event, if any."""
    query = select(EventRegistration).where(
        EventRegistration.event_id == event.id,
        EventRegistration.user_id == user_id,
        col(EventRegistration.status).in_(ACTIVE),
    )
    return session.exec(query).first()


def waitlist(session: Session, event: DialogueEvent) -> list[EventRegistration]:
    """The event's waitlisted registrations in the order they came."""
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
    ids = [r.id for r in waitlist(session, event)]
    return ids.index(registration.id) + 1


def company_booking(
    session: Session, event: DialogueEvent, organisation_id: int | None
) -> SlotBooking | None:
    """The company's one booking in the event, if it has made it."""
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
    if active_registration(session, event, user.id) is not None:
        return True
    return company_booking(session, event, user.organisation_id) is not None


@dataclass
class OwnPlaces:
    """The viewer's own registrations (with waitlist positions) and company bookings, by event."""

    registrations: dict[int, EventRegistration]
    positions: dict[int, int]
    slot_ids: dict[int, int]


def own_places(
    session: Session, *, rel: ProjectRelation, events: Sequence[DialogueEvent]
) -> OwnPlaces:
    """The viewer's places in these events, in three queries at most whatever their number."""
    places = OwnPlaces(registrations={}, positions={}, slot_ids={})
    user = rel.user
    ids = [id_of(e) for e in events]
    # Nobody's places on a page shared by an audience (its own parts come per request).
    if not isinstance(user, User) or user.id is None or not ids:
        return places
    for registration in session.exec(
        select(EventRegistration).where(
            col(EventRegistration.event_id).in_(ids),
            EventRegistration.user_id == user.id,
            col(EventRegistration.status).in_(ACTIVE),
        )
    ).all():
        places.registrations[registration.event_id] = registration
    waiting = [
        r.event_id
        for r in places.registrations.values()
        if r.status == RegistrationStatus.waitlisted
    ]
    if waiting:
        line: dict[int, list[int]] = {}
        for event_id, registration_id in session.exec(
            select(EventRegistration.event_id, EventRegistration.id)
            .where(
                col(EventRegistration.event_id).in_(waiting),
                EventRegistration.status == RegistrationStatus.waitlisted,
            )
            .order_by(col(EventRegistration.registered_at), col(EventRegistration.id))
        ).all():
            line.setdefault(event_id, []).append(_stored_id(registration_id))
        for event_id in waiting:
            own = places.registrations[event_id].id
            places.positions[event_id] = line[event_id].index(_stored_id(own)) + 1
    if user.organisation_id is not None:
        places.slot_ids = {
            event_id: slot_id
            for event_id, slot_id in session.exec(
                select(SlotBooking.event_id, SlotBooking.slot_id).where(
                    col(SlotBooking.event_id).in_(ids),
                    SlotBooking.organisation_id == user.organisation_id,
                )
            ).all()
        }
    return places


def registrations_in_project(
    session: Session, *, rel: ProjectRelation
) -> dict[int, EventRegistration]:
    """The person's active registrations for the project's events, by event id (one query)."""
    if rel.user is None:
        return {}
    query = (
        select(EventRegistration)
        .join(DialogueEvent, col(DialogueEvent.id) == col(EventRegistration.event_id))
        .where(*_active_in(id_of(rel.user), id_of(rel.project)))
    )
    return {registration.event_id: registration for registration in session.exec(query).all()}


def registered_in_project(user: ColumnElement[int], project: ColumnElement[int]) -> Exists:
    """Whether the person has an active registration for any of the project's events (SQL)."""
    return exists().where(
        col(DialogueEvent.id) == col(EventRegistration.event_id), *_active_in(user, project)
    )


def _active_in(
    user: ColumnElement[int] | int, project: ColumnElement[int] | int
) -> tuple[ColumnElement[bool], ...]:
    return (
        col(DialogueEvent.project_id) == project,
        col(EventRegistration.user_id) == user,
        col(EventRegistration.status).in_(ACTIVE),
    )


def _stored_id(value: int | None) -> int:
    """A stored row's id (never None once stored)."""
    assert value is not None
    return value


def _view(
    rel: ProjectRelation, event: DialogueEvent, counts: EventCounts, places: OwnPlaces
) -> EventView:
    event_id = id_of(event)
    view = EventView(event=event, counts=counts)
    view.my_registration = places.registrations.get(event_id)
    view.my_waitlist_position = places.positions.get(event_id)
    view.my_slot_id = places.slot_ids.get(event_id)
    participant = view.my_registration is not None or event_id in places.slot_ids
    view.minutes_visible = permissions.can_read_minutes(rel, participant=participant)
    return view


def event_view(session: Session, *, rel: ProjectRelation, event: DialogueEvent) -> EventView:
    """One event with its counts and the viewer's own registration or booking."""
    places = own_places(session, rel=rel, events=[event])
    return _view(rel, event, event_counts(session, event=event), places)


IN_ORDER = (col(DialogueEvent.starts_at), col(DialogueEvent.id))
PAGE_SIZE = 50  # events per page of the events page


def list_events(session: Session, *, rel: ProjectRelation) -> list[EventView]:
    """The project's events in the order they happen."""
    query = select(DialogueEvent).where(DialogueEvent.project_id == rel.project.id)
    events = list(session.exec(query.order_by(*IN_ORDER)).all())
    counts = counts_for(session, events=events)
    places = own_places(session, rel=rel, events=events)
    return [_view(rel, e, counts[id_of(e)], places) for e in events]


@dataclass
class EventPage:
    """One page of a project's events and where the next one starts."""

    views: list[EventView]
    next_cursor: str | None


def list_page(
    session: Session, *, rel: ProjectRelation, cursor: str | None = None, limit: int = PAGE_SIZE
) -> EventPage:
    """A page of the project's events in the order they happen, after `cursor` (422 for a
    cursor this server did not make): a fixed number of queries whatever their number."""
    conditions: list[Any] = [DialogueEvent.project_id == rel.project.id]
    if cursor:
        starts, event_id = col(DialogueEvent.starts_at), col(DialogueEvent.id)
        conditions.append(cursors.past(cursor, starts, event_id, newest_first=False))
    query = select(DialogueEvent).where(*conditions).order_by(*IN_ORDER).limit(limit + 1)
    found = list(session.exec(query).all())
    events = found[:limit]
    next_cursor = None
    if len(found) > limit:
        next_cursor = cursors.encode(as_utc(events[-1].starts_at), id_of(events[-1]))
    counts = counts_for(session, events=events)
    places = own_places(session, rel=rel, events=events)
    views = [_view(rel, e, counts[id_of(e)], places) for e in events]
    return EventPage(views=views, next_cursor=next_cursor)


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
