"""The routers every domain opens: its pages and its part of the JSON API, with one write recipe."""

from __future__ import annotations

import re
from typing import cast

from fastapi import APIRouter, FastAPI
from fastapi.routing import _IncludedRouter
from starlette._utils import get_route_path
from starlette.routing import Match, Mount, compile_path
from starlette.types import Scope

from app.web.commit import CommittingRoute
from app.web.csrf import CsrfProtected


def page_router() -> APIRouter:
    """A domain's pages: writes commit on return, unsafe requests carry the CSRF token."""
    return APIRouter(
        route_class=CommittingRoute, include_in_schema=False, dependencies=[CsrfProtected]
    )


def api_router(tag: str, *, prefix: str = "", csrf: bool = True) -> APIRouter:
    """A domain's part of the JSON API under one tag: writes commit on return, CSRF-checked
    (for cookie callers) unless `csrf` is off."""
    return APIRouter(
        route_class=CommittingRoute,
        prefix=prefix,
        tags=[tag],
        dependencies=[CsrfProtected] if csrf else [],
    )


class _GuardedRouter(_IncludedRouter):
    """An included router that answers "no match" at once for a path none of its routes can
    match (`guard_routers`)."""

    literal_starts: tuple[str, ...] = ()
    paths: re.Pattern[str] = re.compile("(?!)")  # matches nothing until `guard_routers` sets it

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path.startswith(self.literal_starts) and self.paths.match(path):
            return super().matches(scope)
        return Match.NONE, {}


def guard_routers(app: FastAPI) -> None:
    """Let each included router of `app` turn away at once a path that none of its routes can
    match, so that a request is not tried against every route of every router before its own.

    FastAPI tries the app's routers in turn, and each tries its routes in turn: a page of the
    domain included fortieth was matched against some 240 routes first (0.3 ms a request). A
    router whose routes all have a path checks first that the path begins as one of theirs (up
    to its first parameter) and then matches one of their patterns, all in one expression; it
    matches as before when it does. The routes tried, and their order, stay the same for every
    path a route can match.
    """
    for route in app.router.routes:
        if type(route) is _IncludedRouter:
            paths = _paths(route.original_router, route.include_context.prefix)
            if paths is not None:
                route.__class__ = _GuardedRouter
                guarded = cast(_GuardedRouter, route)
                guarded.literal_starts = tuple(sorted({p.split("{", 1)[0] for p in paths}))
                patterns = (_GROUP.sub("(?:", compile_path(p)[0].pattern) for p in set(paths))
                guarded.paths = re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


# A named group of a route's pattern: the names repeat across a router's routes.
_GROUP = re.compile(r"\(\?P<\w+>")


def _paths(router: APIRouter, prefix: str) -> list[str] | None:
    """Each route's path, after `prefix`; None when a route has no path to tell (the router is
    then left as it is)."""
    paths: list[str] = []
    for route in router.routes:
        if isinstance(route, _IncludedRouter):
            nested = _paths(route.original_router, prefix + route.include_context.prefix)
            if nested is None:
                return None
            paths.extend(nested)
            continue
        path = getattr(route, "path", None)
        if not isinstance(path, str) or isinstance(route, Mount):
            return None
        paths.append(prefix + path)
    return paths
