"""Dialogue events' counts (seats, waitlist, free slots) as they show and update live.

The same for every viewer, never names: an event's counts go to its page and its project's
events page, and nowhere else.
"""

from __future__ import annotations

from sqlmodel import Session

from app.models import DialogueEvent, User
from app.models.vocabulary import LiveKind
from app.services import events
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import Audience, ProjectRelation, audience_for
from app.views.templating import render_fragment

EVENT_KINDS = (LiveKind.event_created, LiveKind.event_counts, LiveKind.event_minutes_published)


def counts_html(counts: events.EventCounts, lang: str, *, oob: bool) -> str:
    """An event's counts (seats, waitlist, free slots): the same for every viewer, never names."""
    return render_fragment("events/_counts.html", lang, counts=counts, oob=oob)


def events_resync_html(
    session: Session, rel: ProjectRelation, topic: Topic, audience: Audience
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


def _event_state(session: Session, rel: ProjectRelation, topic: Topic, audience: Audience) -> str:
    return event_counts_live(session, rel, topic.id, audience.lang)


def _event_relation(session: Session, user: User | None, event_id: int) -> ProjectRelation:
    """The viewer's relation to the event's project (404 for an event they may not see)."""
    return events.find_event(session, user=user, event_id=event_id)[0]


@renders(PageKind.events, *EVENT_KINDS)
@renders(PageKind.event, *EVENT_KINDS)
def counts_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """The event's new counts, on its page and on its project's events page."""
    return event_counts_live(session, rel, event.object_id, audience.lang)


register_page(LivePage(PageKind.events, audience=audience_for, resync=events_resync_html))
register_page(
    LivePage(PageKind.event, audience=audience_for, resync=_event_state, relation=_event_relation)
)
