"""The audit log: written in the same transaction as the decision it records.

A project's entries are read by its procurers; an organisation's (memberships, domains,
invitations) by its administrators. Every entry says whether the actor used platform
administrator powers.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.models import AuditEntry, Organisation, Project, User
from app.models.audit import AuditEntryPublic
from app.models.base import Role, id_of
from app.services import permissions
from app.services.permissions import OrganisationRelation, ProjectRelation


def record(
    session: Session,
    *,
    actor: User,
    project: Project | None = None,
    organisation: Organisation | None = None,
    action: str,
    object_type: str,
    object_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    rationale: str | None = None,
) -> AuditEntry:
    """Append one audit entry, on a project's or an organisation's record (flushes only)."""
    if (project is None) == (organisation is None):
        raise ValueError("an audit entry belongs to exactly one project or organisation")
    entry = AuditEntry(
        project_id=id_of(project) if project else None,
        organisation_id=id_of(organisation) if organisation else None,
        actor_id=id_of(actor),
        actor_role=actor.role,
        as_platform_admin=actor.role == Role.admin,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        rationale=rationale or None,
    )
    session.add(entry)
    session.flush()
    return entry


def list_for_project(
    session: Session, *, rel: ProjectRelation, after_id: int = 0, limit: int = 500
) -> list[AuditEntryPublic]:
    """The project's audit entries in order with the actor's name, paged by id (procurers only)."""
    permissions.ensure_can_read_audit(rel)
    return _entries(session, AuditEntry.project_id == rel.project.id, after_id, limit)


def list_for_organisation(
    session: Session, *, rel: OrganisationRelation, after_id: int = 0, limit: int = 500
) -> list[AuditEntryPublic]:
    """The organisation's audit entries in order, paged by id (its administrators only)."""
    permissions.ensure_org_admin(rel)
    return _entries(session, AuditEntry.organisation_id == rel.organisation.id, after_id, limit)


def _entries(session: Session, scope: Any, after_id: int, limit: int) -> list[AuditEntryPublic]:
    """One log's entries after `after_id`, oldest first, with each actor's name."""
    query = (
        select(AuditEntry, User.display_name)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .where(scope, col(AuditEntry.id) > after_id)
        .order_by(col(AuditEntry.id))
        .limit(limit)
    )
    return [
        AuditEntryPublic.model_validate(entry, update={"actor_name": name})
        for entry, name in session.exec(query).all()
    ]
