"""Logging in with OpenID Connect providers, linking them to one's account, and stepping up.

The browser goes to the provider with a fresh `state` (kept in its session cookie), `nonce` and
PKCE challenge, and comes back to `/login/oidc/{name}/callback`; the answer is taken once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app import i18n
from app.config import get_settings
from app.db import SessionDep
from app.models import User
from app.models.base import Id
from app.models.identity import LoginLevel, LoginPurpose
from app.services.errors import Invalid, NotAuthenticated
from app.services.oidc import flow, people
from app.services.oidc import provider as providers
from app.services.permissions import require_user
from app.web import (
    PROVIDER_LOGOUT_KEY,
    CurrentUser,
    login_session,
    page_router,
    redirect,
    render,
    safe_next,
)

pages = page_router()
STATE_KEY = "oidc_state"  # the browser's copy of the state of its login under way


def _send_to_provider(
    request: Request,
    session: SessionDep,
    *,
    name: str,
    purpose: LoginPurpose,
    next: str,
    user: User | None,
    level: LoginLevel = LoginLevel.basic,
) -> Response:
    provider = providers.configured(name)
    url, state = flow.start(
        session,
        provider=provider,
        purpose=purpose,
        next=safe_next(next),
        user_id=user.id if user else None,
        level=level,
        language=i18n.current_language(),
        address=request.client.host if request.client else None,
        replaces=request.session.get(STATE_KEY),
    )
    request.session[STATE_KEY] = state
    return RedirectResponse(url, status_code=303)


@pages.get("/login/oidc/{name}")
def start_login(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: str,
    next: str = "/",
    level: LoginLevel = LoginLevel.basic,
) -> Response:
    """Go to the provider to log in; logged in already and asked for a level: to step up."""
    purpose = LoginPurpose.step_up if user is not None and level != LoginLevel.basic else None
    return _send_to_provider(
        request,
        session,
        name=name,
        purpose=purpose or LoginPurpose.login,
        next=next,
        user=user if purpose else None,
        level=level,
    )


@pages.get("/account/logins/{name}/link")
def start_link(request: Request, session: SessionDep, user: CurrentUser, name: str) -> Response:
    """Go to the provider to link that login to the account one is logged in to."""
    me = require_user(user)
    return _send_to_provider(
        request, session, name=name, purpose=LoginPurpose.link, next="/account/logins", user=me
    )


@pages.get("/login/oidc/{name}/callback")
def callback(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: str,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    """The provider's answer: log in, link or step up, as the request asked; taken once."""
    provider = providers.configured(name)
    browser_state = request.session.pop(STATE_KEY, None)
    if error:  # the person cancelled, or the provider refused: the request is spent
        flow.take_pending(provider=provider, state=state, browser_state=browser_state)
        raise Invalid(
            "The login was cancelled or refused at %(provider)s.", provider=provider.label
        )
    verified = flow.finish(provider=provider, state=state, browser_state=browser_state, code=code)
    pending = verified.pending
    if pending.purpose == LoginPurpose.login:
        account, is_new = people.log_in(session, verified=verified)
        _start_session(request, session, account, verified)
        return RedirectResponse("/account/logins?welcome=1" if is_new else pending.next, 303)
    if user is None or user.id != pending.user_id:  # logged out, or someone else, meanwhile
        raise NotAuthenticated("Log in to your account again, then try once more.")
    people.link(session, user=user, verified=verified)
    if pending.purpose == LoginPurpose.step_up:
        _start_session(request, session, user, verified)
        return RedirectResponse(pending.next, status_code=303)
    return RedirectResponse(f"/account/logins?linked={provider.name}", status_code=303)


def _start_session(
    request: Request, session: SessionDep, user: User, verified: flow.Verified
) -> None:
    """A new session at the level the provider gave; its ID token kept to log out there."""
    provider = verified.provider
    login_session(request, session, user, provider=provider.name, level=verified.level.value)
    if provider.logout_at_provider:
        request.session[PROVIDER_LOGOUT_KEY] = {
            "provider": provider.name,
            "id_token": verified.id_token,
        }


@pages.get("/account/logins")
def logins_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """One's ways to log in: the linked providers, the ones to link, and one's name."""
    me = require_user(user)
    linked = people.identities(session, user=me)
    labels = {provider.name: provider.label for provider in get_settings().oidc_providers}
    context = {
        "linked": linked,
        "labels": labels,
        "to_link": [
            provider
            for provider in get_settings().oidc_providers
            if provider.name not in {identity.provider for identity in linked}
        ],
        "has_password": bool(me.password_hash),
        "unnamed": people.is_unnamed(me.display_name),
    }
    return render(request, "accounts/logins.html", context)


@pages.post("/account/logins/{identity_id}/unlink")
def unlink(request: Request, session: SessionDep, user: CurrentUser, identity_id: Id) -> Response:
    """Remove a linked login (not the last way in)."""
    me = require_user(user)
    people.unlink(session, user=me, identity_id=identity_id)
    return redirect(request, "/account/logins?unlinked=1")


@pages.post("/account/name")
def change_name(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    display_name: Annotated[str, Form(max_length=120)],
) -> Response:
    """Choose the name others see on one's contributions."""
    me = require_user(user)
    people.rename(session, user=me, display_name=display_name)
    return redirect(request, "/account/logins?named=1")


@pages.get("/login/oidc/{name}/logged-out")
def logged_out(name: str) -> Response:
    """Back from the provider's logout."""
    providers.configured(name)
    return RedirectResponse("/?logged_out=1", status_code=303)
