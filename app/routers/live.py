"""WebSockets for the live views: who may watch, and the resync on connect.

What each page shows live is registered by its domain in `app/views/` (imported here, so the
registry is complete once the app has its routes); the hub renders events through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
from collections.abc import Callable, Coroutine, Hashable
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

import app.views  # noqa: F401  (each domain registers what its pages show live)
from app import i18n
from app.config import get_settings
from app.db import new_session
from app.models import User
from app.models.base import Id
from app.models.identity import LoginLevel
from app.services import sessions
from app.services.errors import PivotalError
from app.services.live import PageKind, Topic, Viewer, hub
from app.services.live.registry import first_state
from app.services.permissions import Audience, MetricsAudience, PersonAudience
from app.services.permissions.login_level import LOGIN_LEVEL
from app.web import SESSION_KEY

router = APIRouter(include_in_schema=False)
POLICY_VIOLATION = 1008


async def resync_all_viewers() -> None:
    """Send every viewer of this process its full state again (after the bus reconnects)."""

    async def first(viewer: Viewer) -> str | None:
        audience = viewer.audience
        assert isinstance(audience, Audience | MetricsAudience | PersonAudience)
        try:
            _aud, html = await asyncio.to_thread(
                _reopen,
                viewer.topic,
                audience.representative_id,
                audience.lang,
                getattr(audience, "login_level", LoginLevel.basic),
            )
        except PivotalError:
            return None
        return html

    await hub.resync_all(first)


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


def _open(topic: Topic, key: str | None, lang: str) -> tuple[Hashable, str, int | None]:
    """The socket's audience and first fragment, for the user of the login session `key`.

    A session that has ended (or a cookie without one) opens the socket as a visitor's.
    """
    with new_session() as session:
        found = sessions.find(session, key=key) if key else None
        user = found.user if found else None
        LOGIN_LEVEL.set(LoginLevel(found.login_session.level if found else LoginLevel.basic))
        audience, first = first_state(session, topic, user, lang)
        return audience, first, found.login_session.id if found else None


def _reopen(
    topic: Topic, uid: int | None, lang: str, level: str = LoginLevel.basic
) -> tuple[Hashable, str]:
    """An open socket's audience and full state again, for the user who opened it (at the
    login level the audience was computed for)."""
    LOGIN_LEVEL.set(LoginLevel(level))
    with new_session() as session:
        user = session.get(User, uid) if uid is not None else None
        return first_state(session, topic, user, lang)


async def _serve(websocket: WebSocket, topic: Topic) -> None:
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
    # The hub sends the resync once and lets it go; this frame must not hold it meanwhile
    # (it is the whole page state, most of an idle viewer's memory otherwise).
    resync = [first]
    del first
    await hub.serve(viewer, resync.pop(), until=_closed(websocket))


async def _closed(websocket: WebSocket) -> None:
    """Wait until the socket closes (the page sends nothing on it)."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()


def _closer(websocket: WebSocket) -> Callable[[int], Coroutine[Any, Any, None]]:
    async def close(code: int) -> None:
        with contextlib.suppress(Exception):
            await websocket.close(code)

    return close


def _socket(kind: PageKind, path: str) -> Callable[..., Coroutine[Any, Any, None]]:
    """The socket of one kind of live page. The one id in its path is declared by its name in
    the endpoint's signature, so FastAPI checks it as for any route (a bad one: closed, 1008)."""

    async def socket(websocket: WebSocket, **page_id: int) -> None:
        await _serve(websocket, Topic(kind, *page_id.values()))

    (id_name,) = re.findall(r"\{(\w+)\}", path)
    socket.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "websocket", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=WebSocket
            ),
            inspect.Parameter(id_name, inspect.Parameter.KEYWORD_ONLY, annotation=Id),
        ]
    )
    return socket


# Each live page's socket; the one id in its path is the page's project, event or need.
SOCKETS: dict[str, PageKind] = {
    "/ws/projects/{project_id}": PageKind.project,
    "/ws/projects/{project_id}/events": PageKind.events,
    "/ws/events/{event_id}": PageKind.event,
    "/ws/needs/{need_id}": PageKind.need,
    "/ws/projects/{project_id}/questions": PageKind.questions,
    "/ws/projects/{project_id}/documents": PageKind.documents,
    "/ws/projects/{project_id}/metrics": PageKind.metrics,
    "/ws/projects/{project_id}/proposals": PageKind.proposals,
    "/ws/people/{user_id}": PageKind.person,  # a person's own header: theirs alone
    "/ws/projects/{project_id}/reports": PageKind.reports,
    "/ws/projects/{project_id}/specification": PageKind.specification,
    "/ws/requirements/{requirement_id}": PageKind.requirement,
    "/ws/hearings/{hearing_id}": PageKind.hearing,
}
for _path, _kind in SOCKETS.items():
    router.add_api_websocket_route(_path, _socket(_kind, _path), name=f"{_kind.value}_socket")
