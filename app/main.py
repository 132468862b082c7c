"""The FastAPI application: middleware, routers, static files, live hub lifecycle."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.config import get_settings
from app.i18n import gettext as _
from app.observability import ObservabilityMiddleware, configure_logging
from app.routers import (
    accounts,
    audit,
    credentials,
    dialogue,
    documents,
    editing,
    email_verification,
    events,
    hearings,
    influence,
    live,
    maturity,
    maturity_actions,
    maturity_export,
    maturity_results,
    metrics,
    mine,
    moderation,
    needs,
    notifications,
    ocds,
    oidc,
    ops,
    organisations,
    participation,
    privacy,
    projects,
    proposals,
    questions,
    requirements,
    research,
    search,
    similar,
    trace,
)
from app.services import mail, organisation_look
from app.services.errors import PivotalError
from app.services.live import get_bus, hub, spawn
from app.services.metrics import keep_rollups
from app.services.notifications import delivery
from app.services.permissions.relation import DialogueAction
from app.services.privacy import keep_retention
from app.web import (
    MEMBER_OF_KEY,
    PROBLEM_RESPONSES,
    SESSION_KEY,
    Idempotent,
    RefuseNulBytes,
    Replay,
    error_response,
    pivotal_error_handler,
    replay_handler,
    validation_error_handler,
)
from app.web.lanes import ShedMiddleware, WriteLaneMiddleware
from app.web.routing import guard_routers

log = logging.getLogger("pivotal.app")
STATIC_DIR = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")


def _is_private(scope: Scope, headers: list[tuple[bytes, bytes]]) -> bool:
    """Served to a logged-in user or a bearer token: no cache may keep it."""
    if scope["path"].startswith("/static/"):
        return False
    if any(name.lower() == b"cache-control" for name, _ in headers):
        return False  # the route chose (documents and attachments do)
    if SESSION_KEY in scope.get("session", {}):
        return True
    authorization = HTTPConnection(scope).headers.get("authorization", "")
    return authorization.lower().startswith("bearer ")


class LanguageAndSecurityMiddleware:
    """Pick the request's language, and add security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, default_language: str, https: bool = False) -> None:
        self.app = app
        self.default_language = default_language
        self.security_headers = [*SECURITY_HEADERS, *([HSTS] if https else [])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = HTTPConnection(scope)
        chosen = i18n.pick_language(
            request.cookies.get("lang"),
            request.headers.get("accept-language"),
            page=(
                request.query_params.get(i18n.PAGE_LANGUAGE_PARAM)
                if scope["type"] == "websocket"
                else None
            ),
            profile=scope.get("session", {}).get("lang"),
        )
        scope[i18n.LANGUAGE_CHOSEN_KEY] = chosen is not None
        if chosen is None and scope["type"] == "http":
            # Nobody asked: the målform of the person's organisation, or of the page's.
            member_of = scope.get("session", {}).get(MEMBER_OF_KEY)
            try:
                chosen = await run_in_threadpool(
                    organisation_look.default_language, member_of=member_of, path=scope["path"]
                )
            except SQLAlchemyError:  # the page (maybe the database's error page) in the default
                log.warning("the organisation's målform could not be read", exc_info=True)
        lang = chosen or self.default_language
        with i18n.use_language(lang):
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    if _is_private(scope, headers):
                        headers.append(NO_STORE)
                    message["headers"] = [*headers, *self.security_headers]
                await send(message)

            await self.app(scope, receive, send_with_headers)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Connect the live hub to the bus, and keep the metrics rollup, for the life of the process."""
    configure_logging()  # here, so every uvicorn worker process logs JSON lines
    # Sync handlers run in a thread pool; its size: Settings.worker_threads.
    to_thread.current_default_thread_limiter().total_tokens = get_settings().worker_threads
    bus = get_bus()
    await bus.start(hub.deliver, resync=live.resync_all_viewers)
    interval = get_settings().rollup_interval
    keeper = spawn(keep_rollups(interval)) if interval else None
    mail_interval = get_settings().mail_interval
    sender = spawn(mail.keep_sending(mail_interval)) if mail_interval else None
    retention_interval = get_settings().retention_interval
    retention = spawn(keep_retention(retention_interval)) if retention_interval else None
    digest_interval = get_settings().digest_interval
    digests = spawn(delivery.keep_sending_digests(digest_interval)) if digest_interval else None
    try:
        yield
    finally:
        for task in (keeper, sender, retention, digests):
            if task is not None:
                task.cancel()
        await hub.close_all(1012)
        await bus.stop()


async def not_found_handler(request: Request, exc: Exception) -> Response:
    """Framework errors (unknown path, wrong method) in the same shape as ours."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        message = _("The page does not exist.")
    elif exc.status_code == 405:
        message = _("This action is not available at this address.")
    else:
        message = _("The request could not be handled.")
    response = error_response(request, exc.status_code, [message], "http_error")
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:  # name every method the address takes, not just one route's
        response.headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
    return response


def _allowed_methods(request: Request) -> set[str]:
    allowed: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and route.methods and regex.match(request.url.path):
            allowed |= route.methods
    return allowed


async def database_unavailable_handler(request: Request, exc: Exception) -> Response:
    """The database is down or overloaded: a clear 503, and the pool reconnects by itself."""
    log.warning("database unavailable: %s", exc.__class__.__name__)
    message = _("The service is temporarily unavailable. Please try again in a moment.")
    response = error_response(request, 503, [message], "unavailable")
    response.headers["Retry-After"] = "5"
    return response


# The domains whose JSON API (under /api/v1) and pages the app serves, in this order: the first
# route that matches a path answers it.
ROUTER_MODULES = (
    accounts,
    oidc,
    credentials,
    email_verification,
    projects,
    similar,
    needs,
    editing,
    moderation,
    participation,
    ocds,
    audit,
    dialogue,
    questions,
    requirements,
    influence,
    trace,
    hearings,
    events,
    documents,
    proposals,
    research,
    maturity_export,
    metrics,
    organisations,
    maturity,
    privacy,
    mine,
    notifications,
    search,
    maturity_results,
    maturity_actions,
)


def create_app() -> FastAPI:
    """Build the application."""
    settings = get_settings()
    unknown = set(settings.oidc_action_levels) - {action.value for action in DialogueAction}
    if unknown:  # a misspelt action would silently ask nothing more
        raise ValueError(f"PIVOTAL_OIDC_ACTION_LEVELS names unknown actions: {sorted(unknown)}")
    app = FastAPI(
        title="Pivotal API",
        version="1",
        summary="Open platform for co-creation and dialogue in innovative public procurement.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN; pages must not call third parties
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        # Room for the largest upload and its form; the uploads service holds the exact limit.
        max_body_size=settings.max_upload_bytes + 1_000_000,
        dependencies=[RefuseNulBytes],  # for every route, before the route's own parsing
    )
    # Innermost: the answer to a read the write lane shed (it has the language, security
    # headers and request id of any other answer).
    app.add_middleware(ShedMiddleware)
    app.add_middleware(
        LanguageAndSecurityMiddleware,
        default_language=settings.default_language,
        https=settings.base_url.startswith("https://"),
    )
    app.add_middleware(ObservabilityMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="pivotal_session",
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
        max_age=14 * 24 * 3600,
    )
    # Outermost: reads wait here while writes are in flight, before any work is done for them.
    app.add_middleware(
        WriteLaneMiddleware,
        reads_in_flight=settings.lane_reads_in_flight,
        reads_beside_writes=settings.lane_reads_beside_writes,
        reads_waiting=settings.lane_reads_waiting,
        read_wait=settings.lane_read_wait,
        retry_after=settings.lane_retry_after,
    )
    app.add_exception_handler(PivotalError, pivotal_error_handler)
    app.add_exception_handler(Replay, replay_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(ValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, not_found_handler)
    app.add_exception_handler(OperationalError, database_unavailable_handler)
    app.add_exception_handler(InterfaceError, database_unavailable_handler)
    app.add_exception_handler(PoolTimeoutError, database_unavailable_handler)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Each domain's part of the JSON API under /api/v1, and its pages.
    for module in ROUTER_MODULES:
        if (api := getattr(module, "api", None)) is not None:
            app.include_router(
                api, prefix="/api/v1", responses=PROBLEM_RESPONSES, dependencies=[Idempotent]
            )
        if (pages := getattr(module, "pages", None)) is not None:
            app.include_router(pages)
    app.include_router(notifications.unsubscribe_pages)
    app.include_router(live.router)
    app.include_router(ops.router)
    guard_routers(app)
    return app


app = create_app()
