"""CSRF: every unsafe request that rides on the session cookie carries the session's token."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from app.services.errors import Forbidden
from app.web.auth import SESSION_KEY

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Where the token goes in a page rendered once for many people: each gets theirs spliced in.
# (A NUL byte, which no form lets anyone write, so nothing people wrote can pass for it.)
CSRF_SLOT = "\x00csrf-token\x00"


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use (its slot while a page shared by an
    audience is rendered: app/web/shared_pages.py)."""
    if getattr(request.state, "shared_render", False):
        return CSRF_SLOT
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse unsafe requests that ride on the session cookie without the session's token."""
    if request.method not in UNSAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # a bearer token is not sent by the browser on its own
    if request.url.path.startswith("/api/") and SESSION_KEY not in request.session:
        return  # no ambient credentials to abuse; the endpoint itself demands a login
    sent: str | UploadFile | None = request.headers.get("x-csrf-token")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get("csrf_token")
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise Forbidden(
            "The form has expired or did not come from this site. Reload the page and try again."
        )


CsrfProtected = Depends(verify_csrf)
