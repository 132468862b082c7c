"""What every router shares: who is asking, CSRF, templates, and turning errors into responses."""

from __future__ import annotations

import functools
import hmac
import inspect
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import Select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection

from app import i18n
from app.config import get_settings
from app.db import SessionDep, get_engine, in_session
from app.i18n import N_
from app.i18n import gettext as _
from app.models import IdempotentRequest, User
from app.models.base import PHASE_LABELS, NeedStatus, Phase, Role, id_of
from app.services import (
    api_tokens,
    idempotency,
    participation,
    permissions,
    render_cache,
    sessions,
)
from app.services.errors import Forbidden, Invalid, PivotalError, TooManyAttempts
from app.services.markdown import render_markdown
from app.services.permissions import ProjectRelation

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        extensions=["jinja2.ext.i18n"],
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.env.filters["markdown"] = render_markdown
templates.env.filters["datetime"] = i18n.format_time
templates.env.globals.update(
    NeedStatus=NeedStatus,
    Phase=Phase,
    Role=Role,
    LANGUAGES=i18n.LANGUAGES,
    current_language=i18n.current_language,
    live_socket_url=i18n.live_socket_url,
)

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


SESSION_KEY = "sid"  # the cookie's name for the server-side session's random key


def _load_user(request: Request, session: Session, token: str | None) -> User | None:
    user: User | None = None
    request.state.login_session_id = None
    if token:
        user = api_tokens.user_from_token(session, token)
    elif (key := request.session.get(SESSION_KEY)) is not None:
        found = sessions.find(session, key=str(key))
        if found is None:  # logged out elsewhere, or idle too long: a visitor from now on
            request.session.pop(SESSION_KEY, None)
        else:
            user = found.user
            request.state.login_session_id = found.login_session.id
    # Templates get a detached copy: an error page is rendered after the rollback, which
    # expires every object the request's session loaded.
    request.state.user = User(**{f: getattr(user, f) for f in User.model_fields}) if user else None
    return user


def _is_visitor(request: Request, token: str | None) -> bool:
    """Neither a bearer token nor a logged-in session: nothing to look up."""
    if token or SESSION_KEY in request.session:
        return False
    request.state.user = None
    return True


async def _current_user(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(bearer_scheme)]
) -> User | None:
    """The caller: a bearer token's user, else the logged-in session's user, else anonymous."""
    if _is_visitor(request, token):
        return None  # no database, no thread
    return await run_in_threadpool(_load_user, request, session, token)


CurrentUser = Annotated[User | None, Depends(_current_user)]


