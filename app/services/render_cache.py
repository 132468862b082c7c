"""Rendered fragments kept until the project changes.

Every change that a needs list or a comment thread shows is a contribution, and recording a
contribution bumps the project's `content_version` in the same transaction. A fragment is cached
under (what, object, audience) with that version and rebuilt when the version moves. That holds
across processes without any message: each one asks the database for the version. (A process
serves one database; tests that switch databases clear the cache.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class VersionedCache:
    """A bounded LRU of rendered HTML, each entry valid for one version of its project."""

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, str]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, version: int, build: Callable[[], str]) -> str:
        """The cached HTML for `key` at `version`, or build, store and return it."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
        html = build()
        with self._lock:
            self.misses += 1
            current = self._entries.get(key)
            if current is None or current[0] <= version:
                self._entries[key] = (version, html)
                self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return html

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._entries.clear()


fragments = VersionedCache()
