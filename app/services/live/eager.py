"""Running a coroutine at once, in the caller's turn of the event loop, until it must wait.

A push to 10,000 sockets is 10,000 sends that almost never wait (the bytes go into the socket's
transport buffer). Giving each its own task costs a task, a wake-up and a turn of the loop per
socket; running each in the pushing loop costs a call. Only a send that must wait (its
transport's buffer is full: a slow reader) becomes a task, so it never holds up the others.
Python 3.12's eager tasks do the same; this serves 3.11 alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any

from app.services.live.bus import spawn


def start(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run `coroutine` now up to its first wait; None if it finished, else the task that
    finishes it."""
    try:
        waiting_on = coroutine.send(None)
    except StopIteration:
        return None
    return spawn(_finish(coroutine, waiting_on))


async def _finish(coroutine: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    await _Resumed(coroutine, waiting_on)


class _Resumed:
    """A coroutine stepped once and waiting on `waiting_on`: awaiting this hands that wait to
    the awaiting task (as if the task had run the coroutine from the start), then resumes it."""

    def __init__(self, coroutine: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        self.coroutine, self.waiting_on = coroutine, waiting_on

    def __await__(self) -> Generator[Any, None, None]:
        waiting_on = self.waiting_on
        while True:
            try:
                yield waiting_on
            except BaseException as exc:  # cancelled: the coroutine is told, as a task would
                try:
                    waiting_on = self.coroutine.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    waiting_on = self.coroutine.send(None)
                except StopIteration:
                    return
