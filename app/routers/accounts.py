"""Accounts: log in, register, log out, language; sessions and API tokens of one's own."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlmodel import col, select

from app import i18n
from app.config import get_settings
from app.db import SessionDep
from app.models import Organisation, User
from app.models.account import ApiTokenCreate, ApiTokenIssued, ApiTokenPublic
from app.models.base import Id, OrganisationKind, Role
from app.models.user import Registration, UserPublic
from app.services import accounts, api_tokens, sessions
from app.services.errors import Invalid, NotAuthenticated
from app.services.oidc import provider as providers
from app.services.oidc.flow import end_session_url
from app.services.permissions import require_user
from app.web import (
    PROVIDER_LOGOUT_KEY,
    SESSION_KEY,
    CurrentUser,
    FormView,
    api_router,
    detached,
    is_htmx,
    login_session,
    page_router,
    parse,
    redirect,
    render,
    safe_next,
)

pages = page_router()
api = api_router("auth", prefix="/auth", csrf=False)


def _municipalities(session: SessionDep) -> list[Organisation]:
    kinds = (OrganisationKind.municipality, OrganisationKind.county)
    return list(
        session.exec(
            select(Organisation)
            .where(col(Organisation.kind).in_(kinds), col(Organisation.deactivated_at).is_(None))
            .order_by(Organisation.name)
        ).all()
    )


@pages.get("/login")
def login_page(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    """The login form."""
    providers = get_settings().oidc_providers
    context = {"next": safe_next(next), "login_providers": providers}
    return render(request, "accounts/login.html", context)


@pages.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password and start a session."""
    user = accounts.authenticate(
        session, email=email, password=password, address=_client_address(request)
    )
    login_session(request, session, user)
    return redirect(request, safe_next(next))


def _client_address(request: Request) -> str | None:
    """The client's address as the server sees it (behind a proxy: run with --proxy-headers)."""
    return request.client.host if request.client else None


@pages.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """End the session on the server too: a copy of the cookie no longer logs anyone in."""
    if (key := request.session.get(SESSION_KEY)) is not None:
        sessions.end(session, key=str(key))
    at_provider = request.session.get(PROVIDER_LOGOUT_KEY)
    request.session.clear()
    if isinstance(at_provider, dict) and (
        url := end_session_url(at_provider.get("provider"), at_provider.get("id_token"))
    ):
        # Logged in there: log out there too (RP-initiated). A form may only lead to this
        # site (CSP form-action 'self'), so a page of ours moves on to the provider.
        if is_htmx(request):
            return redirect(request, url)
        label = providers.configured(str(at_provider.get("provider"))).label
        return render(request, "accounts/leaving.html", {"url": url, "provider": label})
    return redirect(request, "/")


@pages.get("/account/sessions")
def sessions_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """One's own active sessions, this one marked, each with a way to end it."""
    me = require_user(user)
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": sessions.list_for_user(session, user=me),
            "current_id": request.state.login_session_id,
        },
    )


@pages.post("/account/sessions/{session_id}/end")
def end_session_page(
    request: Request, session: SessionDep, user: CurrentUser, session_id: Id
) -> Response:
    """Log out one session (this one too, if chosen: then back to the front page)."""
    me = require_user(user)
    sessions.end_one(session, user=me, session_id=session_id)
    if session_id == request.state.login_session_id:
        request.session.clear()
        return redirect(request, "/")
    return redirect(request, "/account/sessions")


@pages.post("/account/sessions/end-others")
def end_other_sessions_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Log out every session but this one, once confirmed."""
    me = require_user(user)
    if confirm != "yes":
        raise Invalid("Tick the box to confirm that every other session should be logged out.")
    sessions.end_all(session, user=me, keep_id=request.state.login_session_id)
    return redirect(request, "/account/sessions")


@pages.get("/account/tokens")
def tokens_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """One's own API tokens, with a form for a new one."""
    me = require_user(user)
    return _tokens_page(request, session, me)


