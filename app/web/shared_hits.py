"""A logged-in person's page straight from the render their audience shares, in one statement.

Most pages logged-in people ask for were rendered, at the same version, for someone who stands
alike to the project (app/web/shared_pages.py). All such a request needs besides that render —
that the session is live, who the person is and how they stand to the project, the project (or
need) and its version, the person's unread count — is read here in one Core statement on a
connection of its own, and the page is put together from what is kept in memory: no ORM
session, no further statement. The person's own parts (their follow button, their comments)
are those kept from their last request of the page at the same version, or rendered from facts
the same statement read (`OwnParts`: whether they follow the project).

Anything out of the ordinary gives None, and the full path answers as it always would: a session
unknown, idle or due its touch, a page not yet rendered at this version, an unread count that
needs checking, a project or need out of the person's sight, a procurer's need page (theirs
alone), own parts neither kept nor to be drawn from the facts read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    RowMapping,
    Select,
    bindparam,
    select,
)
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from app.db import get_engine
from app.models import LoginSession, Need, Project, User
from app.models.base import Role, utcnow
from app.services import merge_suggestions, organisation_look, permissions, requirements, sessions
from app.services.notifications import inbox
from app.services.permissions import ProjectRelation
from app.web import shared_pages
from app.web.auth import SESSION_KEY, note_caller

# A fact of the person's own parts: SQL from the person's id and the project's id.
Fact = Callable[[ColumnElement[int], ColumnElement[int]], ColumnElement[Any]]


@dataclass(frozen=True, eq=False)
class OwnParts:
    """What a project page's own parts (its `own_part` slots besides the header) show.

    `read` gives their context on the full path; in a shared hit the statement reads `facts`
    (SQL columns by name) and `context` turns them into the same context, or None when the
    parts need more than the facts (then only parts kept from the person's last request of the
    page at the same version will do).
    """

    read: Callable[[Session, ProjectRelation], dict[str, Any]]
    facts: Mapping[str, Fact]
    context: Callable[[Mapping[str, Any]], dict[str, Any] | None]


NOTHING_OWN = OwnParts(read=lambda _session, _rel: {}, facts={}, context=lambda _facts: {})

_USER = User.__table__.c  # type: ignore[attr-defined]
_PROJECT = Project.__table__.c  # type: ignore[attr-defined]


async def project_page(request: Request, project_id: int, parts: OwnParts) -> HTMLResponse | None:
    """The person's page about the project from the shared render, or None (see above)."""
    if not _may_hit(request):
        return None
    return await run_in_threadpool(_project_hit, request, project_id, parts)


async def need_page(request: Request, need_id: int) -> HTMLResponse | None:
    """The person's need page from the shared render, with their own parts as kept from their
    last request of it at the same version; or None (see above)."""
    if not _may_hit(request):
        return None
    return await run_in_threadpool(_need_hit, request, need_id)


async def site_page(
    request: Request, version_for: Callable[[User], Executable]
) -> HTMLResponse | None:
    """The person's page about the whole site (the front page), shared while the row
    `version_for` finds for them stays the same; or None (see above)."""
    if not _may_hit(request):
        return None
    return await run_in_threadpool(_site_hit, request, version_for)


def _may_hit(request: Request) -> bool:
    """A plain page asked for with a session cookie (a bearer token, a query: the full path)."""
    return (
        SESSION_KEY in request.session
        and not request.url.query
        and "authorization" not in request.headers
    )


def _project_hit(request: Request, project_id: int, parts: OwnParts) -> HTMLResponse | None:
    with get_engine().connect() as connection:
        row = _read(connection, request, _project_statement(parts), project_id)
    if row is None:
        return None
    user, unread, facts = row
    rel = _relation(user, facts)
    if not rel.can_view:
        return None
    own = parts.context({name: facts[f"own__{name}"] for name in parts.facts})
    if own is not None:
        own = {"project": rel.project, "rel": rel, **own}
    return _shared(request, rel, unread, facts, own=own)


def _need_hit(request: Request, need_id: int) -> HTMLResponse | None:
    with get_engine().connect() as connection:
        row = _read(connection, request, _need_statement(), need_id)
    if row is None:
        return None
    user, unread, facts = row
    rel = _relation(user, facts)
    need = Need(**{name: facts[f"need__{name}"] for name in Need.model_fields})
    if not rel.can_view or not permissions.can_open_need(rel, need):
        return None
    if merge_suggestions.offered_to(rel):  # their need page is theirs alone
        return None
    wrote = need_id if permissions.is_author(rel, need) else None
    return _shared(request, rel, unread, facts, wrote=wrote)


