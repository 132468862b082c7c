"""The routers every domain opens: its pages and its part of the JSON API, with one write recipe."""

from __future__ import annotations

from fastapi import APIRouter

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
