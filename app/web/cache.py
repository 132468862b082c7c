"""The visitors' page cache: a project page rendered once per content version for all visitors,
and the front page once per version of the projects it lists.

Visitors who are not logged in all see the same page but for their CSRF token, which is spliced
into the cached parts on the way out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Executable, Select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import i18n
from app.config import get_settings
from app.db import get_engine, in_session
from app.models import User
from app.models.base import id_of
from app.services import participation, projects, render_cache
from app.services.permissions import ProjectRelation
from app.web import shared_hits, shared_pages
from app.web.auth import bearer_scheme, is_visitor, load_user
from app.web.csrf import CSRF_SLOT, csrf_token
from app.web.shared_hits import OwnParts
from app.web.templating import page_theme, render, templates


async def project_content_page(
    request: Request,
    version_query: Select[Any],
    object_id: int,
    page: Callable[[Session, User | None], Response],
) -> Response:
    """A page of a project's content, in at most one thread hop.

    Visitors who are not logged in all see the same page but for their CSRF token: it comes
    from the render cache when `version_query` (for `object_id`: the content version of the
    page's project, if visitors may see it) finds it current. Anyone else, and a visitor on a
    miss, gets `page` rendered with a session of its own, the user looked up in the same hop.
    """
    token = await bearer_scheme(request)
    if is_visitor(request, token) and not request.url.query:
        cached = await _cached_visitor_page(request, version_query, object_id)
        if cached is not None:
            return cached

    def render_page(session: Session) -> Response:
        return page(session, load_user(request, session, token))

    return await run_in_threadpool(in_session, render_page)


async def project_view_page(
    request: Request,
    project_id: int,
    name: str,
    context: Callable[[Session, ProjectRelation], dict[str, Any]],
    own: OwnParts,
) -> Response:
    """A page about one project (its own page, its Q&A), rendered from `name` with `context`
    for the viewer's relation to it (and `own`: what the person's own parts show); shared from
    the render cache while it is current (see `render_project_page`), for a logged-in person
    in one statement when it is (app/web/shared_hits.py)."""
    if hit := await shared_hits.project_page(request, project_id, own):
        return hit

    def page(session: Session, user: User | None) -> Response:
        rel = projects.get_project(session, user=user, project_id=project_id)
        return render_project_page(
            request,
            session,
            name,
            rel,
            lambda viewed: context(session, viewed),
            lambda viewed: own.read(session, viewed),
        )

    return await project_content_page(request, projects.VERSION_FOR_VISITORS, project_id, page)


def render_project_page(
    request: Request,
    session: Session,
    name: str,
    rel: ProjectRelation,
    context: Callable[[ProjectRelation], dict[str, Any]],
    own: Callable[[ProjectRelation], dict[str, Any]] | None = None,
    wrote: int | None = None,
) -> HTMLResponse:
    """Render a project content page once per version of the project and audience: for
    visitors, and for everyone who stands alike to the project (app/web/shared_pages.py).

    `context` is what the page shows for a relation to the project, `own` what the person's
    own parts (the template's `own_part` slots) show; every change such a page shows is a
    change recorded to the project (app/services/contribution.py), which moves its version.
    `wrote`: the page's need, which the person wrote (their page is shared with no one else).
    """
    mine = own(rel) if own else {}
    # A page asked for with a query (a searched or filtered needs list) is its own page: it is
    # neither taken from nor put in the cache of the plain one. A page that has not said what
    # is the person's own in it (`own`) is not shared by logged-in people.
    if request.url.query or (rel.user is not None and own is None):
        return render(request, name, {**context(rel), **mine})
    if rel.user is not None:
        return shared_pages.shared_response(
            request,
            session,
            rel=rel,
            version=shared_hits.page_version(rel.project),
            name=name,
            context=lambda _, shared: context(shared or rel),
            own={"project": rel.project, "rel": rel, **mine},
            wrote=wrote,
        )

    def build() -> tuple[bytes, ...]:
        return _visitor_parts(request, name, {**context(rel), **mine})

    version = participation.project_version(session, project_id=id_of(rel.project))
    parts = render_cache.pages.get_or_build(_visitor_page_key(request), version, build)
    return _visitor_response(request, parts)


async def site_page(
    request: Request,
    version_query: Executable,
    name: str,
    context: Callable[[Session, User | None], dict[str, Any]],
    version_for: Callable[[User], Executable] | None = None,
) -> Response:
    """A page about the whole site (the front page), rendered from `name` with `context` for
    the viewer, in one thread hop; for visitors who are not logged in once per version of what
    it shows (the row `version_query` finds), or at most once per max age without asking.

    Whatever changes such a page must move that row, as a contribution moves a project's
    content version. Logged-in people share it likewise with everyone who stands alike
    (app/web/shared_pages.py) while the row `version_for` finds for them stays the same.
    """
    if version_for is not None and (hit := await shared_hits.site_page(request, version_for)):
        return hit
    token = await bearer_scheme(request)
    visitor = is_visitor(request, token) and not request.url.query
    key = _visitor_page_key(request)
    if visitor:
        parts = render_cache.pages.recent(key, get_settings().visitor_page_max_age)
        if parts is not None:
            return _visitor_response(request, parts)

    def render_page(session: Session) -> Response:
        user = load_user(request, session, token)
        if user is not None and version_for is not None and not request.url.query:
            return shared_pages.shared_response(
                request,
                session,
                rel=None,
                version=tuple(session.execute(version_for(user)).one()),
                name=name,
                context=lambda viewer, _: context(session, viewer),
                own={},
            )
        if user is not None or not visitor:
            return render(request, name, context(session, user))

        def build() -> tuple[bytes, ...]:
            return _visitor_parts(request, name, context(session, None))

        version = tuple(session.execute(version_query).one())
        return _visitor_response(request, render_cache.pages.get_or_build(key, version, build))

    return await run_in_threadpool(in_session, render_page)


def _visitor_parts(request: Request, name: str, context: dict[str, Any]) -> tuple[bytes, ...]:
    """A visitor's page rendered, encoded and split where the CSRF token goes."""
    ctx = {"request": request, "user": None, "csrf_token": CSRF_SLOT, **context}
    ctx.setdefault("org_theme", page_theme(ctx))
    html = templates.get_template(name).render(ctx)
    return tuple(part.encode() for part in html.split(CSRF_SLOT))


def _visitor_response(request: Request, parts: tuple[bytes, ...]) -> HTMLResponse:
    return HTMLResponse(csrf_token(request).encode().join(parts))


def _visitor_page_key(request: Request) -> tuple[str, str, str]:
    return ("visitor-page", request.url.path, i18n.current_language())


async def _cached_visitor_page(
    request: Request, version_query: Select[Any], object_id: int
) -> HTMLResponse | None:
    """The visitor's page from the render cache if current (or younger than the max age).

    A page rendered less than the max age ago is served without asking the database at all:
    visitors may see a page that old anyway. (A change of who may see a project must therefore
    clear its pages from the cache, not wait for the version to move.)
    """
    key = _visitor_page_key(request)
    max_age = get_settings().visitor_page_max_age
    if (parts := render_cache.pages.recent(key, max_age)) is not None:
        return _visitor_response(request, parts)

    def current_version() -> int | None:
        with get_engine().connect() as connection:
            return connection.execute(version_query, {"object_id": object_id}).scalar_one_or_none()

    version = await run_in_threadpool(current_version)
    if version is None:
        return None  # out of visitors' sight: the full route says so
    parts = render_cache.pages.peek(key, version, max_age)
    return None if parts is None else _visitor_response(request, parts)
