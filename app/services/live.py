"""Live updates: a bus that carries small change events, and a hub that pushes HTML to viewers.

Services call `announce()` inside their transaction. The bus delivers the event only after the
commit (in-process here; a PostgreSQL or Redis bus keeps the same interface). The hub renders each
event once per distinct audience and queues the HTML on every socket of that audience; a socket
that falls too far behind is dropped rather than allowed to stall the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

log = logging.getLogger(__name__)

STAGED_KEY = "pivotal_live_events"
METRICS_PAGE = "metrics"  # the project dashboard's topic: figures, recomputed after a burst
# An event of this kind closes the sockets opened by the login session `object_id` (logged out).
SESSION_ENDED = "session_ended"
# A person's access changed (a membership granted, revoked or switched): `object_id` names the
# user, whose sockets are closed so that they reconnect under what the person may see now.
ACCESS_CHANGED = "access_changed"


@dataclass(frozen=True)
class LiveEvent:
    """A change worth pushing: what happened, to which object, and where it shows."""

    kind: str
    object_id: int
    project_id: int
    need_id: int | None = None
    # A page of the project with a socket of its own ("questions", "documents"): the event
    # shows there only, never on the project page.
    page: str | None = None
    extra_topics: tuple[str, ...] = ()  # further pages that show it as well, e.g. "event:7"

    @property
    def topics(self) -> list[str]:
        # Every change may move the project's figures, so its dashboard hears of all of them.
        metrics = f"{METRICS_PAGE}:{self.project_id}"
        if self.page is not None:
            return [f"{self.page}:{self.project_id}", *self.extra_topics, metrics]
        topics = [f"project:{self.project_id}"]
        if self.need_id is not None:
            topics.append(f"need:{self.need_id}")
        topics.extend(self.extra_topics)
        topics.append(metrics)
        return topics


Deliver = Callable[[LiveEvent], Coroutine[Any, Any, None]]
Resync = Callable[[], Awaitable[None]]


class Bus(Protocol):
    """Carries live events from the writing transaction to every process's hub."""

    def stage(self, session: Session, event: LiveEvent) -> None:
        """Queue an event in the writer's transaction; delivered only if it commits."""

    async def start(self, deliver: Deliver, resync: Resync | None = None) -> None:
        """Begin delivering events to `deliver`; call `resync` after a lost connection returns."""

    async def stop(self) -> None:
        """Stop delivering."""

    @property
    def healthy(self) -> bool:
        """Whether events can reach this process now."""


_background: set[asyncio.Task[Any]] = set()


