"""The live bus: carries small change events from the writing transaction to every process's hub.

The contribution unit calls `announce()` inside the writer's transaction. The bus delivers the
event only after the commit (in-process here; a PostgreSQL bus, `app/services/bus_postgres.py`,
keeps the same interface).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from app.services.live.topics import PageKind, Topic

log = logging.getLogger(__name__)

STAGED_KEY = "pivotal_live_events"
METRICS_PAGE = PageKind.metrics  # the project dashboard's topic: figures, recomputed after a burst


@dataclass(frozen=True)
class LiveEvent:
    """A change worth pushing: what happened, to which object, and where it shows."""

    kind: str
    object_id: int
    project_id: int
    need_id: int | None = None
    # A page of the project with a socket of its own (the questions page, the documents page):
    # the event shows there only, never on the project page.
    page: PageKind | None = None
    extra_topics: tuple[Topic, ...] = ()  # further pages that show it as well, e.g. event 7

    @property
    def topics(self) -> list[Topic]:
        """The pages that show the event."""
        if self.page is PageKind.person:  # one person's own channel, and nothing else
            return [Topic(PageKind.person, self.object_id)]
        # Every change may move the project's figures, so its dashboard hears of all of them.
        metrics = Topic(PageKind.metrics, self.project_id)
        if self.page is not None:
            return [Topic(self.page, self.project_id), *self.extra_topics, metrics]
        topics = [Topic(PageKind.project, self.project_id)]
        if self.need_id is not None:
            topics.append(Topic(PageKind.need, self.need_id))
        return [*topics, *self.extra_topics, metrics]

    def to_json(self) -> str:
        """The event as text, for the bus between processes (topics as "event:7")."""
        return json.dumps({**asdict(self), "extra_topics": [str(t) for t in self.extra_topics]})

    @classmethod
    def from_json(cls, text: str) -> LiveEvent:
        """The event `to_json` wrote."""
        data = json.loads(text)
        page, extra = data.pop("page"), data.pop("extra_topics")
        return cls(
            **data,
            page=None if page is None else PageKind(page),
            extra_topics=tuple(Topic.parse(topic) for topic in extra),
        )


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


def make_bus(url: str) -> Bus:
    """The bus for PIVOTAL_BUS_URL."""
    if url.startswith("memory://"):
        return MemoryBus()
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from app.services.bus_postgres import PostgresBus

        return PostgresBus(url)
    raise ValueError(f"unsupported PIVOTAL_BUS_URL scheme: {url!r}")


_bus: Bus | None = None


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
