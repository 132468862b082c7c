"""A membership's life: asked for, granted or activated, decided, revoked, and acted in.

`User.role` and `User.organisation_id` are derived here, and only here, from the person's active
memberships (in organisations that are not deactivated): the permission policy reads those two
fields. A person with several active memberships acts in one at a time (`act_as`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import Membership, Organisation, User
from app.models.base import Role, id_of, utcnow
from app.models.membership import MembershipRole, MembershipStatus, VouchedBy
from app.models.vocabulary import AuditAction
from app.services import accounts, contribution, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid, NotFound
from app.services.memberships.domains import domain_owner
from app.services.permissions import MEMBERSHIP_ORG_KINDS, OrganisationRelation


def check_kind(organisation: Organisation, role: MembershipRole) -> None:
    """Refuse (422) a role the organisation's kind does not have, or a deactivated organisation."""
    if organisation.kind not in MEMBERSHIP_ORG_KINDS[role]:
        raise Invalid("Choose an organisation of the right kind for this role.")
    if organisation.deactivated_at is not None:
        raise Invalid("This organisation is no longer active on the platform.")


def membership_state(membership: Membership) -> dict[str, object]:
    """What an audit entry records of a membership."""
    return {
        "user_id": membership.user_id,
        "role": membership.role,
        "is_org_admin": membership.is_org_admin,
        "status": membership.status,
        "vouched_by": membership.vouched_by,
    }


def record_decision(
    session: Session,
    *,
    actor: User,
    organisation: Organisation,
    membership: Membership,
    action: AuditAction,
    before: dict[str, object] | None,
) -> None:
    """Note a decision on a membership in the organisation's record, with the state it left."""
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=organisation,
        on=membership,
        change=Change(action, before=before, after=membership_state(membership)),
    )


def active_memberships(session: Session, *, user_id: int) -> list[Membership]:
    """The person's memberships that count: active, in organisations that are not deactivated."""
    query = (
        select(Membership)
        .join(Organisation, col(Organisation.id) == Membership.organisation_id)
        .where(
            col(Membership.user_id) == user_id,
            col(Membership.status) == MembershipStatus.active,
            col(Organisation.deactivated_at).is_(None),
        )
        .order_by(col(Membership.id))
    )
    return list(session.exec(query).all())


def sync_user(session: Session, *, user: User, prefer: Membership | None = None) -> User:
    """Set the user's role and organisation from an active membership (citizen if none).

    Keeps the one the user acts in if it still counts; else `prefer`, else the oldest.
    Platform administrators keep their role: it is not an organisation's to give or take.
    """
    if user.role == Role.admin:
        return user
    before = (user.role, user.organisation_id)
    active = active_memberships(session, user_id=id_of(user))
    current = next(
        (
            m
            for m in active
            if m.organisation_id == user.organisation_id and m.role == user.role.value
        ),
        None,
    )
    chosen = current or next((m for m in active if prefer and m.id == prefer.id), None)
    chosen = chosen or (active[0] if active else None)
    user.role = Role(chosen.role) if chosen else Role.citizen
    user.organisation_id = chosen.organisation_id if chosen else None
    session.add(user)
    session.flush()
    if (user.role, user.organisation_id) != before:
        contribution.access_changed(session, user_id=id_of(user))
    return user


def activate(
    session: Session,
    *,
    membership: Membership,
    vouched_by: VouchedBy,
    decided_by: User | None,
    actor: User,
    action: AuditAction,
) -> Membership:
    before = membership_state(membership) if membership.id else None
    membership.status = MembershipStatus.active
    membership.vouched_by = vouched_by
    membership.decided_at = utcnow()
    membership.decided_by_id = decided_by.id if decided_by else None
    session.add(membership)
    session.flush()
    organisation = session.get(Organisation, membership.organisation_id)
    assert organisation is not None
    record_decision(
        session,
        actor=actor,
        organisation=organisation,
        membership=membership,
        action=action,
        before=before,
    )
    user = session.get(User, membership.user_id)
    assert user is not None
    sync_user(session, user=user, prefer=membership)
    return membership


def grant(
    session: Session,
    *,
    user: User,
    organisation: Organisation,
    role: MembershipRole,
    vouched_by: VouchedBy,
    actor: User | None = None,
    is_org_admin: bool = False,
) -> Membership:
    """An active membership at once (the operator, the demo, a platform administrator)."""
    check_kind(organisation, role)
    membership = Membership(
        user_id=id_of(user),
        organisation_id=id_of(organisation),
        role=role,
        is_org_admin=is_org_admin,
    )
    session.add(membership)
    session.flush()
    return activate(
        session,
        membership=membership,
        vouched_by=vouched_by,
        decided_by=actor,
        actor=actor or user,
        action=AuditAction.membership_granted,
    )


def request_employment(session: Session, *, user: User, organisation: Organisation) -> Membership:
    """A pending employee membership: it waits for a proven address in a domain, or approval."""
    check_kind(organisation, MembershipRole.employee)
    membership = Membership(
        user_id=id_of(user),
        organisation_id=id_of(organisation),
        role=MembershipRole.employee,
    )
    record_decision(
        session,
        actor=user,
        organisation=organisation,
        membership=membership,
        action=AuditAction.membership_requested,
        before=None,
    )
    if user.email_verified_at is not None:
        activate_by_domain(session, user)
    return membership


