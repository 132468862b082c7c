"""The routers' guards (app/web/routing.py) turn away only paths none of their routes can
match: for the path of every route, and for paths next to them, each router answers as it
would unguarded."""

from __future__ import annotations

import re

from fastapi.routing import _IncludedRouter
from starlette.routing import Match

from app.main import create_app
from app.web.routing import _GuardedRouter

PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _sample(path: str, value: str) -> str:
    """The route's path with each parameter given `value` (a path parameter two segments)."""
    return PARAM.sub(lambda m: f"{value}/{value}" if m.group(2) == "path" else value, path)


def _scope(path: str, method: str = "GET") -> dict[str, object]:
    return {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}


def _every_path(app: object) -> list[str]:
    paths: list[str] = []
    for route in app.router.routes:  # type: ignore[attr-defined]
        inner = route.original_router.routes if isinstance(route, _IncludedRouter) else [route]
        prefix = route.include_context.prefix if isinstance(route, _IncludedRouter) else ""
        for each in inner:
            path = prefix + getattr(each, "path", "")
            for value in ("1", "new", "x.y"):
                sample = _sample(path, value)
                paths += [sample, sample + "/", sample.rstrip("/") + "/extra", sample + "x"]
    return [*sorted(set(paths)), "/", "", "/unknown", "/api/v1/unknown"]


def test_every_router_answers_every_path_as_it_would_unguarded() -> None:
    app = create_app()
    guarded = [r for r in app.router.routes if isinstance(r, _GuardedRouter)]
    assert len(guarded) > 40  # every domain's pages and API (none left unguarded by mistake)
    paths = _every_path(app)
    assert len(paths) > 1000
    for path in paths:
        for method in ("GET", "POST"):
            scope = _scope(path, method)
            for router in guarded:
                seen = router.matches(dict(scope))[0]
                unguarded = _IncludedRouter.matches(router, dict(scope))[0]
                assert seen == unguarded, (path, method, router.include_context.prefix)


def test_a_page_is_found_past_the_routers_before_it() -> None:
    app = create_app()
    scope = _scope("/projects/3/metrics")
    matched = [r for r in app.router.routes if r.matches(dict(scope))[0] == Match.FULL]
    assert len(matched) == 1