class CommittingRoute(APIRoute):
    """A route whose sync endpoint commits the request's session in its own thread on return.

    A write holds SQLite's write lock (or PostgreSQL's row locks) from its first flush to the
    commit. Left to the session dependency, the commit would come two thread hops later, after
    the response is validated; under load each hop waits for the GIL, and every other writer
    waits behind it. An endpoint that raises commits nothing: the dependency rolls back.
    A write sent with an Idempotency-Key keeps its answer in the same commit (see `idempotent`).
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        takes_session = "session" in inspect.signature(endpoint).parameters
        if takes_session and not inspect.iscoroutinefunction(endpoint):
            endpoint = _commit_on_return(endpoint, self)
        super().__init__(path, endpoint, **kwargs)
        model = self.response_model
        self.answer_adapter = TypeAdapter(model) if model is not None else None


def _commit_on_return(endpoint: Callable[..., Any], route: CommittingRoute) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def committing(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        session: Session = kwargs["session"]
        claim = session.info.pop(IDEMPOTENCY, None)
        if claim is not None and (answer := _answer(route, result)) is not None:
            idempotency.remember(session, claim=claim, **answer)
        session.commit()
        return result

    return committing


def _answer(route: CommittingRoute, result: Any) -> dict[str, Any] | None:
    """The answer FastAPI is about to send for `result`, to keep for a retry (None: not kept)."""
    if isinstance(result, Response):
        if isinstance(result, StreamingResponse):
            return None  # a file: nothing a retry would write twice
        return {
            "status_code": result.status_code,
            "media_type": result.media_type or "",
            "body": bytes(result.body),
        }
    status = route.status_code or 200
    if (result is None and route.answer_adapter is None) or status == 204:
        return {"status_code": status, "media_type": "", "body": b""}
    if route.answer_adapter is not None:
        content = route.answer_adapter.dump_python(
            route.answer_adapter.validate_python(result, from_attributes=True), mode="json"
        )
    else:
        content = jsonable_encoder(result)
    return {
        "status_code": status,
        "media_type": "application/json",
        "body": JSONResponse(content).body,
    }


IDEMPOTENCY = "idempotency"


class Replay(Exception):
    """A retried write: send its first answer again."""

    def __init__(self, stored: IdempotentRequest) -> None:
        super().__init__(stored.route)
        # Copied: the request's session is rolled back (and its objects expired) before sending.
        self.answer = Response(
            stored.body,
            status_code=stored.status_code,
            media_type=stored.media_type or None,
            headers={"Idempotent-Replayed": "true"},
        )


async def replay_handler(request: Request, exc: Exception) -> Response:
    """The first answer to a write, sent again for its retry."""
    assert isinstance(exc, Replay)
    return exc.answer


async def idempotent(request: Request, session: SessionDep, user: CurrentUser) -> None:
    """An API write with an Idempotency-Key: a retry (same user, route and body) gets the first
    answer again; the same key with another body is refused (409)."""
    key = request.headers.get("idempotency-key")
    if key is None or request.method not in UNSAFE_METHODS or user is None:
        return
    claim = idempotency.claim(
        user_id=id_of(user),
        key=key,
        route=f"{request.method} {request.url.path}",
        body=await request.body(),
    )
    stored = await run_in_threadpool(idempotency.stored_answer, session, claim=claim)
    if stored is not None:
        raise Replay(stored)
    session.info[IDEMPOTENCY] = claim


Idempotent = Depends(idempotent)


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
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

NUL = "\x00"


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


async def refuse_nul_bytes(connection: HTTPConnection) -> None:
    """Refuse text with a NUL character anywhere a caller sends it (query, form, JSON body).

    PostgreSQL cannot store one in text and SQLite would keep it; no person types one.
    A file's contents may hold them; its form's text fields may not.
    """
    found = _holds_nul(list(connection.query_params.multi_items()))
    if not found and isinstance(connection, Request):
        found = await _body_holds_nul(connection)
    if found:
        raise Invalid("Text may not contain NUL characters.")


async def _body_holds_nul(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # parsed once: the endpoint gets the same form
        return any(
            _holds_nul(key) or (isinstance(value, str) and _holds_nul(value))
            for key, value in form.multi_items()
        )
    if request.method in UNSAFE_METHODS and b"\\u0000" in await request.body():
        try:
            return _holds_nul(await request.json())
        except ValueError:
            return False  # not JSON: the endpoint's own parsing says so
    return False


RefuseNulBytes = Depends(refuse_nul_bytes)


@dataclass(frozen=True)
class Audience:
    """Viewers who see a project's content exactly alike; live pushes render once per audience.

    Two users with equal audiences get byte-identical fragments, so the hub renders once for
    both and the render cache shares the HTML. `representative_id` names one of them, whose
    permissions are re-checked at render time; it is not part of the audience's identity.
    """

    project_id: int
    is_procurer: bool
    can_comment: bool
    lang: str
    representative_id: int | None = field(default=None, compare=False, hash=False)
    # Sees documents published to the project's participants (see ProjectRelation).
    is_participant: bool = False


def audience_for(rel: ProjectRelation, lang: str | None = None) -> Audience:
    """The audience of this user for this project, in the current (or given) language."""
    return Audience(
        project_id=id_of(rel.project),
        is_procurer=rel.is_procurer,
        can_comment=permissions.allows(permissions.ensure_can_comment, rel),
        lang=lang or i18n.current_language(),
        representative_id=rel.user.id if rel.user else None,
        is_participant=rel.is_participant,
    )


def redirect(request: Request, url: str) -> Response:
    """After a successful form post: 303 for a plain form, HX-Redirect for htmx.

    htmx's XMLHttpRequest would follow a 303 silently and swap the next page into the form,
    so htmx gets an empty answer that tells it to navigate instead.
    """
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (and wants a fragment back)."""
    return request.headers.get("hx-request") == "true"


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a template with the request's user, CSRF token and language."""
    ctx = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


