"""One way a write is committed: every route that writes is a `CommittingRoute`.

Its endpoint commits the request's session in its own thread when it returns, found by the
session's type whatever the parameter is called (see `app/web/commit.py`).
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.routing import APIRoute

from app.db import SessionDep
from app.web import CommittingRoute
from tests.conftest import routes_of

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def api_routes() -> Iterator[tuple[str, APIRoute]]:
    """Every HTTP route of the app with its full path."""
    from app.main import app

    return ((path, route) for path, route in routes_of(app) if isinstance(route, APIRoute))


def writes() -> list[tuple[str, APIRoute]]:
    return [
        (f"{sorted(route.methods & UNSAFE)[0]} {path}", route)
        for path, route in api_routes()
        if route.methods & UNSAFE
    ]


def test_the_app_has_writes_to_check() -> None:
    assert len(writes()) > 50


def test_every_write_route_commits_through_the_committing_route() -> None:
    other = sorted(name for name, route in writes() if not isinstance(route, CommittingRoute))
    assert other == []


def test_every_write_commits_when_its_endpoint_returns() -> None:
    late = sorted(name for name, route in writes() if not route.commits_on_return)
    assert late == []


def test_the_session_is_found_by_its_type_whatever_its_name() -> None:
    def endpoint(db: SessionDep, session: int) -> None:
        """Writes through `db`."""

    route = CommittingRoute("/x", endpoint, methods=["POST"])
    assert route.commits_on_return


def test_an_async_endpoint_is_left_to_the_session_dependency() -> None:
    async def endpoint(session: SessionDep) -> None:
        """Writes in the event loop's thread."""

    route = CommittingRoute("/x", endpoint, methods=["POST"])
    assert not route.commits_on_return
