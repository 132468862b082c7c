"""The live registry: each domain registers what its pages show live; the hub asks it.

A page kind registers once how a socket on it finds its relation, its audience and its full state
(the resync sent on every (re)connect); each renderer registers for the event kinds it draws on
one page kind. The hub renders an event on a topic with the renderer registered for both, after
re-checking the audience's representative, and nothing when none is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.db import new_session
from app.models import User
from app.models.vocabulary import LiveKind
from app.services import permissions
from app.services.errors import NotFound, PivotalError
from app.services.live.bus import LiveEvent
from app.services.live.topics import PageKind, Topic
from app.services.permissions import AnyAudience, PersonAudience, ProjectRelation

# The fragment one audience gets for one event on one topic; None when it sees nothing.
Renderer = Callable[[Session, ProjectRelation, LiveEvent, Topic, Any], str | None]
Resync = Callable[[Session, ProjectRelation, Topic, Any], str]
RelationOf = Callable[[Session, User | None, int], ProjectRelation]
AudienceOf = Callable[[ProjectRelation, str], Hashable]
ViewersFragment = Callable[[str, int], str]


@dataclass(frozen=True)
class LivePage:
    """A kind of page with a socket: how it finds the viewer's relation, audience and state."""

    kind: PageKind
    audience: AudienceOf
    resync: Resync
    relation: RelationOf = permissions.viewable_project  # the topic's id is the project's
    shows_viewers: bool = True  # pushes how many people view the page now


@dataclass(frozen=True)
class PersonalPage:
    """A person's own channel (its topic's id is theirs): only they may open it or hear on it."""

    kind: PageKind
    state: Callable[[Session, User, str], str]  # the full state, sent on (re)connect and change


_pages: dict[PageKind, LivePage] = {}
_personal: dict[PageKind, PersonalPage] = {}
_renderers: dict[tuple[PageKind, str], Renderer] = {}
_viewers: list[ViewersFragment] = []


def register_page(page: LivePage) -> None:
    """Make a page kind servable over a socket."""
    _pages[page.kind] = page


def renders(page: PageKind, *kinds: LiveKind) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as what `page` shows for events of these kinds."""

    def register(renderer: Renderer) -> Renderer:
        for kind in kinds:
            _renderers[(page, kind)] = renderer
        return renderer

    return register


def register_personal(page: PersonalPage) -> None:
    """Make a person's own channel servable over a socket."""
    _personal[page.kind] = page


def register_viewers(fragment: ViewersFragment) -> None:
    """Set the fragment that tells how many people view a page (in a language, a count)."""
    _viewers[:] = [fragment]


def registered_pages() -> list[LivePage]:
    """Every page kind servable over a socket."""
    return list(_pages.values())


def registered_renderers() -> list[tuple[PageKind, str, Renderer]]:
    """Every renderer, with the page kind and event kind it is registered for."""
    return [(page, kind, renderer) for (page, kind), renderer in _renderers.items()]


def renderer_for(topic: Topic, kind: str) -> Renderer | None:
    """What the topic's page shows for an event of this kind (None: the page ignores it)."""
    return _renderers.get((topic.page, kind))


def page_of(topic: Topic) -> LivePage:
    """The registered page of a topic."""
    return _pages[topic.page]


def first_state(
    session: Session, topic: Topic, user: User | None, lang: str
) -> tuple[Hashable, str]:
    """A viewer's audience and full live state of the topic (refuses what they may not see)."""
    personal = _personal.get(topic.page)
    if personal is not None:
        if user is None or user.id != topic.id:
            raise NotFound("No such page.")
        own = PersonAudience(user_id=topic.id, lang=lang, representative_id=user.id)
        return own, personal.state(session, user, lang)
    page = page_of(topic)
    rel = page.relation(session, user, topic.id)
    audience = page.audience(rel, lang)
    return audience, page.resync(session, rel, topic, audience)


def _relation(session: Session, audience: AnyAudience) -> ProjectRelation | None:
    """The relation of the audience's representative, re-checked at render time."""
    user = session.get(User, audience.representative_id) if audience.representative_id else None
    try:
        return permissions.viewable_project(session, user, audience.project_id)
    except PivotalError:
        return None


def render_event(event: LiveEvent, topic: Topic, audience: Any) -> str | None:
    """The fragment one audience gets for one event on one topic (None: nothing to show)."""
    personal = _personal.get(topic.page)
    if personal is not None:
        return _render_personal(personal, topic, audience)
    renderer = renderer_for(topic, event.kind)
    if renderer is None:
        return None
    with new_session() as session:
        rel = _relation(session, audience)
        if rel is None:
            return None
        return renderer(session, rel, event, topic, audience)


def _render_personal(page: PersonalPage, topic: Topic, audience: Any) -> str | None:
    """A person's channel's state again, re-checked as the person who opened it."""
    if not isinstance(audience, PersonAudience) or audience.representative_id != topic.id:
        return None
    with new_session() as session:
        user = session.get(User, topic.id)
        return None if user is None else page.state(session, user, audience.lang)


def render_viewers(topic: Topic, audience: Any, count: int) -> str:
    """How many people are viewing the topic now ("" where the page does not show it)."""
    page = _pages.get(topic.page)
    if not _viewers or page is None or not page.shows_viewers:
        return ""
    return _viewers[0](audience.lang, count)
