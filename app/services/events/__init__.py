"""Dialogue events: conferences with capacity and waitlist, one-to-one meetings, minutes, ICS.

Every change checks the policy and records its participation event (and audit entry for
decisions) through `contribution` in the same transaction, pushing new counts (never names) to
the event's viewers. The modules, by job:

- `views`: what viewers see (counts, their own seat or slot, the lists);
- `planning`: a procurer plans an event and cuts it into meeting slots;
- `seats`: registering for a conference, booking a one-to-one meeting, and undoing either;
- `minutes`: the minutes and who attended;
- `ics`: the calendar file and the project's events in order.
"""

from app.services.events.ics import calendar, event_uid, project_events
from app.services.events.minutes import mark_attendance, publish_minutes, write_minutes
from app.services.events.planning import MAX_SLOTS, create_event, generate_slots
from app.services.events.seats import (
    ALREADY_REGISTERED,
    COMPANY_HAS_BOOKING,
    SLOT_TAKEN,
    book_slot,
    cancel_booking,
    cancel_registration,
    register,
)
from app.services.events.views import (
    ACTIVE,
    PAGE_SIZE,
    EventCounts,
    EventPage,
    EventView,
    counts_for,
    event_counts,
    event_view,
    find_event,
    find_slot,
    is_participant,
    list_events,
    list_page,
    list_registrations,
    list_slots,
    registered_in_project,
    registrations_in_project,
    waitlist_position,
)

__all__ = [
    "ACTIVE",
    "ALREADY_REGISTERED",
    "COMPANY_HAS_BOOKING",
    "MAX_SLOTS",
    "PAGE_SIZE",
    "SLOT_TAKEN",
    "EventCounts",
    "EventPage",
    "EventView",
    "book_slot",
    "calendar",
    "cancel_booking",
    "cancel_registration",
    "counts_for",
    "create_event",
    "event_counts",
    "event_uid",
    "event_view",
    "find_event",
    "find_slot",
    "generate_slots",
    "is_participant",
    "list_events",
    "list_page",
    "list_registrations",
    "list_slots",
    "mark_attendance",
    "project_events",
    "publish_minutes",
    "register",
    "registered_in_project",
    "registrations_in_project",
    "waitlist_position",
    "write_minutes",
]
