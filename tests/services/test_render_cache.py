"""Rendered fragments are reused until the project's content version moves."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session

from app.models.need import CommentCreate, NeedCreate
from app.services import needs, participation, permissions
from app.services.render_cache import VersionedCache
from tests.conftest import World


def test_cache_rebuilds_only_when_the_version_moves() -> None:
    cache = VersionedCache()
    builds: list[int] = []

    def build(n: int):  # type: ignore[no-untyped-def]
        return lambda: builds.append(n) or f"html-{n}"

    assert cache.get_or_build("k", 1, build(1)) == "html-1"
    assert cache.get_or_build("k", 1, build(2)) == "html-1"
    assert cache.get_or_build("k", 2, build(3)) == "html-3"
    assert builds == [1, 3]


def test_cache_stays_bounded() -> None:
    cache = VersionedCache(max_entries=2)
    for key in "abc":
        cache.get_or_build(key, 1, lambda key=key: key)
    assert cache.get_or_build("a", 1, lambda: "rebuilt") == "rebuilt"


def test_concurrent_readers_of_a_new_version_render_it_once() -> None:
    cache = VersionedCache()
    builds: list[int] = []
    gate = threading.Event()

    def slow() -> str:
        gate.wait(5)
        builds.append(1)
        return "html"

    threads = [threading.Thread(target=cache.get_or_build, args=("k", 7, slow)) for _ in range(8)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(5)
    assert builds == [1]


def test_every_contribution_moves_the_project_version(session: Session, world: World) -> None:
    rel = permissions.relation(session, world.employee, world.public)
    versions = [participation.project_version(session, project_id=world.public.id)]
    need = needs.post_need(
        session, rel=rel, data=NeedCreate(title="Behov", problem="Noe må bli bedre.")
    )
    session.commit()
    versions.append(participation.project_version(session, project_id=world.public.id))
    citizen = permissions.relation(session, world.citizen, world.public)
    needs.support_need(session, rel=citizen, need=need)
    session.commit()
    versions.append(participation.project_version(session, project_id=world.public.id))
    needs.add_comment(session, rel=citizen, need=need, data=CommentCreate(body="Enig"))
    session.commit()
    versions.append(participation.project_version(session, project_id=world.public.id))
    assert versions == sorted(set(versions))  # strictly increasing
    assert participation.project_version(session, project_id=world.internal.id) == 0


def test_readers_get_the_previous_version_while_the_new_one_renders() -> None:
    cache = VersionedCache()
    cache.get_or_build("k", 1, lambda: "old")
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "new"

    builder = threading.Thread(target=cache.get_or_build, args=("k", 2, slow))
    builder.start()
    started.wait(5)
    assert cache.get_or_build("k", 2, lambda: "duplicate render") == "old"
    release.set()
    builder.join(5)
    assert cache.get_or_build("k", 2, lambda: "duplicate render") == "new"


def test_recent_serves_any_version_only_within_the_max_age(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services import render_cache

    clock = [100.0]
    monkeypatch.setattr(render_cache.time, "monotonic", lambda: clock[0])
    cache: VersionedCache[str] = VersionedCache()
    cache.get_or_build("page", 1, lambda: "old")
    clock[0] += 0.5
    assert cache.recent("page", 1.0) == "old"  # younger than a second: no version check
    assert cache.peek("page", 2, max_age=1.0) == "old"
    clock[0] += 1.0
    assert cache.recent("page", 1.0) is None  # too old: the caller asks for the version
    assert cache.peek("page", 2, max_age=1.0) is None
    assert cache.recent("missing", 1.0) is None


def test_participation_forgets_organisation_kinds_with_the_database(
    session: Session, world: World
) -> None:
    from app import db

    rel = permissions.relation(session, world.employee, world.public)
    needs.post_need(session, rel=rel, data=NeedCreate(title="Behov", problem="Et problem."))
    assert participation._org_kinds  # remembered for the next contribution
    db.reset_engine()
    assert not participation._org_kinds


def test_a_refresh_serves_the_older_version_at_once_and_stores_the_new_one_once() -> None:
    cache: VersionedCache[str] = VersionedCache()
    assert cache.get_or_refresh("k", 1, lambda: "v1", lambda: ("k", 1, "never")) == (1, "v1")
    gate, refreshed = threading.Event(), threading.Event()
    runs: list[int] = []

    def refresh() -> tuple[str, int, str]:
        runs.append(1)
        gate.wait(5)
        refreshed.set()
        return "k", 2, "v2"

    for _ in range(5):  # however many ask meanwhile: the older one at once, one refresh
        assert cache.get_or_refresh("k", 2, lambda: "blocking", refresh) == (1, "v1")
    gate.set()
    assert refreshed.wait(5)
    deadline = time.monotonic() + 5
    while cache.peek("k", 2) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.get_or_refresh("k", 2, lambda: "blocking", refresh) == (2, "v2")
    assert runs == [1]


def test_a_refresh_begun_before_a_clear_is_not_stored() -> None:
    cache: VersionedCache[str] = VersionedCache()
    cache.get_or_build("k", 1, lambda: "old database")
    gate, done = threading.Event(), threading.Event()

    def refresh() -> tuple[str, int, str]:
        gate.wait(5)
        done.set()
        return "k", 2, "from the old database"

    cache.get_or_refresh("k", 2, lambda: "x", refresh)
    cache.clear()  # tests switch databases: ids repeat
    gate.set()
    assert done.wait(5)
    time.sleep(0.05)
    assert cache.peek("k", 2) is None
    assert cache.get_or_refresh("k", 2, lambda: "new", refresh) == (2, "new")  # nothing stored
