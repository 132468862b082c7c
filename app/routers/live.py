"""WebSockets for the live views: who may watch, the resync on connect, and what each event shows.

Templates are the same blocks the pages include, so a push and a page load cannot disagree.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from markupsafe import Markup
from sqlmodel import Session

from app import i18n
from app.config import get_settings
from app.db import new_session
from app.models import Document, Need, User
from app.models.base import Id, id_of
from app.routers import documents as document_pages
from app.routers import events as event_pages
from app.routers import metrics as metrics_pages
from app.routers import proposals as proposals_live
from app.routers import questions as qa
from app.services import documents, needs, participation, permissions, projects, sessions
from app.services import events as event_services
from app.services.errors import PivotalError
from app.services.live import METRICS_PAGE, LiveEvent, Viewer, hub
from app.services.permissions import ProjectRelation
from app.services.render_cache import cards, fragments
from app.web import SESSION_KEY, Audience, audience_for, render_fragment

router = APIRouter(include_in_schema=False)
POLICY_VIOLATION = 1008


def _relation(
    session: Session, audience: Audience | metrics_pages.MetricsAudience
) -> ProjectRelation | None:
    """The relation of the audience's representative, re-checked at render time."""
    user = session.get(User, audience.representative_id) if audience.representative_id else None
    try:
        return permissions.viewable_project(session, user, audience.project_id)
    except PivotalError:
        return None


def _project_id_of(session: Session, topic: str, user: User | None) -> ProjectRelation:
    kind, _, raw = topic.partition(":")
    if kind in ("project", "questions", "events", documents.LIVE_PAGE, "proposals", METRICS_PAGE):
        return permissions.viewable_project(session, user, int(raw))
    if kind == "event":
        return event_services.find_event(session, user=user, event_id=int(raw))[0]
    rel, _need = needs.find_need(session, user=user, need_id=int(raw))
    return rel


def need_card_html(view: needs.NeedView, audience: Audience, *, oob: bool) -> Markup:
    """One need's card in the list; cached by everything it shows, so only changed cards render."""
    need = view.need
    shown = (
        need.title,
        need.status,
        need.created_at,
        view.author_name,
        view.support_count,
        view.comment_count,
    )

    def build() -> str:
        return render_fragment(
            "projects/_need_card.html", audience.lang, view=view, audience=audience, oob=oob
        )

    return Markup(cards.get_or_build(("card", audience, oob, need.id), shown, build))


def needs_list_html(
    session: Session, rel: ProjectRelation, audience: Audience, *, oob: bool
) -> str:
    """The live needs list of a project, as the page shows it and a resync sends it (cached)."""

    def build() -> str:
        views = needs.list_needs(session, rel=rel)
        return render_fragment(
            "projects/_needs_list.html",
            audience.lang,
            cards=[need_card_html(view, audience, oob=False) for view in views],
            oob=oob,
        )

    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(("needs", audience, oob), version, build)


def comments_html(
    session: Session, rel: ProjectRelation, audience: Audience, need: Need, *, oob: bool
) -> str:
    """The live comment thread of a need (cached until the project changes)."""

    def build() -> str:
        tree = needs.comment_tree(session, rel=rel, need_id=id_of(need))
        return render_fragment(
            "needs/_comments.html",
            audience.lang,
            comments=tree,
            need=need,
            audience=audience,
            oob=oob,
        )

    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(("comments", need.id, audience, oob), version, build)


def phase_html(session: Session, rel: ProjectRelation, audience: Audience) -> str:
    """The project's phase badge and timeline, pushed out of band (cached until it changes)."""

    def build() -> str:
        overview = projects.phase_overview(session, rel=rel)
        badge = render_fragment(
            "projects/_phase_badge.html", audience.lang, project=rel.project, oob=True
        )
        steps = projects.timeline(rel.project, overview)
        return badge + render_fragment(
            "projects/_phase_timeline.html", audience.lang, steps=steps, oob=True
        )

    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(("phase", audience), version, build)


def phase_form_html(rel: ProjectRelation, audience: Audience) -> str:
    """The gate-decision form with the phases now possible, for procurers.

    Pushed after a move only, never on a reconnect, so a rationale being written is not wiped.
    """
    if not audience.is_procurer:
        return ""
    return render_fragment(
        "projects/_phase_form.html",
        audience.lang,
        project=rel.project,
        next_phases=projects.next_phases(rel.project.phase),
        oob=True,
    )


def documents_list_html(session: Session, rel: ProjectRelation, audience: Audience) -> str:
    """The documents list as this audience may see it, to replace the one on the page."""
    docs = documents.list_documents(session, rel=rel)
    context = document_pages.list_context(rel, docs)
    return render_fragment("documents/_list.html", audience.lang, oob=True, **context)


def document_event_html(
    session: Session, rel: ProjectRelation, audience: Audience, event: LiveEvent
) -> str | None:
    """A fresh documents list for audiences who see the document now, or who may just have
    lost sight of it (another audience, or withdrawn); nothing for anyone else."""
    document = session.get(Document, event.object_id)
    if document is None:
        return None
    if event.kind != "document.changed" and not permissions.can_see_document(rel, document):
        return None
    return documents_list_html(session, rel, audience)


