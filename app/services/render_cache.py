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

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger("pivotal.render_cache")
# Where `get_or_refresh` computes new versions behind the readers' backs: two at a time.
_refreshers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="refresh")

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """A bounded LRU of rendered HTML, each entry valid for one version of what it shows."""

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        # key -> (version, html, when it was stored on the monotonic clock)
        self._entries: OrderedDict[Hashable, tuple[Hashable, V, float]] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._refreshing: set[Hashable] = set()
        self._generation = 0  # moves with `clear`: a refresh begun before it is not stored
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
                self._store(key, version, html)
        return html

    def get_or_refresh(
        self,
        key: Hashable,
        version: Hashable,
        build: Callable[[], V],
        refresh: Callable[[], tuple[Hashable, Hashable, V]],
    ) -> tuple[Hashable, V]:
        """As `get_or_build`, with the version it is for, but never waiting for a rebuild when
        an older version is stored: that one is returned at once while `refresh` computes the
        current one on a thread of its own (in a session of its own: it returns the key,
        version and value it computed). For figures too costly to compute in a request."""
        with self._lock:
            html = self._lookup(key, version)
            if html is not None:
                return version, html
            previous = self._entries.get(key)
            start = previous is not None and key not in self._refreshing
            if start:
                self._refreshing.add(key)
                generation = self._generation
        if previous is None:
            return version, self.get_or_build(key, version, build)
        if start:
            _refreshers.submit(self._refresh, key, refresh, generation)
        self.stale += 1
        return previous[0], previous[1]

    def _refresh(
        self, key: Hashable, refresh: Callable[[], tuple[Hashable, Hashable, V]], generation: int
    ) -> None:
        try:
            fresh_key, version, value = refresh()
        except Exception:  # the next reader starts another; the stored one stays meanwhile
            log.warning("refreshing %r failed", key, exc_info=True)
            fresh_key = None
        with self._lock:
            self._refreshing.discard(key)
            if fresh_key is not None and generation == self._generation:
                self.misses += 1
                self._store(fresh_key, version, value)

    def _store(self, key: Hashable, version: Hashable, value: V) -> None:
        """Keep `value` for `key` at `version` (the lock held), evicting the least used."""
        self._entries[key] = (version, value, time.monotonic())
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            evicted, _ = self._entries.popitem(last=False)
            self._building.pop(evicted, None)

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._entries.clear()
            self._building.clear()
            self._generation += 1


fragments: VersionedCache[str] = VersionedCache()
cards: VersionedCache[str] = VersionedCache(max_entries=50_000)
# Whole pages for visitors who are not logged in, encoded, split where each visitor's own CSRF
# token goes: a page view joins the parts around the token and sends the bytes as they are.
pages: VersionedCache[tuple[bytes, ...]] = VersionedCache(max_entries=512)
# Whole pages for logged-in people, shared by all who stand alike to the page (app/web/
# shared_pages.py): encoded parts and, between them, where each person's own parts go.
shared_pages: VersionedCache[tuple[Any, ...]] = VersionedCache(max_entries=2048)


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
    shared_pages.clear()
