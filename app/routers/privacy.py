"""Privacy by law: the privacy and accessibility statements, the person's data export, account
deletion, and organisations' retention times."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.config import get_settings
from app.db import SessionDep
from app.models.base import Id, utcnow
from app.services import permissions, privacy, sessions
from app.services.errors import Invalid
from app.services.privacy import statements
from app.web import CurrentUser, api_router, page_router, redirect, render

pages = page_router()
api = api_router("privacy", prefix="/me")


@pages.get("/personvern")
def privacy_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The privacy statement (personvernerklæring), from the settings and the studies."""
    context = statements.privacy_context(session, get_settings())
    return render(request, "privacy/privacy.html", context)


@pages.get("/tilgjengelighet")
def accessibility_page(request: Request, user: CurrentUser) -> Response:
    """The accessibility statement (tilgjengelighetserklæring), WCAG 2.1 status as tested."""
    return render(
        request, "privacy/accessibility.html", statements.accessibility_context(get_settings())
    )


@api.get("/export")
def export(session: SessionDep, user: CurrentUser) -> Response:
    """Everything the platform holds about the caller, as a JSON file to download."""
    data = privacy.export_person(session, user=user)
    name = f"pivotal-mine-{utcnow().date().isoformat()}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


class AccountDeletion(BaseModel):
    """The password and the confirming word that delete the caller's account."""

    password: str = Field(max_length=200)
    confirm: str = Field(max_length=20, description=f'Type "{privacy.CONFIRM_WORD}"')


@api.delete("", status_code=204)
def delete_me(
    request: Request, session: SessionDep, user: CurrentUser, data: AccountDeletion
) -> Response:
    """Delete the caller's account: contributions stay as a deleted user's, the rest goes."""
    privacy.delete_account(
        session,
        user=user,
        password=data.password,
        confirm=data.confirm,
        fresh_login=sessions.is_fresh(session, getattr(request.state, "login_session_id", None)),
    )
    request.session.clear()
    return Response(status_code=204)


@pages.post("/profile/delete")
def delete_me_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    password: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Delete the account from the profile page, then log out."""
    privacy.delete_account(
        session,
        user=user,
        password=password,
        confirm=confirm,
        fresh_login=sessions.is_fresh(session, getattr(request.state, "login_session_id", None)),
    )
    request.session.clear()
    return redirect(request, "/account-deleted")


@pages.get("/account-deleted")
def deleted_page(request: Request, user: CurrentUser) -> Response:
    """What stays and what went, after deleting an account."""
    return render(request, "privacy/deleted.html")


@pages.post("/organisations/{organisation_id}/retention")
def set_retention(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    months: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Set (or, left empty, remove) how long the organisation's closed projects keep personal
    data."""
    rel = permissions.known_organisation(session, user, organisation_id)
    if months.strip() and not months.strip().isdigit():
        raise Invalid("Give a whole number of months from 1 to %(most)s.", most=privacy.MAX_MONTHS)
    value = int(months) if months.strip() else None
    privacy.set_retention(session, rel=rel, months=value)
    return redirect(request, f"/organisations/{organisation_id}/people#retention-heading")
