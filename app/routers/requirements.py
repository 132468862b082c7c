"""The specification workspace: its pages, its forms and the requirements' JSON API.

Rules live in `app/services/requirements.py`; this module parses, calls and renders.
"""

from __future__ import annotations

from app.db import SessionDep
from app.models import Requirement
from app.models.base import Id, id_of
from app.models.requirement import (
    CoAuthorInvite,
    RequirementCreate,
    RequirementPublic,
    RequirementUpdate,
    RequirementVersionPublic,
)
from app.services import projects, requirements
from app.web import CurrentUser, api_router

api = api_router("specification")


def _public(requirement: Requirement) -> RequirementPublic:
    return RequirementPublic.model_validate(requirement, from_attributes=True)


@api.get("/projects/{project_id}/requirements")
def list_requirements(
    session: SessionDep, user: CurrentUser, project_id: Id
) -> list[RequirementPublic]:
    """The project's requirements the caller may see (drafts for procurers and co-authors)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return [_public(r) for r in requirements.list_requirements(session, rel=rel)]


@api.post("/projects/{project_id}/requirements", status_code=201)
def create_requirement(
    session: SessionDep, user: CurrentUser, project_id: Id, data: RequirementCreate
) -> RequirementPublic:
    """Draft a requirement (the project's procurers and co-authors, from the market dialogue)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return _public(requirements.create(session, rel=rel, data=data))


@api.get("/requirements/{requirement_id}")
def read_requirement(
    session: SessionDep, user: CurrentUser, requirement_id: Id
) -> RequirementPublic:
    """One requirement, for those who may see it (404 otherwise)."""
    requirement, _rel = requirements.find(session, user=user, requirement_id=requirement_id)
    return _public(requirement)


@api.patch("/requirements/{requirement_id}")
def edit_requirement(
    session: SessionDep, user: CurrentUser, requirement_id: Id, data: RequirementUpdate
) -> RequirementPublic:
    """Change a requirement's fields and/or status; every change is a new version."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    return _public(requirements.edit(session, rel=rel, requirement=requirement, data=data))


@api.get("/requirements/{requirement_id}/versions")
def list_versions(
    session: SessionDep, user: CurrentUser, requirement_id: Id
) -> list[RequirementVersionPublic]:
    """Every version of a requirement, newest first."""
    requirement, _rel = requirements.find(session, user=user, requirement_id=requirement_id)
    return [
        RequirementVersionPublic.model_validate(v, from_attributes=True)
        for v in requirements.versions(session, requirement=requirement)
    ]


@api.post("/projects/{project_id}/specification/co-authors", status_code=201)
def invite_co_author(
    session: SessionDep, user: CurrentUser, project_id: Id, data: CoAuthorInvite
) -> dict[str, int]:
    """A procurer invites an employee of the owner or a partner municipality as co-author."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    invitee = requirements.invite_co_author(session, rel=rel, user_id=data.user_id)
    return {"user_id": id_of(invitee)}


@api.post("/projects/{project_id}/specification/final")
def finalise_specification(
    session: SessionDep, user: CurrentUser, project_id: Id
) -> dict[str, bool]:
    """Mark the specification final (procurers): every requirement final, weights at 100 %."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    requirements.finalise(session, rel=rel)
    return {"specification_final": True}
