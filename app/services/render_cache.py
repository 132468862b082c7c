"""Rendered fragments kept until what they show changes.

Every change that a needs list or a comment thread shows is a contribution, and recording a
contribution bumps the project's `content_version` in the same transaction. A fragment is cached
under (what, object, audience) with that version and rebuilt when the version moves. That holds
across processes without any message: each one asks the database for the version. (A process
serves one database; tests that switch databases clear the cache.)

Rebuilds are single-flight: when a version moves under a hundred concurrent readers, one of them
renders; the others get the previous version meanwhile (one change behind, for a few
milliseconds) or, when there is none, wait for the render instead of all doing it at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """A bounded LRU of rendered HTML, each entry valid for one version of what it shows."""

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        # key -> (version, html, when it was stored on the monotonic clock)
        self._entries: OrderedDict[Hashable, tuple[Hashable, V, float]] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.stale = 0

    def _lookup(self, key: Hashable, version: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]
        return None

    def recent(self, key: Hashable, max_age: float) -> V | None:
        """What is stored for `key` if stored less than `max_age` seconds ago, whatever version."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry[2] < max_age:
                self.hits += 1
                return entry[1]
        return None

    def peek(self, key: Hashable, version: Hashable, max_age: float = 0.0) -> V | None:
        """The HTML for `key` at `version`; else an older one stored less than `max_age` seconds
        ago, or while the new one is being rendered; else None."""
        with self._lock:
            html = self._lookup(key, version)
            if html is not None:
                return html
            building, previous = self._building.get(key), self._entries.get(key)
            if previous is None:
                return None
            if time.monotonic() - previous[2] < max_age or (building and building.locked()):
                self.stale += 1
                return previous[1]
        return None

    def get_or_build(
        self, key: Hashable, version: Hashable, build: Callable[[], V], *, stale_ok: bool = True
    ) -> V:
        """The cached HTML for `key` at `version`, or build (once, however many ask), store it.

        With `stale_ok` false, never the version before: wait for the one being built.
        """
        with self._lock:
            html = self._lookup(key, version)
            if html is not None:
                return html
            building = self._building.setdefault(key, threading.Lock())
            previous = self._entries.get(key)
        if previous is not None and stale_ok and not building.acquire(blocking=False):
            # Someone is rendering the new version right now: serve the one before (it is at most
            # one change behind, and live viewers get the change pushed) instead of queueing.
            self.stale += 1
            return previous[1]
        if previous is not None and stale_ok:
            building.release()
        with building:
            with self._lock:
                html = self._lookup(key, version)
                if html is not None:
                    return html
            html = build()
            with self._lock:
                self.misses += 1
                self._entries[key] = (version, html, time.monotonic())
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    evicted, _ = self._entries.popitem(last=False)
                    self._building.pop(evicted, None)
        return html

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._entries.clear()
            self._building.clear()


fragments: VersionedCache[str] = VersionedCache()
cards: VersionedCache[str] = VersionedCache(max_entries=50_000)
# Whole pages for visitors who are not logged in, encoded, split where each visitor's own CSRF
# token goes: a page view joins the parts around the token and sends the bytes as they are.
pages: VersionedCache[tuple[bytes, ...]] = VersionedCache(max_entries=512)


# Other caches valid for one content version (similar needs' indexes), cleared with these.
class Clearable(Protocol):
    """A cache that can forget everything."""

    def clear(self) -> None:
        """Forget everything."""


C = TypeVar("C", bound=Clearable)
_registered: list[Clearable] = []


def register(cache: C) -> C:
    """Clear this cache with the others in `clear_all`; returns it."""
    _registered.append(cache)
    return cache


def clear_all() -> None:
    """Forget every cached fragment (tests switch databases, and ids repeat across them)."""
    for cache in _registered:
        cache.clear()
    fragments.clear()
    cards.clear()
    pages.clear()
