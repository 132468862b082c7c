"""Logged-in people's pages, rendered once per audience and content version and shared.

Everyone who stands alike to a project (the same role, organisation, platform moderation, the
same relation to the project and the same login level: `shared_key`) sees the same page but for
what is their own: the header with their name and unread count, their CSRF token, their follow
button, their own comments and questions. A page is rendered once for all of them, with a
stand-in for the person that holds only what the key holds, and their own parts
are `own_part` slots (app/web/templating.py) filled per request.

The stand-in (`AudienceViewer`) refuses to tell anything else about the person: a template or a
service that reads their id or name while the shared page is rendered raises `SharedRenderError`
instead of putting one person's part into everyone's page, and the CSRF token reads as its slot
meanwhile.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any, cast

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app import i18n
from app.config import get_settings
from app.models import User
from app.services import permissions, render_cache, requirements
from app.services.notifications import inbox
from app.services.permissions import AudienceViewer, ProjectRelation, SharedRenderError
from app.web.csrf import CSRF_SLOT, csrf_token
from app.web.templating import (
    OWN_SLOT,
    OWN_SLOT_END,
    owns_something,
    page_theme,
    render,
    templates,
)

# What a shared page is stored as: its bytes, split where a slot goes; a slot is the CSRF
# token (None) or an own part (its template and arguments).
Slot = tuple[str, tuple[tuple[str, Any], ...]] | None
Segments = tuple[bytes | Slot, ...]

log = logging.getLogger("pivotal.web")
HEADER = "_site_header.html"
HEADERS_KEPT = 4096  # people's headers kept rendered (a few kB each)
_headers: OrderedDict[Hashable, tuple[bytes, ...]] = render_cache.register(OrderedDict())
_headers_lock = threading.Lock()

_SLOT = re.compile(f"{re.escape(OWN_SLOT)}(\\d+){re.escape(OWN_SLOT_END)}")


def shared_response(
    request: Request,
    session: Session,
    *,
    rel: ProjectRelation | None,
    version: Hashable,
    name: str,
    context: Callable[[User, ProjectRelation | None], dict[str, Any]],
    own: dict[str, Any],
    wrote: int | None = None,
) -> HTMLResponse:
    """The page for the logged-in person from the cache of everyone who stands alike (their
    relation `rel` to the page's project, if any) at `version`; rendered from `name` with
    `context` for their stand-in on a miss; its slots filled with their own parts (`own`: what
    those parts show besides the page's own context; `wrote`: the page's need, which the person
    wrote, so that it shows as theirs)."""
    user = request.state.user
    assert user is not None
    viewer = _viewer(session, user, rel, wrote)
    shared_rel = replace(rel, user=cast(User, viewer)) if rel is not None else None
    relation = (rel.member_org, rel.is_registered_supplier) if rel is not None else None
    login_level = str(getattr(request.state, "login_level", "basic"))
    key = ("shared-page", request.url.path, i18n.current_language(), viewer, relation, login_level)

    slots: list[Slot] = []

    def build() -> Segments:
        slots.clear()
        request.state.shared_render = True  # the CSRF token reads as its slot meanwhile
        try:
            page = context(cast(User, viewer), shared_rel)
            html = _render(request, name, {"user": viewer, "own_slots": slots, **page})
        finally:
            request.state.shared_render = False
        if csrf_token(request) in html:  # never, unless something read the session behind us
            raise SharedRenderError("a page shared by an audience holds the person's CSRF token")
        return _segments(html, slots)

    try:
        segments = render_cache.shared_pages.get_or_build(key, version, build)
    except SharedRenderError:
        # A part of the page that is the person's own was not marked so: in production they
        # get the page rendered for them alone (slower, never wrong); tests and development
        # fail loudly, so that it is marked.
        if get_settings().environment != "production":
            raise
        log.exception("a shared page read the person's own: rendered for them alone")
        return render(request, name, {**context(user, rel), **own})
    token = csrf_token(request)
    token_bytes = token.encode()
    unread = inbox.unread_count(session, user=user)
    base = {
        "request": request,
        "user": user,
        "csrf_token": token,
        "unread_notifications": lambda _: unread,
        **own,
    }
    out = bytearray()
    for segment in segments:
        if isinstance(segment, bytes):
            out += segment
        elif segment is None:
            out += token_bytes
        elif segment == (HEADER, ()):
            out += token_bytes.join(_header(request, user, unread))
        else:
            template, pairs = segment
            args = dict(pairs)
            if owns_something(base, args):
                out += templates.get_template(template).render({**base, **args}).encode()
    return HTMLResponse(bytes(out))


def _header(request: Request, user: User, unread: int) -> tuple[bytes, ...]:
    """The person's header, split where their CSRF token goes: kept per everything it shows
    (every field of the person, the page's address and language, their unread count)."""
    person = tuple(getattr(user, name) for name in User.model_fields)
    key = (person, request.url.path, i18n.current_language(), unread)
    parts = _headers.get(key)
    if parts is None:
        context = {
            "request": request,
            "user": user,
            "csrf_token": CSRF_SLOT,
            "unread_notifications": lambda _: unread,
        }
        html = templates.get_template(HEADER).render(context)
        parts = tuple(part.encode() for part in html.split(CSRF_SLOT))
        with _headers_lock:
            _headers[key] = parts
            if len(_headers) > HEADERS_KEPT:
                _headers.popitem(last=False)
    return parts


def _viewer(
    session: Session, user: User, rel: ProjectRelation | None, wrote: int | None
) -> AudienceViewer:
    """The person's stand-in: all a shared page may read of them, and part of its key."""
    # The project's procurers write its specification anyway; only the other staff of its
    # organisations may be invited to.
    co_author = (
        rel is not None
        and not rel.is_procurer
        and permissions.may_co_author(rel)
        and requirements.is_co_author(session, rel=rel)
    )
    return AudienceViewer(user.role, user.organisation_id, user.is_moderator, co_author, wrote)


def _render(request: Request, name: str, context: dict[str, Any]) -> str:
    ctx = {"request": request, "csrf_token": CSRF_SLOT, **context}
    ctx.setdefault("org_theme", page_theme(ctx))
    return templates.get_template(name).render(ctx)


def _segments(html: str, slots: list[Slot]) -> Segments:
    """The page rendered for an audience, split where each person's own parts go."""
    segments: list[bytes | Slot] = []
    for n, piece in enumerate(_SLOT.split(html)):
        if n % 2:
            segments.append(slots[int(piece)])
            continue
        for m, text in enumerate(piece.split(CSRF_SLOT)):
            if m:
                segments.append(None)
            segments.append(text.encode())
    return tuple(segments)
