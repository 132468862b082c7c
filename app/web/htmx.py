"""htmx answers and refusals: a redirect htmx follows, and the one way an error is answered."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from app.config import get_settings
from app.i18n import gettext as _
from app.models.identity import LOGIN_LEVEL_LABELS, LoginLevel
from app.services.errors import LoginLevelTooLow, PivotalError, TooManyAttempts
from app.services.oidc.provider import offered_acr_values
from app.services.permissions.login_level import LOGIN_LEVEL
from app.web.csrf import csrf_token
from app.web.forms import FormInvalid, validation_messages
from app.web.templating import render, render_block, templates


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login.

    Browsers read a backslash as a slash and drop tabs and newlines, so a path holding them can
    lead off-site (htmx follows HX-Redirect as given, without percent-encoding).
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not any(ch == "\\" or ch < " " or ch == "\x7f" for ch in target)
    ):
        return target
    return "/"


def redirect(request: Request, url: str) -> Response:
    """After a successful form post: 303 for a plain form, HX-Redirect for htmx.

    htmx's XMLHttpRequest would follow a 303 silently and swap the next page into the form,
    so htmx gets an empty answer that tells it to navigate instead.
    """
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def fragment_or_redirect(
    request: Request, url: str, template: str, context: dict[str, Any]
) -> Response:
    """After a successful form post: htmx gets the fragment it swaps in, a plain form a redirect
    (post/redirect/get)."""
    if is_htmx(request):
        return render(request, template, context)
    return redirect(request, url)


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (and wants a fragment back)."""
    return request.headers.get("hx-request") == "true"


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


def error_response(
    request: Request,
    status: int,
    messages: list[str],
    code: str,
    after: str = "",
    logins: list[tuple[str, str]] | None = None,
) -> Response:
    """The one way a refusal is answered: JSON for the API, a fragment for htmx, else a page.

    `after` is markup htmx swaps in beside the error box (out of band), such as a form's fields;
    `logins` are the (provider, address) to log in again at a higher level (step-up).
    """
    if request.url.path.startswith("/api/"):
        problem = Problem(detail=messages[0] if len(messages) == 1 else messages, code=code)
        return JSONResponse(problem.model_dump(), status_code=status)
    if is_htmx(request):
        trigger = request.headers.get("hx-trigger")
        target = f"#{trigger}-errors" if trigger else "#page-errors"
        context = {"messages": messages, "after": Markup(after), "logins": logins}
        response = render(request, "_errors.html", context, status_code=status)
        response.headers["HX-Retarget"] = target
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(
        request,
        "error.html",
        {"messages": messages, "status": status, "logins": logins},
        status_code=status,
    )


def _page_behind(request: Request) -> str:
    """The page the refused request was made from: where to come back to after a step-up."""
    if request.method == "GET" and not is_htmx(request):
        return safe_next(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    origin = request.headers.get("hx-current-url") or request.headers.get("referer") or ""
    parts = urlsplit(origin)
    if parts.netloc and parts.netloc != request.url.netloc:
        return "/"
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def step_up(request: Request, level: LoginLevel) -> list[tuple[str, str]]:
    """The providers that can log the person in at `level`, each with its address (a provider
    not answering now is left out)."""
    back = _page_behind(request)
    return [
        (provider.label, f"/login/oidc/{provider.name}?{urlencode({'level': level, 'next': back})}")
        for provider in get_settings().oidc_providers
        if provider.acr_for(level, offered_acr_values(provider)) is not None
    ]


def project_step_up(request: Request, project: Any) -> tuple[str, list[tuple[str, str]]] | None:
    """For a logged-in person whose login is below what the project needs to take part: the
    level's label and the logins that give it; otherwise None."""
    if getattr(request.state, "user", None) is None:
        return None
    needed = LoginLevel(project.login_level)
    if LOGIN_LEVEL.get().rank >= needed.rank:
        return None
    return LOGIN_LEVEL_LABELS[needed], step_up(request, needed)


templates.env.globals["project_step_up"] = project_step_up


async def pivotal_error_handler(request: Request, exc: Exception) -> Response:
    """A service's refusal, translated."""
    assert isinstance(exc, PivotalError)
    if isinstance(exc, FormInvalid):
        return form_error_response(request, exc)
    if isinstance(exc, LoginLevelTooLow):
        level = LoginLevel(exc.level)
        message = _(exc.message, level=_(LOGIN_LEVEL_LABELS[level]))
        logins = await run_in_threadpool(step_up, request, level)  # may ask the providers
        return error_response(request, 403, [message], exc.code, logins=logins)
    response = error_response(request, exc.status_code, [_(exc.message, **exc.params)], exc.code)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """Invalid input from FastAPI's parsing or from a schema built in a router."""
    assert isinstance(exc, RequestValidationError | ValidationError)
    return error_response(request, 422, validation_messages(exc), "invalid")


def form_error_response(request: Request, exc: FormInvalid) -> Response:
    """A form that failed its schema: the messages in its error box, and for htmx its fields
    drawn again with what was typed, each message beside its field."""
    fields = ""
    if exc.view is not None and exc.view.page and not is_htmx(request):
        context = {**exc.view.context, "form": {**exc.values, **exc.view.typed}}
        context.update(errors=exc.errors, messages=exc.messages)
        return render(request, exc.view.template, context, status_code=exc.status_code)
    if exc.view is not None and is_htmx(request):
        context = {
            **exc.view.context,
            "request": request,
            "csrf_token": csrf_token(request),
            "user": getattr(request.state, "user", None),
            "form": {**exc.values, **exc.view.typed},
            "errors": exc.errors,
            "oob": True,
        }
        fields = render_block(exc.view.template, "fields", context)
    return error_response(request, exc.status_code, exc.messages, exc.code, after=fields)
