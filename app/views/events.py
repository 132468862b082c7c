"""Dialogue events as they show and update live.

The counts (seats, waitlist, free slots) are the same for every viewer, never names: they go to
the event's page and its project's events page. The event's page shows each reader more, as
their role allows (their own seat, the slot table with its buttons, for procurers who registered
and who booked, the minutes once published), so it is rendered reader by reader, from the same
blocks of `events/detail.html` the page draws, with a polite word on what just changed.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from app.i18n import N_
from app.models import DialogueEvent, User
from app.models.event import EventKind, RegistrationStatus
from app.models.vocabulary import LiveKind
from app.services import events, permissions
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import (
    ProjectRelation,
    ReaderAudience,
    reader_audience,
)
from app.views.templating import render_block, render_fragment

PAGE = "events/detail.html"
# What a change of each kind redraws on the event's page, and the word on it for the viewers.
CHANGES: dict[LiveKind, tuple[tuple[str, ...], str | None]] = {
    LiveKind.event_counts: (("seat", "slots", "registrations"), None),
    LiveKind.event_registered: (
        ("seat", "registrations"),
        N_("Someone has just registered for this event."),
    ),
    LiveKind.event_registration_cancelled: (
        ("seat", "registrations"),
        N_("A registration for this event has just been cancelled."),
    ),
    LiveKind.event_slot_booked: (("slots",), N_("A meeting slot has just been booked.")),
    LiveKind.event_slot_freed: (("slots",), N_("A meeting slot has just become free.")),
    LiveKind.event_slots_made: (("slots",), N_("The meeting slots have just been changed.")),
    LiveKind.event_minutes_published: (("minutes",), N_("The minutes have just been published.")),
}
EVERY_PART = ("seat", "slots", "registrations", "minutes")


def counts_html(counts: events.EventCounts, lang: str, *, oob: bool) -> str:
    """An event's counts (seats, waitlist, free slots): the same for every viewer, never names."""
    return render_fragment("events/_counts.html", lang, counts=counts, oob=oob)


def event_list_context(
    session: Session, rel: ProjectRelation, lang: str, cursor: str | None = None
) -> dict[str, Any]:
    """What the project's events page lists for this viewer: the page and its live pushes (the
    first page of the events, or the one after `cursor`)."""
    page = events.list_page(session, rel=rel, cursor=cursor)
    views = page.views
    return {
        "project": rel.project,
        "rel": rel,
        "views": views,
        "next_cursor": page.next_cursor,
        "counts": {v.event.id: Markup(counts_html(v.counts, lang, oob=False)) for v in views},
        "my_registrations": {v.event.id: v.my_registration for v in views if v.my_registration},
        "EventKind": EventKind,
    }


def events_more_html(session: Session, rel: ProjectRelation, lang: str, cursor: str) -> str:
    """The page of the project's events after `cursor` and the link to the next (htmx puts them
    in place of the link clicked)."""
    context = event_list_context(session, rel, lang, cursor or None)
    return render_block("events/list.html", "event_items", lang, **context)


def events_resync_html(
    session: Session, rel: ProjectRelation, topic: Topic, audience: ReaderAudience
) -> str:
    """Every event's counts on a project's events page, out of band."""
    found = events.project_events(session, project=rel.project)
    counts = events.counts_for(session, events=found)
    return "".join(counts_html(c, audience.lang, oob=True) for c in counts.values())


def event_counts_live(session: Session, rel: ProjectRelation, event_id: int, lang: str) -> str:
    """One event's counts, out of band (nothing for an event of another project)."""
    event = session.get(DialogueEvent, event_id)
    if event is None or event.project_id != rel.project.id:
        return ""
    return counts_html(events.event_counts(session, event=event), lang, oob=True)


def event_context(
    session: Session, rel: ProjectRelation, event: DialogueEvent, lang: str
) -> dict[str, Any]:
    """What the event's page shows this viewer: the page and its live pushes alike."""
    view = events.event_view(session, rel=rel, event=event)
    procurer = permissions.can_see_event_participants(rel)
    one_to_one = event.kind == EventKind.one_to_one
    return {
        "project": rel.project,
        "rel": rel,
        "user": rel.user,
        "view": view,
        "event": event,
        "counts": Markup(counts_html(view.counts, lang, oob=False)),
        "slots": events.list_slots(session, rel=rel, event=event) if one_to_one else [],
        "registrations": events.list_registrations(session, rel=rel, event=event)
        if procurer and not one_to_one
        else [],
        "is_procurer": procurer,
        "can_register": permissions.allows(permissions.ensure_can_register_for_event, rel),
        "can_book": permissions.allows(permissions.ensure_can_book_meeting, rel),
        "EventKind": EventKind,
        "RegistrationStatus": RegistrationStatus,
    }


def event_parts_html(
    session: Session,
    rel: ProjectRelation,
    event_id: int,
    lang: str,
    parts: tuple[str, ...] = EVERY_PART,
    message: str | None = None,
) -> str:
    """The event's counts and the named parts of its page as this reader sees them, out of band,
    with `message` (a msgid) in the page's polite status box ("" for an event out of sight)."""
    event = session.get(DialogueEvent, event_id)
    if event is None or event.project_id != rel.project.id:
        return ""
    context = {**event_context(session, rel, event, lang), "oob": True, "csrf_token": ""}
    conference = event.kind == EventKind.conference
    shown = {
        "seat": conference,
        "slots": not conference,
        "registrations": conference and context["is_procurer"],
        "minutes": True,
    }
    html = counts_html(context["view"].counts, lang, oob=True)
    html += "".join(render_block(PAGE, part, lang, **context) for part in parts if shown[part])
    if message:
        html += render_block(PAGE, "live_announcement", lang, message=message)
    return html


def _event_state(
    session: Session, rel: ProjectRelation, topic: Topic, audience: ReaderAudience
) -> str:
    return event_parts_html(session, rel, topic.id, audience.lang)


def _event_relation(session: Session, user: User | None, event_id: int) -> ProjectRelation:
    """The viewer's relation to the event's project (404 for an event they may not see)."""
    return events.find_event(session, user=user, event_id=event_id)[0]


@renders(PageKind.event, *CHANGES)
def event_changed(
    session: Session,
    rel: ProjectRelation,
    event: LiveEvent,
    topic: Topic,
    audience: ReaderAudience,
) -> str:
    """What changed on the event's page, as this reader may see it, and a word on it."""
    parts, message = CHANGES[LiveKind(event.kind)]
    return event_parts_html(session, rel, topic.id, audience.lang, parts, message)


@renders(PageKind.events, LiveKind.event_created)
def event_planned(
    session: Session,
    rel: ProjectRelation,
    event: LiveEvent,
    topic: Topic,
    audience: ReaderAudience,
) -> str:
    """The project's events again with the new one in its place, and a word on it."""
    context = {**event_list_context(session, rel, audience.lang), "oob": True}
    listed = render_block("events/list.html", "event_list", audience.lang, **context)
    return listed + render_block("events/list.html", "live_event_planned", audience.lang)


@renders(PageKind.events, *CHANGES)
def counts_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: ReaderAudience
) -> str:
    """The event's new counts on its project's events page."""
    return event_counts_live(session, rel, event.object_id, audience.lang)


# Each reader sees their own registrations in the list.
register_page(LivePage(PageKind.events, audience=reader_audience, resync=events_resync_html))
register_page(
    LivePage(
        PageKind.event,
        # Each reader sees the page as their role, company and own seat allow.
        audience=reader_audience,
        resync=_event_state,
        relation=_event_relation,
    )
)
