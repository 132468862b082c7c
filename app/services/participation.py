"""Writing and reading the participation log; always inside the contribution's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, func, select

from app.models import Organisation, ParticipationEvent, Project, User


def _org_kind(session: Session, org_id: int | None) -> str | None:
    if org_id is None:
        return None
    org = session.get(Organisation, org_id)
    return org.kind if org else None


def record(
    session: Session,
    *,
    actor: User,
    project: Project,
    verb: str,
    object_type: str,
    object_id: int,
    addressee: User | None = None,
) -> ParticipationEvent:
    """Append one participation event to the session's transaction (never commits)."""
    event = ParticipationEvent(
        project_id=project.id,
        phase=project.phase,
        actor_id=actor.id,
        actor_role=actor.role,
        actor_org_id=actor.organisation_id,
        actor_org_kind=_org_kind(session, actor.organisation_id),
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        addressee_id=addressee.id if addressee else None,
        addressee_role=addressee.role if addressee else None,
        addressee_org_id=addressee.organisation_id if addressee else None,
        addressee_org_kind=_org_kind(session, addressee.organisation_id) if addressee else None,
    )
    session.add(event)
    return event


def project_version(session: Session, *, project_id: int) -> int:
    """The newest participation event id of a project: moves with every visible change."""
    query = select(func.max(ParticipationEvent.id)).where(
        ParticipationEvent.project_id == project_id
    )
    return session.exec(query).one() or 0


def list_for_project(
    session: Session, *, project_id: int, after_id: int = 0, limit: int = 500
) -> Sequence[ParticipationEvent]:
    """Events of one project in order, paged by id (keyset, so large logs page cheaply)."""
    query = (
        select(ParticipationEvent)
        .where(ParticipationEvent.project_id == project_id, ParticipationEvent.id > after_id)
        .order_by(ParticipationEvent.id)
        .limit(limit)
    )
    return session.exec(query).all()