def resync_fragment(session: Session, topic: str, rel: ProjectRelation, audience: Audience) -> str:
    """The full live state of a topic for one viewer: sent on every (re)connect."""
    kind, _, raw = topic.partition(":")
    if kind == "questions":
        assert isinstance(audience, qa.QaAudience)
        return qa.resync_html(session, rel, audience)
    if kind == documents.LIVE_PAGE:
        return documents_list_html(session, rel, audience)
    if kind == "proposals":
        return proposals_live.proposals_list_html(session, rel, audience, oob=True)
    if kind == "project":
        return needs_list_html(session, rel, audience, oob=True) + phase_html(
            session, rel, audience
        )
    if kind == "events":
        return event_pages.events_resync_html(session, rel, audience.lang)
    if kind == "event":
        return event_pages.event_counts_live(session, rel, int(raw), audience.lang)
    view = needs.need_view(session, rel=rel, need_id=int(raw))
    head = render_fragment(
        "needs/_live_state.html", audience.lang, view=view, need=view.need, oob=True
    )
    return head + comments_html(session, rel, audience, view.need, oob=True)


def render_event(
    event: LiveEvent, topic: str, audience: Audience | metrics_pages.MetricsAudience
) -> str | None:
    """The fragment one audience gets for one event on one topic (None: nothing to show)."""
    with new_session() as session:
        rel = _relation(session, audience)
        if rel is None:
            return None
        if isinstance(audience, metrics_pages.MetricsAudience):
            return _metrics_body(session, rel, audience)
        if topic.startswith("questions:"):
            assert isinstance(audience, qa.QaAudience)
            return qa.render_event(session, rel, event, audience)
        if event.kind.startswith("document."):
            return document_event_html(session, rel, audience, event)
        if event.kind.startswith("proposal."):
            return proposals_live.render_event(session, event, rel, audience)
        if event.kind == "project.phase_moved":
            return phase_html(session, rel, audience) + phase_form_html(rel, audience)
        if event.kind.startswith("event."):
            # Dialogue events push counts only, and only to the events pages.
            if topic not in event.extra_topics:
                return None
            return event_pages.event_counts_live(session, rel, event.object_id, audience.lang)
        lang = audience.lang
        aud = audience
        need_id = event.need_id
        assert need_id is not None
        view = needs.need_view(session, rel=rel, need_id=need_id)
        if topic.startswith("project:"):
            if event.kind == "need.created":
                card = need_card_html(view, aud, oob=False)
                return f'<div hx-swap-oob="afterbegin:#needs-list">{card}</div>'
            return need_card_html(view, aud, oob=True)
        if event.kind == "need.supported":
            return render_fragment("needs/_support_count.html", lang, view=view, oob=True)
        if event.kind == "need.status_changed":
            return render_fragment("needs/_status.html", lang, view=view, need=view.need, oob=True)
        if event.kind == "comment.hidden":
            tree = needs.comment_tree(session, rel=rel, need_id=need_id)
            hidden = needs.find_comment(tree, event.object_id)
            if hidden is None:
                return None
            return render_fragment(
                "needs/_comment.html", lang, c=hidden, need=view.need, audience=aud, oob=True
            )
        if event.kind == "comment.created":
            comment = needs.comment_view(session, rel=rel, comment_id=event.object_id)
            html = render_fragment(
                "needs/_comment.html", lang, c=comment, need=view.need, audience=aud, oob=False
            )
            parent = comment.comment.parent_id
            target = f"#comment-{parent}-replies" if parent else "#comments"
            return f'<div hx-swap-oob="beforeend:{target}">{html}</div>'
        return None


def _metrics_body(
    session: Session, rel: ProjectRelation, audience: metrics_pages.MetricsAudience
) -> str | None:
    """The dashboard's figures again, unless the representative's view has changed since."""
    if metrics_pages.metrics_audience_or_none(rel, audience.lang) != audience:
        return None
    return metrics_pages.project_body_html(session, rel, audience.lang, oob=True)


def render_viewers(
    topic: str, audience: Audience | metrics_pages.MetricsAudience, count: int
) -> str:
    """How many people are viewing the topic now (the dashboard does not show it)."""
    if isinstance(audience, metrics_pages.MetricsAudience):
        return ""
    return render_fragment("_viewers.html", audience.lang, count=count, oob=True)


async def resync_all_viewers() -> None:
    """Send every viewer of this process its full state again (after the bus reconnects)."""

    async def first(viewer: Viewer) -> str | None:
        audience = viewer.audience
        assert isinstance(audience, Audience | metrics_pages.MetricsAudience)
        try:
            _aud, html = await asyncio.to_thread(
                _reopen, viewer.topic, audience.representative_id, audience.lang
            )
        except PivotalError:
            return None
        return html

    await hub.resync_all(first)


def install_renderers() -> None:
    """Connect this module's renderers to the process's hub."""
    hub.render = render_event
    hub.render_viewers = render_viewers


