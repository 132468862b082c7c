"""Who is asking: a bearer token's user, the logged-in session's user, or a visitor."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import i18n
from app.db import SessionDep
from app.models import User
from app.models.identity import LoginLevel
from app.services import api_tokens, sessions
from app.services.permissions.login_level import LOGIN_LEVEL

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

SESSION_KEY = "sid"  # the cookie's name for the server-side session's random key
# The provider a session logged in at and its ID token, to log out there too (RP-initiated).
PROVIDER_LOGOUT_KEY = "oidc_logout"
MEMBER_OF_KEY = "member_of"  # the organisation the person acts for: its målform is their default


def load_user(request: Request, session: Session, token: str | None) -> User | None:
    """The caller's user, looked up in `session`; the request's state gets a detached copy."""
    user: User | None = None
    login_session_id: int | None = None
    level: str = LoginLevel.basic
    if token:
        user = api_tokens.user_from_token(session, token)
    elif (key := request.session.get(SESSION_KEY)) is not None:
        found = sessions.find(session, key=str(key))
        if found is None:  # logged out elsewhere, or idle too long: a visitor from now on
            request.session.pop(SESSION_KEY, None)
        else:
            user = found.user
            login_session_id, level = found.login_session.id, found.login_session.level
    # Templates get a detached copy: an error page is rendered after the rollback, which
    # expires every object the request's session loaded.
    copy = User(**{f: getattr(user, f) for f in User.model_fields}) if user else None
    note_caller(request, copy, login_session_id, level)
    return user


def note_caller(
    request: Request, user: User | None, login_session_id: int | None, level: str
) -> None:
    """Note on the request who asks (`user`: not bound to any database session), through which
    login session and at which login level."""
    request.state.login_session_id = login_session_id
    request.state.login_level = level
    # For the permission checks that follow in this thread (pages rendered in one hop);
    # `_current_user` sets it again in the request's own context.
    LOGIN_LEVEL.set(LoginLevel(level))
    request.state.user = user


def is_visitor(request: Request, token: str | None) -> bool:
    """Neither a bearer token nor a logged-in session: nothing to look up."""
    if token or SESSION_KEY in request.session:
        return False
    request.state.user = None
    return True


async def _current_user(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(bearer_scheme)]
) -> User | None:
    """The caller: a bearer token's user, else the logged-in session's user, else anonymous."""
    if is_visitor(request, token):
        return None  # no database, no thread
    user = await run_in_threadpool(load_user, request, session, token)
    # In the request's own context, so the permission checks of its handler see it.
    LOGIN_LEVEL.set(LoginLevel(request.state.login_level))
    return user


CurrentUser = Annotated[User | None, Depends(_current_user)]


def login_session(
    request: Request, session: Session, user: User, *, provider: str = "", level: str = "basic"
) -> None:
    """Start a fresh session for the user (a new CSRF token too), stored on the server.

    `provider` and `level`: how the person logged in (a password: "" and basic).
    """
    request.session.clear()
    user_agent = request.headers.get("user-agent", "")
    request.session[SESSION_KEY] = sessions.start(
        session, user=user, user_agent=user_agent, provider=provider, level=level
    )
    request.session["csrf"] = secrets.token_urlsafe(32)
    if user.language in i18n.LANGUAGES:
        request.session["lang"] = user.language
    if user.organisation_id is not None:
        request.session[MEMBER_OF_KEY] = user.organisation_id
