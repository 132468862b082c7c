"""Writing and reading the participation log; always inside the contribution's transaction."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app import db
from app.config import get_settings
from app.models import Need, Organisation, ParticipationEvent, Project, ProjectPartner, User
from app.models.base import id_of
from app.models.participation import ParticipationEventPublic
from app.services import permissions
from app.services.permissions import ProjectRelation

# An organisation's kind never changes (a municipality does not become a supplier), so it is
# looked up once per process, not inside every writing transaction (where each query keeps the
# database's write lock waiting for the GIL).
_org_kinds: dict[int, str] = {}
db.forget_on_reset(_org_kinds.clear)


def _org_kind(session: Session, org_id: int | None) -> str | None:
    if org_id is None:
        return None
    if org_id not in _org_kinds:
        org = session.get(Organisation, org_id)
        if org is None:
            return None
        _org_kinds[org_id] = org.kind
    return _org_kinds[org_id]


def record(
    session: Session,
    *,
    actor: User,
    project: Project,
    verb: str,
    object_type: str,
    object_id: int,
    addressee: User | None = None,
    phase: str | None = None,
) -> ParticipationEvent:
    """Append one participation event to the session's transaction (never commits).

    The event carries the project's phase, or `phase` for an act that changes the phase itself.
    """
    event = ParticipationEvent(
        project_id=id_of(project),
        phase=phase or project.phase,
        actor_id=id_of(actor),
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
    bump_version(session, project=project)
    return event


def bump_version(session: Session, *, project: Project) -> None:
    """Move the project's content version: every page cached for the one before is stale."""
    session.execute(
        update(Project)
        .where(col(Project.id) == project.id)
        .values(content_version=Project.content_version + 1)
        .execution_options(synchronize_session=False)
    )


def organisation_changed(session: Session, *, organisation_id: int) -> None:
    """Move the content version of every project the organisation owns or partners in: their
    pages show its name, look and logo (cached pages are rendered again)."""
    partnered = select(ProjectPartner.project_id).where(
        ProjectPartner.organisation_id == organisation_id
    )
    session.execute(
        update(Project)
        .where(or_(col(Project.owner_org_id) == organisation_id, col(Project.id).in_(partnered)))
        .values(content_version=Project.content_version + 1)
        .execution_options(synchronize_session=False)
    )


def project_version(session: Session, *, project_id: int) -> int:
    """The project's content version: moves with every contribution, in commit order."""
    query = select(Project.content_version).where(Project.id == project_id)
    return session.exec(query).one_or_none() or 0


def _pseudonym(subject: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"participation:{subject}".encode(), hashlib.sha256).hexdigest()[:16]


def present(
    session: Session, *, rel: ProjectRelation, events: Sequence[ParticipationEvent]
) -> list[ParticipationEventPublic]:
    """Events as this reader may see them (the table in `permissions`): actors pseudonymised
    unless the reader sees authors, private acts without anything that names their actor.

    Posting an anonymous need gets a pseudonym of its own, so that a reader cannot link it to
    the same person's named contributions, and no organisation. Nor does any event addressed to
    a person who posted an anonymous need name that person's organisation: in a small
    municipality the organisation of whoever a comment answered could point at the author. A
    private act (asking, registering, attending) gets a pseudonym of the event's own; a
    question's asking is dated at its publication; organisation ids are public bodies' only.
    """
    anonymous: set[int] = set()
    anonymous_authors: set[int] = set()
    if not rel.can_see_authors:
        query = select(Need.id, Need.author_id).where(
            Need.project_id == rel.project.id, col(Need.anonymous).is_(True)
        )
        for need_id, author_id in session.exec(query).all():
            if need_id is not None:  # stored rows always have one
                anonymous.add(need_id)
            anonymous_authors.add(author_id)
    published = _publication_moments(session, rel=rel, events=events)
    shown = []
    for event in events:
        hidden = event.verb == "posted_need" and event.object_id in anonymous
        private = not permissions.shows_actor(rel, event.verb)
        subject = f"user:{event.actor_id}"
        if hidden:
            subject = f"anonymous-need:{event.object_id}"
        elif private or event.actor_id is None:  # a private act, or a deleted account's
            subject = f"event:{event.id}"
        update: dict[str, object] = {
            "actor": _pseudonym(subject),
            "actor_id": event.actor_id if rel.can_see_authors else None,
        }
        if hidden or private or not permissions.shows_organisation(rel, event.actor_org_kind):
            update["actor_org_id"] = None
        if event.addressee_id in anonymous_authors or not permissions.shows_organisation(
            rel, event.addressee_org_kind
        ):
            update["addressee_org_id"] = None
        if event.id in published:
            update["occurred_at"] = published[event.id]
        shown.append(ParticipationEventPublic.model_validate(event, update=update))
    return shown


def _publication_moments(
    session: Session, *, rel: ProjectRelation, events: Sequence[ParticipationEvent]
) -> dict[int, datetime]:
    """The events this reader knows of only from their question's publication, with its moment
    (`permissions.participation_moment`, for the events at hand)."""
    ids = [e.id for e in events if e.object_type == "question" and e.id is not None]
    if permissions.sees_whole_participation(rel) or not ids:
        return {}
    query = select(ParticipationEvent.id, permissions.participation_moment(rel)).where(
        col(ParticipationEvent.id).in_(ids)
    )
    return {event_id: moment for event_id, moment in session.execute(query) if event_id}


def list_for_project(
    session: Session, *, rel: ProjectRelation, after_id: int = 0, limit: int = 500
) -> Sequence[ParticipationEvent]:
    """Events of one project that this reader may see, in order, paged by id (keyset)."""
    query = (
        select(ParticipationEvent)
        .where(
            ParticipationEvent.project_id == rel.project.id,
            col(ParticipationEvent.id) > after_id,
            permissions.visible_participation_clause(rel),
        )
        .order_by(col(ParticipationEvent.id))
        .limit(limit)
    )
    return session.exec(query).all()