CSRF_SLOT = "__pivotal_csrf_token__"


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
    if _is_visitor(request, token):
        cached = await _cached_visitor_page(request, version_query, object_id)
        if cached is not None:
            return cached

    def render_page(session: Session) -> Response:
        return page(session, _load_user(request, session, token))

    return await run_in_threadpool(in_session, render_page)


def render_project_page(
    request: Request,
    session: Session,
    name: str,
    rel: ProjectRelation,
    context: Callable[[], dict[str, Any]],
) -> HTMLResponse:
    """Render a project content page; for visitors, once per version into the render cache.

    Every change such a page shows is a contribution and moves the project's version.
    """
    if rel.user is not None:
        return render(request, name, context())

    def build() -> tuple[bytes, ...]:
        ctx = {"request": request, "user": None, "csrf_token": CSRF_SLOT, **context()}
        html = templates.get_template(name).render(ctx)
        return tuple(part.encode() for part in html.split(CSRF_SLOT))

    version = participation.project_version(session, project_id=id_of(rel.project))
    parts = render_cache.pages.get_or_build(_visitor_page_key(request), version, build)
    return _visitor_response(request, parts)


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


def render_fragment(name: str, lang: str, **context: Any) -> str:
    """Render a template outside a request (live pushes), in the given language."""
    with i18n.use_language(lang):
        return templates.get_template(name).render(**context)


FIELD_LABELS = {
    "title": N_("Title"),
    "problem": N_("What must get better"),
    "affected": N_("Who is affected"),
    "body": N_("Comment"),
    "summary": N_("Summary"),
    "service_area": N_("Service area"),
    "innovation_ambition": N_("Innovation ambition"),
    "email": N_("E-mail"),
    "password": N_("Password"),
    "display_name": N_("Name"),
    "reason": N_("Reason"),
    "visibility": N_("Visibility"),
    "partner_org_ids": N_("Partner municipalities"),
    "role": N_("Role"),
    "organisation_id": N_("Organisation"),
    "parent_id": N_("Reply to"),
    "merged_into_id": N_("Merge into"),
    "anonymous": N_("Show without my name"),
    "owner_org_id": N_("Owner"),
    "status": N_("Status"),
    "org_number": N_("Organisation number"),
    "to_phase": N_("Next phase"),
    "rationale": N_("Rationale"),
    "kind": N_("Kind of document"),
    "audience": N_("Who may see it"),
    "description": N_("Description"),
    "file": N_("File"),
    "need_ids": N_("Needs"),
    "justification": N_("Justification"),
    "decision": N_("Decision"),
    "institution": N_("Responsible institution"),
    "ethics_reference": N_("Data-protection reference"),
    "legal_basis": N_("Legal basis"),
    "period_start": N_("Start of the period"),
    "period_end": N_("End of the period"),
    "include_free_text": N_("Free text in exports"),
    "project_ids": N_("Projects"),
}


def _field_message(error: dict[str, Any]) -> str:
    loc = [
        str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form")
    ]
    field = loc[-1] if loc else ""
    label = _(FIELD_LABELS.get(field) or N_("Input"))
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "missing":
        return _("%(field)s is required.", field=label)
    if kind == "string_too_short":
        return _(
            "%(field)s must be at least %(min)s characters.", field=label, min=ctx.get("min_length")
        )
    if kind == "string_too_long":
        return _(
            "%(field)s can be at most %(max)s characters.", field=label, max=ctx.get("max_length")
        )
    return _("%(field)s is not valid.", field=label)


