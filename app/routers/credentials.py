"""Pages that change what logs a person in: forgotten password, security settings, new e-mail.

Opening a mailed link only shows a form or a button: mail scanners fetch links, and a GET must
change nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.models.account import NewPassword
from app.services import credentials
from app.services.links import MAX_TOKEN_LENGTH
from app.services.permissions import require_user
from app.web import (
    CurrentUser,
    FormView,
    page_router,
    parse,
    redirect,
    render,
)

pages = page_router()
Token = Annotated[str, Path(max_length=MAX_TOKEN_LENGTH)]
PasswordField = Annotated[str, Form(max_length=200)]


@pages.get("/forgot-password")
def forgot_password_page(request: Request, user: CurrentUser) -> Response:
    """Ask for the address to send a reset link to."""
    return render(request, "accounts/forgot_password.html", {"sent": False})


@pages.post("/forgot-password")
def forgot_password(
    request: Request, session: SessionDep, email: Annotated[str, Form(max_length=254)]
) -> Response:
    """Mail a reset link if the address has an account; the answer is the same either way."""
    credentials.request_reset(session, email=email)
    return render(request, "accounts/forgot_password.html", {"sent": True})


@pages.get("/reset-password/{reset_token}")
def reset_password_page(request: Request, session: SessionDep, reset_token: Token) -> Response:
    """The form for a new password (a clear refusal if the link is used or expired)."""
    credentials.reset_user(session, token=reset_token)
    return render(request, "accounts/reset_password.html", {"token": reset_token})


@pages.post("/reset-password/{reset_token}")
def reset_password(
    request: Request,
    session: SessionDep,
    reset_token: Token,
    password: PasswordField,
    password_again: PasswordField,
) -> Response:
    """Set the new password; every session ends, this browser's too, so log in again."""
    view = FormView("accounts/reset_password.html")
    data = parse(NewPassword, view, password=password, password_again=password_again)
    credentials.reset_password(session, token=reset_token, data=data)
    request.session.clear()
    return redirect(request, "/login?reset=done")


@pages.get("/account/security")
def security_page(request: Request, user: CurrentUser, done: str | None = None) -> Response:
    """Change one's password or e-mail address."""
    me = require_user(user)
    return render(request, "accounts/security.html", {"email": me.email, "done": done})


@pages.post("/account/security/password")
def change_password(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    current_password: PasswordField,
    password: PasswordField,
    password_again: PasswordField,
) -> Response:
    """Change the password (the current one first); every other session ends."""
    me = require_user(user)
    data = parse(NewPassword, password=password, password_again=password_again)
    credentials.change_password(
        session,
        user=me,
        current=current_password,
        data=data,
        keep_session=request.state.login_session_id,
    )
    return redirect(request, "/account/security?done=password")


@pages.post("/account/security/email")
def change_email(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    current_password: PasswordField,
    email: Annotated[str, Form(max_length=254)],
) -> Response:
    """Send a confirmation link to the new address (and a notice to the old one)."""
    me = require_user(user)
    credentials.request_email_change(session, user=me, current=current_password, new_email=email)
    return redirect(request, "/account/security?done=email")


@pages.get("/change-email/{change_token}")
def change_email_page(request: Request, session: SessionDep, change_token: Token) -> Response:
    """Ask the holder of a change link to confirm the new address."""
    email = credentials.change_email_target(session, token=change_token)
    return render(request, "accounts/change_email.html", {"token": change_token, "email": email})


@pages.post("/change-email/{change_token}")
def confirm_email_change(request: Request, session: SessionDep, change_token: Token) -> Response:
    """Make the new address the account's."""
    user = credentials.confirm_email_change(session, token=change_token)
    context = {"token": change_token, "email": user.email, "done": True}
    return render(request, "accounts/change_email.html", context)