def _tokens_page(
    request: Request, session: SessionDep, me: User, issued: ApiTokenIssued | None = None
) -> Response:
    context = {"tokens": _tokens(session, me), "issued": issued}
    return render(request, "accounts/tokens.html", context)


def _tokens(session: SessionDep, me: User) -> list[ApiTokenPublic]:
    return [api_tokens.public(t) for t in api_tokens.list_for_user(session, user=me)]


@pages.post("/account/tokens")
def create_token_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form()] = "",
    expires_in_days: Annotated[str, Form()] = "90",
) -> Response:
    """Create a named token and show it, this once."""
    me = require_user(user)
    view = FormView("accounts/tokens.html", {"tokens": _tokens(session, me)}, page=True)
    data = parse(ApiTokenCreate, view, name=name.strip(), expires_in_days=expires_in_days)
    issued = api_tokens.issue(session, user=me, data=data)
    response = _tokens_page(request, session, me, issued)
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.post("/account/tokens/{token_id}/revoke")
def revoke_token_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    token_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Revoke one of one's own tokens, once confirmed."""
    me = require_user(user)
    if confirm != "yes":
        raise Invalid("Tick the box to confirm that the token should be revoked.")
    api_tokens.revoke(session, user=me, token_id=token_id)
    return redirect(request, "/account/tokens")


@pages.get("/register")
def register_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The registration form."""
    return render(request, "accounts/register.html", {"organisations": _municipalities(session)})


@pages.post("/register")
def register(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = Role.citizen,
    organisation_id: Annotated[str, Form()] = "",
) -> Response:
    """Create a citizen account (with a pending employee request) and say to check the mail.

    The answer is the same whether or not the address already has an account.
    """
    view = FormView("accounts/register.html", {"organisations": detached(_municipalities(session))})
    data = parse(
        Registration,
        view,
        email=email,
        display_name=display_name,
        password=password,
        role=role,
        organisation_id=organisation_id or None,
    )
    accounts.register(session, data=data)
    return redirect(request, "/register/sent")


@pages.get("/register/sent")
def registered_page(request: Request, user: CurrentUser) -> Response:
    """What happens next after registering (the same for every address)."""
    return render(request, "accounts/registered.html")


@pages.post("/language")
def choose_language(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Remember the chosen language in a cookie (works for visitors without an account), and on
    the account of a logged-in person."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
        if user is not None:
            accounts.choose_language(session, user=user, lang=lang)
            request.session["lang"] = lang
    return response


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"


@api.post("/token")
def token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange e-mail (as `username`) and password for a bearer token (listed as "API login")."""
    user = accounts.authenticate(
        session, email=form.username, password=form.password, address=_client_address(request)
    )
    return Token(access_token=api_tokens.issue_for_login(session, user=user).access_token)


@api.get("/tokens")
def list_tokens(session: SessionDep, user: CurrentUser) -> list[ApiTokenPublic]:
    """The caller's API tokens (never the tokens themselves)."""
    mine = api_tokens.list_for_user(session, user=require_user(user))
    return [api_tokens.public(t) for t in mine]


@api.post("/tokens", status_code=201)
def create_token(session: SessionDep, user: CurrentUser, data: ApiTokenCreate) -> ApiTokenIssued:
    """A new named token; the answer is the only place the token is shown."""
    return api_tokens.issue(session, user=require_user(user), data=data)


@api.delete("/tokens/{token_id}")
def revoke_token(session: SessionDep, user: CurrentUser, token_id: Id) -> ApiTokenPublic:
    """Revoke one of the caller's tokens; it gets 401 from then on."""
    return api_tokens.public(api_tokens.revoke(session, user=require_user(user), token_id=token_id))


@api.get("/me")
def me(user: CurrentUser) -> UserPublic:
    """The caller's own account."""
    if user is None:
        raise NotAuthenticated("You need to log in to do this.")
    return UserPublic.model_validate(user)
