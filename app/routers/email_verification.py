"""Proving an e-mail address: the mailed link's page, its confirmation, and sending it again.

Opening the link only shows a button: mail scanners fetch links, and a GET must change nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.models.mail import LinkPurpose
from app.services import accounts, links
from app.services.errors import NotAuthenticated
from app.services.links import MAX_TOKEN_LENGTH
from app.web import CurrentUser, page_router, redirect, render

pages = page_router()
Token = Annotated[str, Path(max_length=MAX_TOKEN_LENGTH)]


@pages.get("/verify-email/{token}")
def confirm_page(
    request: Request, session: SessionDep, user: CurrentUser, token: Token
) -> Response:
    """Ask the holder of a verification link to confirm (a refusal if the link cannot be used)."""
    link = links.peek(session, token=token, purpose=LinkPurpose.verify_email)
    return render(request, "accounts/verify_email.html", {"token": token, "email": link.email})


@pages.post("/verify-email/{token}")
def confirm(request: Request, session: SessionDep, user: CurrentUser, token: Token) -> Response:
    """Mark the address proven."""
    verified = accounts.verify_email(session, token=token)
    return render(request, "accounts/email_verified.html", {"email": verified.email})


@pages.post("/profile/verify-email")
def send_again(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Mail a new verification link to the logged-in person."""
    if user is None:
        raise NotAuthenticated("You need to log in to do this.")
    if user.email_verified_at is None:
        accounts.send_verification(session, user=user)
    return redirect(request, "/profile?verification=sent#email-heading")