def spawn(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Run a coroutine in the background, keeping a reference until it ends (asyncio keeps none)."""
    task = asyncio.get_running_loop().create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


class MemoryBus:
    """The in-process bus for one server process (the embedded SQLite default)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deliver: Deliver | None = None
        sa_event.listen(OrmSession, "after_commit", self._after_commit)
        sa_event.listen(OrmSession, "after_rollback", self._after_rollback)

    def stage(self, session: Session, event: LiveEvent) -> None:
        session.info.setdefault(STAGED_KEY, []).append(event)

    async def start(self, deliver: Deliver, resync: Resync | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._deliver = deliver

    @property
    def healthy(self) -> bool:
        return self._loop is not None

    async def stop(self) -> None:
        self._loop = None
        self._deliver = None

    def _after_commit(self, session: OrmSession) -> None:
        events = session.info.pop(STAGED_KEY, [])
        loop, deliver = self._loop, self._deliver
        if not events or loop is None or deliver is None or loop.is_closed():
            return
        for ev in events:
            loop.call_soon_threadsafe(lambda e: spawn(deliver(e)), ev)

    def _after_rollback(self, session: OrmSession) -> None:
        session.info.pop(STAGED_KEY, None)


@dataclass(eq=False)
class Viewer:
    """One open socket on one topic, with its audience and a bounded outbox."""

    send: Callable[[str], Awaitable[None]]
    close: Callable[[int], Coroutine[Any, Any, None]]
    topic: str
    audience: Hashable
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(256))
    dropped: bool = False
    # On a coalesced topic, the state last sent: the same again is not sent.
    last: str | None = None
    # The login session that opened the socket (None: a visitor); closed when it ends.
    login_session: int | None = None


# Renders the fragment for one event, topic and audience; None when that audience sees nothing.
Renderer = Callable[[LiveEvent, str, Any], str | None]
ViewersRenderer = Callable[[str, Any, int], str]


class LiveHub:
    """Keeps the sockets of this process by topic and fans events out to them."""

    def __init__(
        self,
        *,
        queue_size: int = 256,
        viewers_debounce: float = 0.5,
        coalesce: dict[str, float] | None = None,
    ) -> None:
        self.topics: dict[str, set[Viewer]] = defaultdict(set)
        # Seconds to gather a burst of events, by topic kind, before rendering once for it all.
        self.coalesce: dict[str, float] = {METRICS_PAGE: 1.0} if coalesce is None else coalesce
        self._pending_topics: dict[str, LiveEvent] = {}
        self.queue_size = queue_size
        self.viewers_debounce = viewers_debounce
        self.render: Renderer | None = None
        self.render_viewers: ViewersRenderer | None = None
        self._pending_counts: set[str] = set()
        self.pushes_sent = 0

    @property
    def open_sockets(self) -> int:
        return sum(len(v) for v in self.topics.values())

    async def serve(self, viewer: Viewer, first: str) -> None:
        """Register the viewer, send its resync fragment, then pump its outbox until it closes."""
        viewer.queue = asyncio.Queue(self.queue_size)
        viewer.queue.put_nowait(first)
        if self._coalesced(viewer.topic):
            viewer.last = first
        self.topics[viewer.topic].add(viewer)
        self._schedule_viewer_count(viewer.topic)
        try:
            while True:
                message = await viewer.queue.get()
                if message is None:
                    break
                await viewer.send(message)
        finally:
            self._remove(viewer)

    def _remove(self, viewer: Viewer) -> None:
        viewers = self.topics.get(viewer.topic)
        if viewers is not None:
            viewers.discard(viewer)
            if not viewers:
                del self.topics[viewer.topic]
        self._schedule_viewer_count(viewer.topic)

    def _enqueue(self, viewer: Viewer, message: str) -> None:
        try:
            viewer.queue.put_nowait(message)
        except asyncio.QueueFull:
            if not viewer.dropped:
                viewer.dropped = True
                log.warning("dropping slow live viewer on %s", viewer.topic)
                spawn(viewer.close(1013))
                with contextlib.suppress(asyncio.QueueEmpty):
                    viewer.queue.get_nowait()
                viewer.queue.put_nowait(None)

    async def deliver(self, event: LiveEvent) -> None:
        """Render the event once per audience on each topic and queue it for every viewer.

        Topics whose page shows a summary of everything (the dashboard) are rendered once per
        burst instead: the first event schedules a render `coalesce` seconds later, and the
        events arriving meanwhile ride along with it.
        """
        if event.kind == SESSION_ENDED:
            await self.close_login_session(event.object_id)
            return
        if event.kind == ACCESS_CHANGED:
            await self.close_user(event.object_id)
            return
        if self.render is None:
            return
        for topic in event.topics:
            if not self.topics.get(topic):
                continue
            if self._coalesced(topic):
                if topic not in self._pending_topics:
                    delay = self.coalesce[topic.partition(":")[0]]
                    asyncio.get_running_loop().call_later(delay, self._flush, topic)
                self._pending_topics[topic] = event  # the latest rides along
                continue
            await self._deliver_topic(event, topic)

    def _coalesced(self, topic: str) -> bool:
        return topic.partition(":")[0] in self.coalesce

    def _flush(self, topic: str) -> None:
        event = self._pending_topics.pop(topic, None)
        if event is not None:
            spawn(self._deliver_topic(event, topic))

    async def _deliver_topic(self, event: LiveEvent, topic: str) -> None:
        assert self.render is not None
        by_audience: dict[Hashable, list[Viewer]] = defaultdict(list)
        for viewer in self.topics.get(topic, ()):
            by_audience[viewer.audience].append(viewer)
        for audience, viewers in by_audience.items():
            try:
                html = await asyncio.to_thread(self.render, event, topic, audience)
            except Exception:
                log.exception("rendering live event %s failed", event)
                continue
            if not html:
                continue
            if self._coalesced(topic):
                # A coalesced topic sends the whole state: a viewer who has it gets nothing, so
                # not even a message's arrival tells of a change it may not see.
                viewers = [v for v in viewers if v.last != html]
                for viewer in viewers:
                    viewer.last = html
            for viewer in viewers:
                self._enqueue(viewer, html)
            self.pushes_sent += len(viewers)

    async def resync_all(self, build_first: Callable[[Viewer], Awaitable[str | None]]) -> None:
        """Send every viewer a fresh full state (after a bus reconnect)."""
        for viewers in list(self.topics.values()):
            for viewer in list(viewers):
                html = await build_first(viewer)
                if html:
                    self._enqueue(viewer, html)

    def _schedule_viewer_count(self, topic: str) -> None:
        if topic in self._pending_counts or self.render_viewers is None:
            return
        self._pending_counts.add(topic)
        asyncio.get_running_loop().call_later(self.viewers_debounce, self._send_viewer_count, topic)

    def _send_viewer_count(self, topic: str) -> None:
        self._pending_counts.discard(topic)
        viewers = self.topics.get(topic)
        if not viewers or self.render_viewers is None:
            return
        count = len(viewers)
        rendered: dict[Hashable, str] = {}
        for viewer in list(viewers):
            if viewer.audience not in rendered:
                rendered[viewer.audience] = self.render_viewers(topic, viewer.audience, count)
            if rendered[viewer.audience]:
                self._enqueue(viewer, rendered[viewer.audience])

    async def close_login_session(self, login_session: int, code: int = 1008) -> None:
        """Close the sockets of a session that was logged out (1008: policy violation)."""
        await self._close(
            [v for vs in self.topics.values() for v in vs if v.login_session == login_session], code
        )

    async def close_user(self, user_id: int, code: int = 1012) -> None:
        """Close every socket of one person (1012: the client reconnects and is checked anew).

        A socket's audience names the user who opened it as its representative.
        """
        await self._close(
            [
                v
                for vs in self.topics.values()
                for v in vs
                if getattr(v.audience, "representative_id", None) == user_id
            ],
            code,
        )

    async def _close(self, viewers: list[Viewer], code: int) -> None:
        for viewer in viewers:
            with contextlib.suppress(Exception):
                await viewer.close(code)
            with contextlib.suppress(asyncio.QueueFull):
                viewer.queue.put_nowait(None)

    async def close_all(self, code: int = 1012) -> None:
        """Close every socket (1012 'service restart' makes clients reconnect)."""
        for viewers in list(self.topics.values()):
            for viewer in list(viewers):
                with contextlib.suppress(Exception):
                    await viewer.close(code)
                with contextlib.suppress(asyncio.QueueFull):
                    viewer.queue.put_nowait(None)


def make_bus(url: str) -> Bus:
    """The bus for PIVOTAL_BUS_URL."""
    if url.startswith("memory://"):
        return MemoryBus()
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from app.services.bus_postgres import PostgresBus

        return PostgresBus(url)
    raise ValueError(f"unsupported PIVOTAL_BUS_URL scheme: {url!r}")


_bus: Bus | None = None
hub = LiveHub()


def get_bus() -> Bus:
    """The process's bus, created from settings on first use."""
    global _bus
    if _bus is None:
        from app.config import get_settings

        _bus = make_bus(get_settings().bus_url)
    return _bus


def announce(session: Session, event: LiveEvent) -> None:
    """Stage a live event in the current transaction."""
    get_bus().stage(session, event)
