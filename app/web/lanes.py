"""Writes first: a person's contribution is not kept waiting behind everyone's page views.

On SQLite one writer at a time holds the write lock, and its thread must win the GIL back from
the event loop after every SQLite call; when the loop is busy serving page views (most of them
from memory, on the loop itself) a write holding the lock for ~3 ms of work holds it ~25 ms,
and under saturation posts queue for seconds. So while a write is in flight, new reads are
held back (only a few run beside it) and the loop goes idle between the write's steps; reads
that would wait too long, or find too many waiting already, are shed at once with a 503 and a
`Retry-After`, before any write is. Writes (POST, PUT, PATCH, DELETE) are never held or shed
here; the database's own limits (the writers' lock timeout) still answer 503 when it is down.

Not in a lane: the probes (/healthz, /readyz, /metrics: operations must see an overloaded
process as alive), static files (cheap, and a page already served needs its CSS and scripts)
and WebSocket upgrades (long-lived live viewers, limited by the live hub).
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.i18n import gettext as _
from app.web.csrf import UNSAFE_METHODS
from app.web.htmx import error_response

SHED_KEY = "pivotal.shed_retry_after"
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
EXEMPT_PREFIXES = ("/static/",)


@dataclass
class _Waiter:
    admitted: anyio.Event = field(default_factory=anyio.Event)


class WriteLaneMiddleware:
    """Outermost: admit writes at once; hold reads back while writes are in flight; shed reads
    beyond the bounds (marked for `ShedMiddleware`). A held read costs nothing but its wait: no
    session cookie decoded, no language looked up, no thread taken.

    `reads_in_flight`: reads served at once when no write is in flight (0: no lane at all);
    `reads_beside_writes`: reads served at once while a write is; `reads_waiting`: reads that may
    wait for admission (the next one is shed at once); `read_wait`: seconds a read may wait
    before it is shed; `retry_after`: the seconds a shed read is told to wait.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        reads_in_flight: int,
        reads_beside_writes: int,
        reads_waiting: int,
        read_wait: float,
        retry_after: int,
    ) -> None:
        self.app = app
        self.reads_in_flight = reads_in_flight
        self.reads_beside_writes = reads_beside_writes
        self.reads_waiting = reads_waiting
        self.read_wait = read_wait
        self.retry_after = retry_after
        self.reads = 0
        self.writes = 0
        self.waiting: collections.deque[_Waiter] = collections.deque()
        self.shed = 0  # reads shed since the process started (for tests and the curious)

    def _read_room(self) -> bool:
        limit = self.reads_beside_writes if self.writes else self.reads_in_flight
        return self.reads < limit

    def _admit_waiting(self) -> None:
        while self.waiting and self._read_room():
            waiter = self.waiting.popleft()
            self.reads += 1
            waiter.admitted.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.reads_in_flight <= 0 or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE_METHODS:
            self.writes += 1
            try:
                await self.app(scope, receive, send)
            finally:
                self.writes -= 1
                self._admit_waiting()
            return
        if not await self._admit_read():
            # Answered by `ShedMiddleware`, innermost, so the 503 has the language, security
            # headers and request id of any other answer.
            self.shed += 1
            scope[SHED_KEY] = self.retry_after
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.reads -= 1
            self._admit_waiting()

    async def _admit_read(self) -> bool:
        """Take a read slot (True), or give up: too many waiting, or waited too long (False)."""
        if not self.waiting and self._read_room():
            self.reads += 1
            return True
        if len(self.waiting) >= self.reads_waiting:
            return False
        waiter = _Waiter()
        self.waiting.append(waiter)
        try:
            with anyio.move_on_after(self.read_wait):
                await waiter.admitted.wait()
        except BaseException:  # cancelled while waiting (shutdown): give back what it holds
            if waiter.admitted.is_set():
                self.reads -= 1
                self._admit_waiting()
            else:
                self.waiting.remove(waiter)
            raise
        if waiter.admitted.is_set():
            return True  # admitted (perhaps just as the wait ran out): the slot is ours
        self.waiting.remove(waiter)
        return False


class ShedMiddleware:
    """Innermost: answer a read the lane shed with 503 and Retry-After (JSON for the API, the
    error page for pages) instead of handling it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        retry_after = scope.get(SHED_KEY)
        if retry_after is None:
            await self.app(scope, receive, send)
            return
        message = _("Many people are using the service right now. Please try again in a moment.")
        response = error_response(Request(scope, receive), 503, [message], "overloaded")
        response.headers["Retry-After"] = str(retry_after)
        await response(scope, receive, send)


def _exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)