def activate_by_domain(session: Session, user: User) -> None:
    """Activate the user's pending requests whose organisation vouches for the proven address.

    Run when the address is proven (a hook of e-mail verification), in that transaction.
    """
    if user.email_verified_at is None:
        return
    owner = domain_owner(session, email=user.email)
    if owner is None:
        return
    pending = session.exec(
        select(Membership).where(
            col(Membership.user_id) == user.id,
            col(Membership.organisation_id) == owner.id,
            col(Membership.status) == MembershipStatus.pending,
        )
    ).all()
    for membership in pending:
        activate(
            session,
            membership=membership,
            vouched_by=VouchedBy.domain,
            decided_by=None,
            actor=user,
            action=AuditAction.membership_activated_by_domain,
        )


def _membership_in(rel: OrganisationRelation, session: Session, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != rel.organisation.id:
        raise NotFound("No such membership.")
    return membership


def _claim(
    session: Session, membership: Membership, expected: MembershipStatus, refusal: str
) -> None:
    """Hold the membership's row while it is still in the expected state, or refuse (409).

    A conditional UPDATE: of two administrators deciding the same request at once, the second
    waits for the first and then finds it decided.
    """
    claimed = session.execute(
        update(Membership)
        .where(col(Membership.id) == membership.id, col(Membership.status) == expected)
        .values(status=expected)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(refusal)
    session.refresh(membership)


def decide(
    session: Session, *, rel: OrganisationRelation, membership_id: int, approve: bool
) -> Membership:
    """An administrator approves or declines a pending request."""
    actor = permissions.ensure_org_admin(rel)
    membership = _membership_in(rel, session, membership_id)
    _claim(session, membership, MembershipStatus.pending, "This request has already been decided.")
    if approve:
        return activate(
            session,
            membership=membership,
            vouched_by=VouchedBy.approval,
            decided_by=actor,
            actor=actor,
            action=AuditAction.membership_approved,
        )
    return _end(
        session, rel=rel, actor=actor, membership=membership, action=AuditAction.membership_declined
    )


def revoke(session: Session, *, rel: OrganisationRelation, membership_id: int) -> Membership:
    """An administrator ends an active membership; the person keeps a citizen account."""
    actor = permissions.ensure_org_admin(rel)
    membership = _membership_in(rel, session, membership_id)
    _claim(session, membership, MembershipStatus.active, "This membership is not active.")
    if membership.is_org_admin and not rel.is_platform_admin:
        admins = [
            m
            for m in members(session, rel=rel)
            if m.membership.is_org_admin and m.membership.status == MembershipStatus.active
        ]
        if len(admins) <= 1:
            raise Conflict(
                "The organisation would have no administrator left; make someone else one first."
            )
    return _end(
        session, rel=rel, actor=actor, membership=membership, action=AuditAction.membership_revoked
    )


def _end(
    session: Session,
    *,
    rel: OrganisationRelation,
    actor: User,
    membership: Membership,
    action: AuditAction,
) -> Membership:
    before = membership_state(membership)
    membership.status = MembershipStatus.revoked
    membership.decided_at = utcnow()
    membership.decided_by_id = actor.id
    record_decision(
        session,
        actor=actor,
        organisation=rel.organisation,
        membership=membership,
        action=action,
        before=before,
    )
    user = session.get(User, membership.user_id)
    assert user is not None
    sync_user(session, user=user)
    return membership


def act_as(session: Session, *, user: User, membership_id: int) -> User:
    """Choose which of one's active memberships one acts in (sets role and organisation)."""
    chosen = next(
        (m for m in active_memberships(session, user_id=id_of(user)) if m.id == membership_id),
        None,
    )
    if chosen is None:
        raise NotFound("No such membership.")
    if user.role == Role.admin:
        raise Invalid("Platform administrators act as administrators.")
    user.role = Role(chosen.role)
    user.organisation_id = chosen.organisation_id
    session.add(user)
    session.flush()
    contribution.access_changed(session, user_id=id_of(user))
    return user


@dataclass(frozen=True)
class Member:
    """A membership with its person's name and address, as the people page lists it."""

    membership: Membership
    display_name: str
    email: str


def members(session: Session, *, rel: OrganisationRelation) -> list[Member]:
    """The organisation's memberships (all states), newest requests first."""
    permissions.ensure_can_view_people(rel)
    query = (
        select(Membership, User.display_name, User.email)
        .join(User, col(User.id) == Membership.user_id)
        .where(col(Membership.organisation_id) == rel.organisation.id)
        .order_by(col(Membership.status), User.display_name, col(Membership.id))
    )
    return [Member(m, name, email) for m, name, email in session.exec(query).all()]


def my_memberships(session: Session, *, user: User) -> list[tuple[Membership, Organisation]]:
    """The person's own memberships with their organisations (for the profile)."""
    query = (
        select(Membership, Organisation)
        .join(Organisation, col(Organisation.id) == Membership.organisation_id)
        .where(col(Membership.user_id) == user.id)
        .order_by(col(Membership.id))
    )
    return [(m, o) for m, o in session.exec(query).all()]


# A proven address in an organisation's domain activates the person's pending request there.
if activate_by_domain not in accounts.EMAIL_VERIFIED_HOOKS:
    accounts.EMAIL_VERIFIED_HOOKS.append(activate_by_domain)
