"""Jobs each process runs every few seconds for its whole life (the outbox, the digests)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger("pivotal.periodic")


async def every(interval: float, job: Callable[[], object], *, what: str) -> None:
    """Run `job` in a thread every `interval` seconds; a failed round is logged, not fatal."""
    while True:
        try:
            await asyncio.to_thread(job)
        except Exception:  # a broken round must not stop the next one
            log.exception("%s failed", what)
        await asyncio.sleep(interval)
