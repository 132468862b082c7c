"""Two real server processes on one PostgreSQL: live updates cross processes through the bus."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from websockets.sync.client import ClientConnection, connect

from tests.conftest import PASSWORD, TEST_POSTGRES, World
from tests.servers import serve

pytestmark = pytest.mark.postgres

# `make test` runs these in its PostgreSQL pass (and fails under CI=true without PostgreSQL).
if not TEST_POSTGRES:
    pytest.skip(
        "needs PostgreSQL: run through scripts/with-postgres.sh (make test does)",
        allow_module_level=True,
    )


@pytest.fixture
def two_servers(database_url: str, world: World, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Processes A and B on the test's PostgreSQL database, with the PostgreSQL bus."""
    env = {
        **os.environ,
        "PIVOTAL_ENVIRONMENT": "production",
        "PIVOTAL_DATABASE_URL": database_url,
        "PIVOTAL_BUS_URL": database_url,
        "PIVOTAL_SECRET_KEY": "two-processes-share-this-secret-key-0123456789",
    }
    with serve(env, tmp_path / "a.log") as a, serve(env, tmp_path / "b.log") as b:
        yield a.url, b.url


def _token(base: str, email: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": email, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _watch(base: str, project_id: int) -> ClientConnection:
    url = base.replace("http://", "ws://") + f"/ws/projects/{project_id}"
    return connect(url, origin=base, open_timeout=10)  # type: ignore[arg-type]


def _receive_until(ws: ClientConnection, needle: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        message = str(ws.recv(timeout=left))
        if needle in message:
            return message
    raise AssertionError(f"{needle!r} did not arrive within {timeout} s")


def _post_need(base: str, headers: dict[str, str], project_id: int, title: str) -> None:
    response = httpx.post(
        f"{base}/api/v1/projects/{project_id}/needs",
        json={"title": title, "problem": "Beskrivelse av hva som må bli bedre."},
        headers=headers,
    )
    assert response.status_code == 201, response.text


def test_viewer_on_b_receives_need_posted_through_a(
    two_servers: tuple[str, str], world: World
) -> None:
    a, b = two_servers
    headers = _token(a, world.employee.email)
    with _watch(b, world.public.id) as ws:
        assert 'id="needs-list"' in _receive_until(ws, "needs-list")
        _post_need(a, headers, world.public.id, "Behov postet gjennom prosess A")
        pushed = _receive_until(ws, "Behov postet gjennom prosess A")
        assert "afterbegin:#needs-list" in pushed


def test_viewers_get_updates_after_the_bus_connection_drops(
    two_servers: tuple[str, str], world: World, database_url: str
) -> None:
    a, b = two_servers
    headers = _token(a, world.employee.email)
    with _watch(b, world.public.id) as ws:
        _receive_until(ws, "needs-list")
        engine = create_engine(database_url, poolclass=NullPool)
        with engine.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
                )
            ).scalar()
        engine.dispose()
        assert killed == 2  # both processes' listeners
        _post_need(
            a, headers, world.public.id, "Postet mens bussen var nede"
        )  # posting still works
        # B reconnects and resyncs its viewers: the full list, with the need posted meanwhile.
        resync = _receive_until(ws, 'id="needs-list"')
        if "Postet mens bussen var nede" not in resync:
            _receive_until(ws, "Postet mens bussen var nede")
        _post_need(a, headers, world.public.id, "Etter at bussen kom tilbake")
        _receive_until(ws, "Etter at bussen kom tilbake")
