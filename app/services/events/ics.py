"""Dialogue events as a calendar (iCalendar, RFC 5545) and in order for the exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import DialogueEvent, Project
from app.models.base import id_of
from app.models.event import as_utc


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
