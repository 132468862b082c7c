"""The market dialogue: supplier registration (a button on the project page, and the API)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.db import SessionDep
from app.models.base import Id
from app.models.dialogue import SupplierRegistrationPublic
from app.services import dialogue, projects
from app.web import CurrentUser, api_router, page_router, redirect

pages = page_router()
api = api_router("market dialogue")


@pages.post("/projects/{project_id}/suppliers")
def register_form(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """A supplier registers its company from the project page."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    dialogue.register_supplier(session, rel=rel)
    return redirect(request, f"/projects/{project_id}")


@api.post("/projects/{project_id}/suppliers", status_code=201)
def register(session: SessionDep, user: CurrentUser, project_id: Id) -> SupplierRegistrationPublic:
    """Register the caller's own company for the project's market dialogue."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    registration = dialogue.register_supplier(session, rel=rel)
    return dialogue.to_public(session, registration)


@api.get("/projects/{project_id}/suppliers")
def list_suppliers(
    session: SessionDep, user: CurrentUser, project_id: Id
) -> list[SupplierRegistrationPublic]:
    """Registered suppliers: all for the project's procurers, its own for a supplier."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return dialogue.list_suppliers(session, rel=rel)