def _shared(
    request: Request,
    rel: ProjectRelation,
    unread: int,
    facts: RowMapping,
    *,
    wrote: int | None = None,
    own: dict[str, Any] | None = None,
) -> HTMLResponse | None:
    """The project's page from the shared render (`shared_pages.shared_hit`)."""
    return shared_pages.shared_hit(
        request,
        rel=rel,
        version=page_version(rel.project),
        unread=unread,
        co_author=bool(facts["co_author"]),
        wrote=wrote,
        own=own,
    )


def _relation(user: User, facts: RowMapping) -> ProjectRelation:
    """How the person stands to the project the statement read (`_with_project`)."""
    project = Project(**{name: facts[f"project__{name}"] for name in Project.model_fields})
    supplier = user.role == Role.supplier
    linked = bool(facts["registered"] if supplier else facts["partner"])
    return permissions.related(user, project, linked=linked)


def _site_hit(request: Request, version_for: Callable[[User], Executable]) -> HTMLResponse | None:
    with get_engine().connect() as connection:
        row = _read(connection, request, _site_statement(), None)
        if row is None:
            return None
        user, unread, _facts = row
        version = tuple(connection.execute(version_for(user)).one())
    return shared_pages.shared_hit(
        request, rel=None, version=version, own={}, unread=unread, co_author=False
    )


def page_version(project: Project) -> Hashable:
    """The version a project's page is shared at: its content's, and the owner's look (logo,
    colour), which is not content but which the page wears."""
    return (project.content_version, organisation_look.look_of(project.owner_org_id))


def _read(
    connection: Connection, request: Request, statement: Select[Any], object_id: int | None
) -> tuple[User, int, RowMapping] | None:
    """The person, their unread count and the statement's row, when the session is live and
    needs nothing written, and the unread count needs no check; the request notes the person."""
    key = sessions.key_hash(str(request.session[SESSION_KEY]))
    params = {"key_hash": key, "object_id": object_id}
    facts = connection.execute(statement, params).mappings().first()
    if facts is None or not sessions.seen_lately(facts["session_last_seen_at"], utcnow()):
        return None
    user = User(**{name: facts[f"user__{name}"] for name in User.model_fields})
    unread = inbox.kept_unread(facts["user__id"], facts["unread"], facts["newest_unread"])
    if unread is None:
        return None
    note_caller(request, user, facts["session_id"], facts["session_level"])
    return user, unread, facts


def _person() -> Select[Any]:
    """The live session with this key, its person and their unread notifications."""
    unread, newest = inbox.unread_of(_USER.id)
    return (
        select(
            col(LoginSession.id).label("session_id"),
            col(LoginSession.level).label("session_level"),
            col(LoginSession.last_seen_at).label("session_last_seen_at"),
            *(_USER[name].label(f"user__{name}") for name in User.model_fields),
            unread.label("unread"),
            newest.label("newest_unread"),
        )
        .join_from(LoginSession, User, col(LoginSession.user_id) == _USER.id)
        .where(col(LoginSession.key_hash) == bindparam("key_hash"))
    )


@cache
def _site_statement() -> Select[Any]:
    return _person()


@cache
def _project_statement(parts: OwnParts) -> Select[Any]:
    """The person (`_person`), the project, how they stand to it, and their own parts' facts."""
    statement = _with_project(_person().join(Project, _PROJECT.id == bindparam("object_id")))
    return statement.add_columns(
        *(fact(_USER.id, _PROJECT.id).label(f"own__{name}") for name, fact in parts.facts.items()),
    )


@cache
def _need_statement() -> Select[Any]:
    """The person (`_person`), the need, its project and how they stand to it."""
    need = Need.__table__.c  # type: ignore[attr-defined]
    statement = (
        _person()
        .join(Need, need.id == bindparam("object_id"))
        .join(Project, _PROJECT.id == need.project_id)
        .add_columns(*(need[name].label(f"need__{name}") for name in Need.model_fields))
    )
    return _with_project(statement)


def _with_project(statement: Select[Any]) -> Select[Any]:
    """The statement with the project it joined, and how the person stands to it: their
    organisation a partner in it or registered for it, they invited to co-author it."""
    user_id, org, project_id = _USER.id, _USER.organisation_id, _PROJECT.id
    return statement.add_columns(
        *(_PROJECT[name].label(f"project__{name}") for name in Project.model_fields),
        permissions.partner_in(org, project_id).label("partner"),
        permissions.registered_for(org, project_id).label("registered"),
        requirements.co_author_of(user_id, project_id).label("co_author"),
    )
