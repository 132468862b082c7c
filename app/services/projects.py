"""Projects: opening one, listing what a user may see, reading one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam
from sqlmodel import Session, col, select

from app.models import Organisation, Project, ProjectPartner, User
from app.models.base import Role, id_of
from app.models.project import ProjectCreate, ProjectPublic
from app.services import permissions
from app.services.accounts import PUBLIC_SECTOR
from app.services.errors import Forbidden, Invalid
from app.services.permissions import ProjectRelation


def create_project(session: Session, *, user: User | None, data: ProjectCreate) -> Project:
    """Open a project owned by the procurer's municipality (admins may name any owner)."""
    user = permissions.ensure_can_create_project(user)
    texts = (data.title, data.summary, data.service_area, data.innovation_ambition)
    if not all(text.strip() for text in texts):
        raise Invalid("Title, summary, service area and innovation ambition cannot be blank.")
    owner_id = data.owner_org_id or user.organisation_id
    if owner_id is None:
        raise Invalid("Choose the municipality that owns the project.")
    if user.role != Role.admin and owner_id != user.organisation_id:
        raise Forbidden("A procurer opens projects for their own organisation.")
    org_ids = {owner_id, *data.partner_org_ids}
    orgs = session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids))).all()
    if len(orgs) != len(org_ids) or any(org.kind not in PUBLIC_SECTOR for org in orgs):
        raise Invalid("Owner and partners must be municipalities or counties.")
    project = Project(
        **data.model_dump(exclude={"owner_org_id", "partner_org_ids"}),
        owner_org_id=owner_id,
        created_by_id=id_of(user),
    )
    session.add(project)
    session.flush()
    for org_id in sorted(set(data.partner_org_ids) - {owner_id}):
        session.add(ProjectPartner(project_id=id_of(project), organisation_id=org_id))
    session.flush()
    return project


def list_projects(session: Session, *, user: User | None) -> Sequence[Project]:
    """Projects the user may see, newest first."""
    query = (
        select(Project)
        .where(permissions.visible_projects_clause(user))
        .order_by(col(Project.created_at).desc(), col(Project.id).desc())
    )
    return session.exec(query).all()


def get_project(session: Session, *, user: User | None, project_id: int) -> ProjectRelation:
    """A project the user may see, with the user's relation to it (404 otherwise)."""
    return permissions.viewable_project(session, user, project_id)


# The project's content version, if visitors who are not logged in may see it (bound to
# `object_id`). Built once: a page view for visitors runs it and nothing else.
VERSION_FOR_VISITORS: Select[Any] = select(Project.content_version).where(
    Project.id == bindparam("object_id"), permissions.visible_projects_clause(None)
)


def partner_ids(session: Session, *, project_id: int) -> list[int]:
    """Organisation ids of the project's partners."""
    query = select(ProjectPartner.organisation_id).where(ProjectPartner.project_id == project_id)
    return list(session.exec(query).all())


def organisations_by_id(session: Session, ids: set[int]) -> dict[int, Organisation]:
    """Organisations keyed by id, in one query."""
    if not ids:
        return {}
    orgs = session.exec(select(Organisation).where(col(Organisation.id).in_(ids))).all()
    return {org.id: org for org in orgs if org.id is not None}


def to_public(session: Session, project: Project) -> ProjectPublic:
    """The API view of a project."""
    return ProjectPublic.model_validate(
        project, update={"partner_org_ids": partner_ids(session, project_id=id_of(project))}
    )
