"""What the notification tests share: who was told what, and a revoked membership."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import Membership, Notification, Organisation, OutboxMessage, User
from app.services import memberships, permissions
from tests.conftest import World


def told(session: Session, user: User) -> list[tuple[str, str]]:
    """The (kind, object type) of every notification the person got, oldest first."""
    session.expire_all()
    rows = session.exec(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(col(Notification.id))
    ).all()
    return [(row.kind, row.object_type) for row in rows]


def kinds(session: Session, user: User) -> list[str]:
    """The kinds of every notification the person got, oldest first."""
    return [kind for kind, _ in told(session, user)]


def mails_to(session: Session, user: User) -> list[OutboxMessage]:
    """The mails queued to the person, oldest first."""
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.to_address == user.email)
    return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def revoke_membership(
    session: Session, world: World, user: User, organisation: Organisation | None = None
) -> None:
    """The organisation (the owner unless named) ends the person's membership: they are a
    citizen from now on."""
    membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    rel = permissions.organisation_relation(session, world.admin, organisation or world.owner)
    memberships.revoke(session, rel=rel, membership_id=membership.id or 0)
    session.commit()
