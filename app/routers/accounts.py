"""Accounts: log in, register, log out, language; and the API's token endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlmodel import col, select

from app import i18n
from app.db import SessionDep
from app.models import Organisation
from app.models.base import OrganisationKind, Role
from app.models.user import Registration, UserPublic
from app.services import accounts
from app.services.errors import NotAuthenticated
from app.web import (
    CommittingRoute,
    CsrfProtected,
    CurrentUser,
    login_session,
    parse,
    redirect,
    render,
)

pages = APIRouter(
    route_class=CommittingRoute, include_in_schema=False, dependencies=[CsrfProtected]
)
api = APIRouter(route_class=CommittingRoute, prefix="/auth", tags=["auth"])


def _safe_next(target: str | None) -> str:
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
    return render(request, "accounts/login.html", {"next": _safe_next(next)})


@pages.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password and start a session."""
    user = accounts.authenticate(session, email=email, password=password)
    login_session(request, session, user)
    return redirect(request, _safe_next(next))


@pages.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return redirect(request, "/")


@pages.get("/register")
def register_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The registration form."""
    return render(request, "accounts/register.html", {"organisations": _municipalities(session)})


@pages.post("/register")
def register(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()],
    display_name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()] = Role.citizen,
    organisation_id: Annotated[str, Form()] = "",
) -> Response:
    """Create a citizen account (with a pending employee request) and say to check the mail.

    The answer is the same whether or not the address already has an account.
    """
    data = parse(
        Registration,
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
    request: Request, lang: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> Response:
    """Remember the chosen language in a cookie (works for visitors without an account)."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"


@api.post("/token")
def token(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange e-mail (as `username`) and password for a bearer token."""
    user = accounts.authenticate(session, email=form.username, password=form.password)
    return Token(access_token=accounts.issue_token(user))


@api.get("/me")
def me(user: CurrentUser) -> UserPublic:
    """The caller's own account."""
    if user is None:
        raise NotAuthenticated("You need to log in to do this.")
    return UserPublic.model_validate(user)