def origin_allowed(websocket: WebSocket) -> bool:
    """Only pages of this site may open a socket (stops cross-site WebSocket hijacking)."""
    origin = websocket.headers.get("origin")
    if not origin:
        return False
    parsed = urlsplit(origin)
    host = websocket.headers.get("host", "")
    configured = urlsplit(get_settings().base_url)
    return parsed.netloc == host or (parsed.scheme, parsed.netloc) == (
        configured.scheme,
        configured.netloc,
    )


def _open(
    topic: str, key: str | None, lang: str
) -> tuple[Audience | metrics_pages.MetricsAudience, str, int | None]:
    """The socket's audience and first fragment, for the user of the login session `key`.

    A session that has ended (or a cookie without one) opens the socket as a visitor's.
    """
    with new_session() as session:
        found = sessions.find(session, key=key) if key else None
        user = found.user if found else None
        audience, first = _first_state(session, topic, user, lang)
        return audience, first, found.login_session.id if found else None


def _reopen(
    topic: str, uid: int | None, lang: str
) -> tuple[Audience | metrics_pages.MetricsAudience, str]:
    """An open socket's audience and full state again, for the user who opened it."""
    with new_session() as session:
        user = session.get(User, uid) if uid is not None else None
        return _first_state(session, topic, user, lang)


def _first_state(
    session: Session, topic: str, user: User | None, lang: str
) -> tuple[Audience | metrics_pages.MetricsAudience, str]:
    rel = _project_id_of(session, topic, user)
    if topic.startswith(f"{METRICS_PAGE}:"):
        watcher = metrics_pages.metrics_audience(rel, lang)
        return watcher, metrics_pages.project_body_html(session, rel, lang, oob=True)
    audience = (
        qa.qa_audience(rel, lang) if topic.startswith("questions:") else audience_for(rel, lang)
    )
    return audience, resync_fragment(session, topic, rel, audience)


async def _serve(websocket: WebSocket, topic: str) -> None:
    if not origin_allowed(websocket):
        await websocket.close(POLICY_VIOLATION)
        return
    try:
        key = websocket.session.get(SESSION_KEY)
        audience, first, login_session = await asyncio.to_thread(
            _open, topic, str(key) if key else None, i18n.current_language()
        )
    except PivotalError:
        await websocket.close(POLICY_VIOLATION)
        return
    await websocket.accept()
    viewer = Viewer(
        send=websocket.send_text,
        close=_closer(websocket),
        topic=topic,
        audience=audience,
        login_session=login_session,
    )

    async def watch_disconnect() -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                await websocket.receive_text()  # the page sends nothing; this waits for close
        with contextlib.suppress(asyncio.QueueFull):
            viewer.queue.put_nowait(None)

    watcher = asyncio.create_task(watch_disconnect())
    try:
        await hub.serve(viewer, first)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        watcher.cancel()


def _closer(websocket: WebSocket) -> Callable[[int], Coroutine[Any, Any, None]]:
    async def close(code: int) -> None:
        with contextlib.suppress(Exception):
            await websocket.close(code)

    return close


@router.websocket("/ws/projects/{project_id}")
async def project_socket(websocket: WebSocket, project_id: Id) -> None:
    """Live needs list of a project."""
    await _serve(websocket, f"project:{project_id}")


@router.websocket("/ws/projects/{project_id}/events")
async def events_socket(websocket: WebSocket, project_id: Id) -> None:
    """Live counts of a project's dialogue events."""
    await _serve(websocket, f"events:{project_id}")


@router.websocket("/ws/events/{event_id}")
async def event_socket(websocket: WebSocket, event_id: Id) -> None:
    """Live counts of one dialogue event."""
    await _serve(websocket, f"event:{event_id}")


@router.websocket("/ws/needs/{need_id}")
async def need_socket(websocket: WebSocket, need_id: Id) -> None:
    """Live status, supports and comments of a need."""
    await _serve(websocket, f"need:{need_id}")


@router.websocket("/ws/projects/{project_id}/questions")
async def questions_socket(websocket: WebSocket, project_id: Id) -> None:
    """Live questions and answers of a project (the procurers' queue for procurers)."""
    await _serve(websocket, f"questions:{project_id}")


@router.websocket("/ws/projects/{project_id}/documents")
async def documents_socket(websocket: WebSocket, project_id: Id) -> None:
    """Live documents list of a project, as each viewer may see it."""
    await _serve(websocket, f"{documents.LIVE_PAGE}:{project_id}")


@router.websocket("/ws/projects/{project_id}/metrics")
async def metrics_socket(websocket: WebSocket, project_id: Id) -> None:
    """Live figures of a project's dashboard, recomputed once per burst of contributions."""
    await _serve(websocket, f"{METRICS_PAGE}:{project_id}")


@router.websocket("/ws/projects/{project_id}/proposals")
async def proposals_socket(websocket: WebSocket, project_id: Id) -> None:
    """Live proposals list of a project (published summaries; everything for procurers)."""
    await _serve(websocket, f"proposals:{project_id}")
