"""What every router shares, one job per module; the names routers use are re-exported here.

- `auth`: who is asking (`CurrentUser`) and starting a login session
- `commit`: the route class that commits a write (`CommittingRoute`), and idempotent retries
- `csrf`: the CSRF token and its check
- `templating`: the Jinja environment, `render`, `render_fragment`, the label globals
- `htmx`: redirects htmx follows, fragment-or-redirect answers, the one way a refusal is answered
- `routing`: the routers a domain opens (`page_router`, `api_router`)
- `cache`: the visitors' page cache for project pages
- `forms`: parsing forms into schemas, messages per field, NUL refusal
"""

from __future__ import annotations

from app.web.auth import (
    MEMBER_OF_KEY,
    PROVIDER_LOGOUT_KEY,
    SESSION_KEY,
    CurrentUser,
    bearer_scheme,
    login_session,
)
from app.web.cache import (
    project_content_page,
    project_view_page,
    render_project_page,
    site_page,
)
from app.web.commit import CommittingRoute, Idempotent, Replay, idempotent, replay_handler
from app.web.csrf import UNSAFE_METHODS, CsrfProtected, csrf_token, verify_csrf
from app.web.forms import (
    FIELD_LABELS,
    FormInvalid,
    FormView,
    RefuseNulBytes,
    detached,
    form_moment,
    limits,
    parse,
    refuse,
    refuse_nul_bytes,
    validation_messages,
)
from app.web.htmx import (
    PROBLEM_RESPONSES,
    Problem,
    error_response,
    fragment_or_redirect,
    is_htmx,
    pivotal_error_handler,
    redirect,
    safe_next,
    validation_error_handler,
)
from app.web.routing import api_router, page_router
from app.web.shared_hits import NOTHING_OWN, OwnParts
from app.web.templating import render, render_fragment, templates

__all__ = [
    "FIELD_LABELS",
    "MEMBER_OF_KEY",
    "NOTHING_OWN",
    "PROBLEM_RESPONSES",
    "PROVIDER_LOGOUT_KEY",
    "SESSION_KEY",
    "UNSAFE_METHODS",
    "CommittingRoute",
    "CsrfProtected",
    "CurrentUser",
    "FormInvalid",
    "FormView",
    "Idempotent",
    "OwnParts",
    "Problem",
    "RefuseNulBytes",
    "Replay",
    "api_router",
    "bearer_scheme",
    "csrf_token",
    "detached",
    "error_response",
    "form_moment",
    "fragment_or_redirect",
    "idempotent",
    "is_htmx",
    "limits",
    "login_session",
    "page_router",
    "parse",
    "pivotal_error_handler",
    "project_content_page",
    "project_view_page",
    "redirect",
    "refuse",
    "refuse_nul_bytes",
    "render",
    "render_fragment",
    "render_project_page",
    "replay_handler",
    "safe_next",
    "site_page",
    "templates",
    "validation_error_handler",
    "validation_messages",
    "verify_csrf",
]
