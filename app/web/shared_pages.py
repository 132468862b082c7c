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
OWNED_BYTES = 32 * 1024 * 1024  # people's own parts of pages kept rendered, in all
Parts = dict[int, tuple[bytes, ...]]  # a person's own parts of a page by slot, split for CSRF


class _KeptParts:
    """People's own parts of pages kept rendered, each with the shared render it fills; the
    least recently used go beyond a budget of bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[Hashable, tuple[Segments, Parts, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, segments: Segments) -> Parts | None:
        with self._lock:
            kept = self._entries.get(key)
            if kept is None or kept[0] is not segments:
                return None
            self._entries.move_to_end(key)
            return kept[1]

    def put(self, key: Hashable, segments: Segments, parts: Parts) -> None:
        size = sum(len(piece) for pieces in parts.values() for piece in pieces) + 200
        if size > self.budget // 16:
            return  # parts that large are rendered each time rather than crowd out the rest
        with self._lock:
            if (old := self._entries.pop(key, None)) is not None:
                self._size -= old[2]
            self._entries[key] = (segments, parts, size)
            self._size += size
            while self._size > self.budget:
                self._size -= self._entries.popitem(last=False)[1][2]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


_kept_parts = render_cache.register(_KeptParts(OWNED_BYTES))

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
    viewer = _viewer(
        user, rel, wrote, lambda: rel is not None and requirements.is_co_author(session, rel=rel)
    )
    shared_rel = replace(rel, user=cast(User, viewer)) if rel is not None else None
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

    key = _key(request, viewer, rel)
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
    unread = inbox.unread_count(session, user=user)
    parts = _kept(key, version, segments, user)
    if parts is None:
        parts = _own_parts(request, (key, version), segments, user, unread, own)
    return _filled(request, segments, user, unread, parts)


def shared_hit(
    request: Request,
    *,
    rel: ProjectRelation | None,
    version: Hashable,
    unread: int,
    co_author: bool,
    wrote: int | None = None,
    own: dict[str, Any] | None = None,
) -> HTMLResponse | None:
    """The page from the cache of everyone who stands alike, if rendered at `version` (or being
    rendered anew), its slots filled; else None. As `shared_response`, but with what it reads
    of the person already read (app/web/shared_hits.py): their unread count, whether they were
    invited to co-author the project's specification, and what their own parts show (`own`),
    unless those parts are kept from an earlier request of theirs at this version."""
    user = request.state.user
    viewer = _viewer(user, rel, wrote, lambda: co_author)
    key = _key(request, viewer, rel)
    segments = render_cache.shared_pages.peek(key, version)
    if segments is None:
        return None
    parts = _kept(key, version, segments, user)
    if parts is None and own is not None:
        parts = _own_parts(request, (key, version), segments, user, unread, own)
    return None if parts is None else _filled(request, segments, user, unread, parts)


def _key(request: Request, viewer: AudienceViewer, rel: ProjectRelation | None) -> Hashable:
    """Who shares a page: everyone with the same stand-in, relation to the page's project and
    login level, for the same address and language."""
    relation = (rel.member_org, rel.is_registered_supplier) if rel is not None else None
    login_level = str(getattr(request.state, "login_level", "basic"))
    return ("shared-page", request.url.path, i18n.current_language(), viewer, relation, login_level)


def _filled(
    request: Request, segments: Segments, user: User, unread: int, parts: Parts
) -> HTMLResponse:
    """The shared page with the person's CSRF token, header and own `parts` in its slots."""
    token = csrf_token(request).encode()
    out = bytearray()
    for n, segment in enumerate(segments):
        if isinstance(segment, bytes):
            out += segment
        elif segment is None:
            out += token
        elif segment == (HEADER, ()):
            out += token.join(_header(request, user, unread))
        else:
            out += token.join(parts[n])
    return HTMLResponse(bytes(out))


def _own_parts(
    request: Request,
    page: tuple[Hashable, Hashable],
    segments: Segments,
    user: User,
    unread: int,
    own: dict[str, Any],
) -> Parts:
    """The person's own parts of the page (`page`: its key and version) by slot, split where
    their CSRF token goes: rendered with `own` (what they show besides the page's context), and
    kept for the person's next request of the page at the same version; everything they show
    is a change recorded to the project (which moves the version) or a field of the person
    (part of the key)."""
    base = {
        "request": request,
        "user": user,
        "csrf_token": CSRF_SLOT,
        "unread_notifications": lambda _: unread,
        **own,
    }
    parts: Parts = {}
    for n, segment in enumerate(segments):
        if isinstance(segment, tuple) and segment != (HEADER, ()):
            template, pairs = segment
            args = dict(pairs)
            html = ""
            if owns_something(base, args):
                html = templates.get_template(template).render({**base, **args})
            parts[n] = tuple(part.encode() for part in html.split(CSRF_SLOT))
    _kept_parts.put((*page, _person(user)), segments, parts)
    return parts


def _kept(key: Hashable, version: Hashable, segments: Segments, user: User) -> Parts | None:
    """The person's own parts of the page as `_own_parts` kept them, for these segments."""
    return _kept_parts.get((key, version, _person(user)), segments)


def _person(user: User) -> tuple[Any, ...]:
    """Everything stored of the person (what their own parts and header may show)."""
    return tuple(getattr(user, name) for name in User.model_fields)


def _header(request: Request, user: User, unread: int) -> tuple[bytes, ...]:
    """The person's header, split where their CSRF token goes: kept per everything it shows
    (every field of the person, the page's address and language, their unread count)."""
    key = (_person(user), request.url.path, i18n.current_language(), unread)
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
    user: User, rel: ProjectRelation | None, wrote: int | None, invited: Callable[[], bool]
) -> AudienceViewer:
    """The person's stand-in: all a shared page may read of them, and part of its key
    (`invited`: whether they were invited to co-author the project's specification)."""
    # The project's procurers write its specification anyway; only the other staff of its
    # organisations may be invited to.
    co_author = (
        rel is not None and not rel.is_procurer and permissions.may_co_author(rel) and invited()
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