def validation_messages(exc: RequestValidationError | ValidationError) -> list[str]:
    """One readable, translated line per invalid field."""
    return [_field_message(dict(error)) for error in exc.errors()]


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Readable, translated messages by field name; "" holds those about the whole input."""
    found: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        found.setdefault(loc[-1] if loc else "", []).append(_field_message(dict(error)))
    return found


class Problem(BaseModel):
    """How the API refuses a request (every 4xx and 5xx answer of /api/v1)."""

    detail: str | list[str] = Field(
        description="What is wrong, translated: one message, or one per invalid field"
    )
    code: str = Field(
        description="not_found, not_authenticated, forbidden, conflict, invalid, bad_request, "
        "http_error or unavailable"
    )


# Declared on every API operation, in place of FastAPI's own validation-error schema.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": Problem, "description": "Refused: the message says why"}
}


def error_response(request: Request, status: int, messages: list[str], code: str) -> Response:
    """The one way a refusal is answered: JSON for the API, a fragment for htmx, else a page."""
    if request.url.path.startswith("/api/"):
        problem = Problem(detail=messages[0] if len(messages) == 1 else messages, code=code)
        return JSONResponse(problem.model_dump(), status_code=status)
    if is_htmx(request):
        trigger = request.headers.get("hx-trigger")
        target = f"#{trigger}-errors" if trigger else "#page-errors"
        response = render(request, "_errors.html", {"messages": messages}, status_code=status)
        response.headers["HX-Retarget"] = target
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(
        request, "error.html", {"messages": messages, "status": status}, status_code=status
    )


async def pivotal_error_handler(request: Request, exc: Exception) -> Response:
    """A service's refusal, translated."""
    assert isinstance(exc, PivotalError)
    response = error_response(request, exc.status_code, [_(exc.message, **exc.params)], exc.code)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """Invalid input from FastAPI's parsing or from a schema built in a router."""
    assert isinstance(exc, RequestValidationError | ValidationError)
    return error_response(request, 422, validation_messages(exc), "invalid")


def parse(model: type[Any], **data: Any) -> Any:
    """Build an input schema from form fields; an invalid one becomes a 422 like the API's."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message = "; ".join(validation_messages(exc))
        raise Invalid(message) from None


def login_session(request: Request, session: Session, user: User) -> None:
    """Start a fresh session for the user (a new CSRF token too), stored on the server."""
    request.session.clear()
    user_agent = request.headers.get("user-agent", "")
    request.session[SESSION_KEY] = sessions.start(session, user=user, user_agent=user_agent)
    request.session["csrf"] = secrets.token_urlsafe(32)
    if user.language in i18n.LANGUAGES:
        request.session["lang"] = user.language


ROLE_LABELS: dict[str, str] = {
    Role.citizen: N_("Citizen"),
    Role.employee: N_("Employee"),
    Role.procurer: N_("Procurer"),
    Role.supplier: N_("Supplier"),
    Role.researcher: N_("Researcher"),
    Role.admin: N_("Administrator"),
}
STATUS_LABELS: dict[str, str] = {
    NeedStatus.submitted: N_("Submitted"),
    NeedStatus.under_review: N_("Under review"),
    NeedStatus.verified: N_("Verified"),
    NeedStatus.merged: N_("Merged"),
    NeedStatus.parked: N_("Parked"),
    NeedStatus.rejected: N_("Rejected"),
}


def _label(labels: dict[str, str], value: str) -> str:
    """The translated label of an enum value, or the value itself when it has none."""
    return _(labels.get(value, value))


templates.env.globals.update(
    role_label=lambda role: _label(ROLE_LABELS, role),
    phase_label=lambda phase: _label(PHASE_LABELS, phase),
    status_label=lambda status: _label(STATUS_LABELS, status),
)
