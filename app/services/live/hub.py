"""The live hub: keeps this process's sockets by topic and pushes each event's HTML to them.

It renders each event once per distinct audience (through the registry) and sends the HTML to
every socket of that audience in one loop: a send goes straight into the socket's transport
buffer, and only a socket whose buffer is full (a slow reader) gets an outbox and a task to drain
it, so it never holds up the others; one that falls too far behind is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass
from typing import Any

from app.models.vocabulary import LiveKind
from app.services.live import eager, registry
from app.services.live.bus import LiveEvent, spawn
from app.services.live.topics import PageKind, Topic
from app.services.notifications.inbox import forget_unread

log = logging.getLogger(__name__)
COUNT_SECONDS_PER_VIEWER = 0.001  # how often a page's viewer count may go out, by its viewers


@dataclass(eq=False)
class Viewer:
    """One open socket on one topic, with its audience and, while it is behind, an outbox."""

    send: Callable[[str], Coroutine[Any, Any, None]]
    close: Callable[[int], Coroutine[Any, Any, None]]
    topic: Topic
    audience: Hashable
    # A send is under way that had to wait (the socket's buffer was full): what comes meanwhile
    # waits here, in order, up to the hub's queue size (None when nothing waits).
    outbox: deque[str] | None = None
    sending: bool = False
    # Closed by the hub (too slow, or its access changed): sent nothing more.
    dropped: bool = False
    # On a coalesced topic, the state last sent: the same again is not sent.
    last: str | None = None
    # The login session that opened the socket (None: a visitor); closed when it ends.
    login_session: int | None = None


# Renders the fragment for one event, topic and audience; None when that audience sees nothing.
Renderer = Callable[[LiveEvent, Topic, Any], str | None]
ViewersRenderer = Callable[[Topic, Any, int], str]


class LiveHub:
    """Keeps the sockets of this process by topic and fans events out to them."""

    def __init__(
        self,
        *,
        queue_size: int = 256,
        viewers_debounce: float = 0.5,
        coalesce: dict[PageKind, float] | None = None,
    ) -> None:
        self.topics: dict[Topic, set[Viewer]] = defaultdict(set)
        # Seconds to gather a burst of events, by page kind, before rendering once for it all.
        self.coalesce = {PageKind.metrics: 1.0} if coalesce is None else coalesce
        self._pending_topics: dict[Topic, LiveEvent] = {}
        self.queue_size = queue_size
        self.viewers_debounce = viewers_debounce
        # What the domains registered; a test may put a renderer of its own in their place.
        self.render: Renderer = registry.render_event
        self.render_viewers: ViewersRenderer = registry.render_viewers
        self._pending_counts: set[Topic] = set()
        self.pushes_sent = 0

    @property
    def open_sockets(self) -> int:
        return sum(len(v) for v in self.topics.values())

    async def serve(self, viewer: Viewer, first: str, until: Awaitable[Any]) -> None:
        """Register the viewer and send its resync fragment; keep it until `until` is done
        (the socket closed)."""
        if self._coalesced(viewer.topic):
            viewer.last = first
        self._enqueue(viewer, first)
        # Sent once: a reference kept in this frame would hold the whole page state (tens of
        # KiB) for as long as the socket is open.
        del first
        self.topics[viewer.topic].add(viewer)
        self._schedule_viewer_count(viewer.topic)
        try:
            await until
        finally:
            self._remove(viewer)

    def _remove(self, viewer: Viewer) -> None:
        viewer.dropped = True
        viewer.outbox = None
        viewers = self.topics.get(viewer.topic)
        if viewers is not None:
            viewers.discard(viewer)
            if not viewers:
                del self.topics[viewer.topic]
        self._schedule_viewer_count(viewer.topic)

    def _enqueue(self, viewer: Viewer, message: str) -> None:
        """Send now when nothing waits for the socket; else queue behind, or drop the viewer."""
        if viewer.dropped:
            return
        if not viewer.sending:
            eager.start(self._send(viewer, message))
            return
        if viewer.outbox is None:
            viewer.outbox = deque()
        if len(viewer.outbox) < self.queue_size:
            viewer.outbox.append(message)
            return
        log.warning("dropping slow live viewer on %s", viewer.topic)
        self._end(viewer, 1013)  # 1013: try again later

    async def _send(self, viewer: Viewer, message: str) -> None:
        """Send, and then what queued up meanwhile if the send had to wait."""
        viewer.sending = True
        try:
            await viewer.send(message)
            while viewer.outbox and not viewer.dropped:
                await viewer.send(viewer.outbox.popleft())
        except Exception:  # the socket is gone; its reader ends the viewer
            log.debug("live send failed on %s", viewer.topic, exc_info=True)
        finally:
            viewer.sending = False
            viewer.outbox = None

    def _end(self, viewer: Viewer, code: int) -> None:
        """Close the viewer's socket; nothing more is sent to it."""
        if viewer.dropped:
            return
        viewer.dropped = True
        viewer.outbox = None
        eager.start(_close_socket(viewer, code))

    async def deliver(self, event: LiveEvent) -> None:
        """Render the event once per audience on each topic and queue it for every viewer.

        Topics whose page shows a summary of everything (the dashboard) are rendered once per
        burst instead: the first event schedules a render `coalesce` seconds later, and the
        events arriving meanwhile ride along with it.
        """
        if event.kind == LiveKind.session_ended:
            await self.close_login_session(event.object_id)
            return
        # Unread counts kept per process may count a notification the change closed.
        if event.kind == LiveKind.access_changed:
            forget_unread(event.object_id)
        elif event.kind != LiveKind.notifications_changed:
            forget_unread()
        if event.kind == LiveKind.access_changed:
            await self.close_user(event.object_id)
            return
        if event.kind == LiveKind.project_access_changed:
            await self.close_project(event.project_id)
            return
        for topic in event.topics:
            if not self.topics.get(topic):
                continue
            if self._coalesced(topic):
                if topic not in self._pending_topics:
                    delay = self.coalesce[topic.page]
                    asyncio.get_running_loop().call_later(delay, self._flush, topic)
                self._pending_topics[topic] = event  # the latest rides along
                continue
            await self._deliver_topic(event, topic)

    def _coalesced(self, topic: Topic) -> bool:
        return topic.page in self.coalesce

    def _flush(self, topic: Topic) -> None:
        event = self._pending_topics.pop(topic, None)
        if event is not None:
            spawn(self._deliver_topic(event, topic))

    async def _deliver_topic(self, event: LiveEvent, topic: Topic) -> None:
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

    def _schedule_viewer_count(self, topic: Topic) -> None:
        if topic in self._pending_counts:
            return
        self._pending_counts.add(topic)
        # The count goes to every viewer of the page, so while thousands come and go (a process
        # died and its viewers move here) it is sent at most every millisecond per viewer: a
        # thousand sends a second whatever the churn, not a full fan-out every half second.
        viewers = len(self.topics.get(topic, ()))
        delay = max(self.viewers_debounce, viewers * COUNT_SECONDS_PER_VIEWER)
        asyncio.get_running_loop().call_later(delay, self._send_viewer_count, topic)

    def _send_viewer_count(self, topic: Topic) -> None:
        self._pending_counts.discard(topic)
        viewers = self.topics.get(topic)
        if not viewers:
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

    async def close_project(self, project_id: int, code: int = 1012) -> None:
        """Close every socket on the project's pages (who may see it changed): each reconnects
        and is checked anew, so one who lost access is refused and gets nothing more."""
        await self._close(
            [
                v
                for vs in self.topics.values()
                for v in vs
                if getattr(v.audience, "project_id", None) == project_id
            ],
            code,
        )

    async def _close(self, viewers: list[Viewer], code: int) -> None:
        for viewer in viewers:
            self._end(viewer, code)

    async def close_all(self, code: int = 1012) -> None:
        """Close every socket (1012 'service restart' makes clients reconnect)."""
        await self._close([v for vs in self.topics.values() for v in vs], code)


async def _close_socket(viewer: Viewer, code: int) -> None:
    try:
        await viewer.close(code)
    except Exception:  # already gone
        log.debug("closing a live socket on %s failed", viewer.topic, exc_info=True)


hub = LiveHub()
