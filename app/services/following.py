"""Following a project or a need: its followers hear of new needs and new comments.

Posting, supporting or commenting on a need follows it without a word; the follow button is an
act of its own and goes into the participation log (followed, unfollowed).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Exists, exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import Follow, Need, Project, User
from app.models.base import id_of
from app.models.vocabulary import ObjectType, Verb
from app.services import contribution, permissions
from app.services.errors import Conflict, NotFound
from app.services.permissions import ProjectRelation

Followable = Project | Need


def _kind(subject: Followable) -> ObjectType:
    return ObjectType.need if isinstance(subject, Need) else ObjectType.project


def _find(session: Session, user_id: int, subject: Followable) -> Follow | None:
    return session.exec(
        select(Follow).where(
            Follow.user_id == user_id,
            Follow.object_type == _kind(subject),
            Follow.object_id == id_of(subject),
        )
    ).first()


def is_following(session: Session, *, user: User | None, subject: Followable) -> bool:
    """Whether the person follows the project or need."""
    return user is not None and _find(session, id_of(user), subject) is not None


def follows_project(user: ColumnElement[int], project: ColumnElement[int]) -> Exists:
    """Whether the person follows the project (SQL: `is_following` in a larger statement)."""
    return exists().where(
        col(Follow.user_id) == user,
        col(Follow.object_type) == ObjectType.project,
        col(Follow.object_id) == project,
    )


def follow_quietly(session: Session, *, user_id: int, project_id: int, need: Need) -> None:
    """Follow a need one has taken part in, unless one already does (no log entry: not an act)."""
    if _find(session, user_id, need) is not None:
        return
    try:
        with session.begin_nested():
            session.add(
                Follow(
                    user_id=user_id,
                    project_id=project_id,
                    object_type=ObjectType.need,
                    object_id=id_of(need),
                )
            )
    except IntegrityError:
        pass  # a concurrent twin: already followed, which is all this wanted


def follow(session: Session, *, rel: ProjectRelation, subject: Followable) -> Follow:
    """Follow a project or a need one can see (409 if one already does)."""
    user = permissions.require_user(rel.user)
    if _find(session, id_of(user), subject) is not None:
        raise Conflict("You already follow this.")
    row = Follow(
        user_id=id_of(user),
        project_id=id_of(rel.project),
        object_type=_kind(subject),
        object_id=id_of(subject),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict("You already follow this.") from None
    contribution.record(session, rel=rel, on=subject, verb=Verb.followed)
    return row


def unfollow(session: Session, *, rel: ProjectRelation, subject: Followable) -> None:
    """Stop following a project or a need (404 if one did not)."""
    user = permissions.require_user(rel.user)
    row = _find(session, id_of(user), subject)
    if row is None:
        raise NotFound("You do not follow this.")
    session.delete(row)
    contribution.record(session, rel=rel, on=subject, verb=Verb.unfollowed)


def followers(session: Session, *, subject: Followable) -> list[int]:
    """The ids of the people who follow the project or need."""
    return list(
        session.exec(
            select(Follow.user_id)
            .where(Follow.object_type == _kind(subject), Follow.object_id == id_of(subject))
            .order_by(col(Follow.user_id))
        ).all()
    )
