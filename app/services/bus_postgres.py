"""The live bus across processes: PostgreSQL LISTEN/NOTIFY.

`stage()` runs `pg_notify` inside the writer's own transaction, so PostgreSQL delivers the
notification exactly when (and only if) the data is committed. Each process keeps one listening
connection; when it drops, the listener reconnects with backoff and asks the hub to resync its
viewers (notifications sent while it was away are lost, the resync makes up for them). Posting
never waits for the listener, so writes keep working while it is away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.services.live import Deliver, LiveEvent

log = logging.getLogger(__name__)
CHANNEL = "pivotal_live"


def libpq_dsn(url: str) -> str:
    """A libpq connection string from a SQLAlchemy or plain PostgreSQL URL."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresBus:
    """LISTEN/NOTIFY bus; one listening connection per process, reconnecting with backoff."""

    def __init__(self, url: str, *, max_backoff: float = 10.0) -> None:
        self.dsn = libpq_dsn(url)
        self.max_backoff = max_backoff
        self.connected = False
        self.reconnects = 0
        self._task: asyncio.Task[None] | None = None
        self._connection: psycopg.AsyncConnection | None = None

    def stage(self, session: Session, event: LiveEvent) -> None:
        """Send the notification in the writer's transaction (delivered at commit)."""
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": event.to_json()},
        )

    async def start(
        self, deliver: Deliver, resync: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Start listening in the background."""
        self._task = asyncio.create_task(self._listen(deliver, resync))

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        self.connected = False

    @property
    def healthy(self) -> bool:
        """Whether the listening connection is up."""
        return self.connected

    async def drop_connection(self) -> None:
        """Close the listening connection as a failure would (used by tests and operations)."""
        if self._connection is not None:
            await self._connection.close()

    async def _listen(self, deliver: Deliver, resync: Callable[[], Awaitable[None]] | None) -> None:
        delay = 0.2
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                    self._connection = conn
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.connected = True
                    delay = 0.2
                    if not first:
                        self.reconnects += 1
                        log.info("live bus reconnected; resyncing viewers")
                        if resync is not None:
                            await resync()
                    first = False
                    async for notify in conn.notifies():
                        try:
                            await deliver(LiveEvent.from_json(notify.payload))
                        except Exception:
                            log.exception("delivering live event failed: %s", notify.payload)
                    raise psycopg.OperationalError("notification stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connected = False
                self._connection = None
                log.warning("live bus connection lost (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
