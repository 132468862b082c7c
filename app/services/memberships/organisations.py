"""Organisations: companies that register themselves, and platform administration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.models import Membership, Organisation, User
from app.models.base import OrganisationKind, utcnow
from app.models.membership import MembershipRole, MembershipStatus, VouchedBy
from app.models.organisation import OrganisationCreate
from app.models.vocabulary import AuditAction
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid, NotFound
from app.services.memberships.lifecycle import (
    grant,
    membership_state,
    record_decision,
    sync_user,
)
from app.services.permissions import MEMBERSHIP_ORG_KINDS, PUBLIC_SECTOR, OrganisationRelation


def register_company(session: Session, *, user: User, data: OrganisationCreate) -> Organisation:
    """A supplier registers its company and becomes its first administrator (number unverified)."""
    if data.org_number is None:
        raise Invalid("Give the company's organisation number (9 digits).")
    if _number_taken(session, data.org_number):
        raise Conflict(
            "A company with this organisation number is already registered; ask its "
            "administrator to invite you."
        )
    organisation = Organisation(
        name=data.name.strip(), kind=OrganisationKind.supplier, org_number=data.org_number
    )
    after = {"name": organisation.name, "org_number": organisation.org_number}
    _record(session, user, organisation, AuditAction.company_registered, after=after)
    grant(
        session,
        user=user,
        organisation=organisation,
        role=MembershipRole.supplier,
        vouched_by=VouchedBy.company_registration,
        is_org_admin=True,
    )
    return organisation


def list_organisations(session: Session, *, user: User | None) -> list[Organisation]:
    """Every organisation, for platform administrators."""
    permissions.ensure_platform_admin(user)
    return list(session.exec(select(Organisation).order_by(Organisation.name)).all())


def create_organisation(
    session: Session, *, user: User | None, data: OrganisationCreate
) -> Organisation:
    """A platform administrator adds an organisation (its number counts as verified)."""
    actor = permissions.ensure_platform_admin(user)
    if data.org_number is not None and _number_taken(session, data.org_number):
        raise Conflict("An organisation with this number already exists.")
    organisation = Organisation.model_validate(data)
    organisation.name = organisation.name.strip()
    if organisation.org_number:
        organisation.org_number_verified_at = utcnow()
    after = {"name": organisation.name, "kind": organisation.kind}
    _record(
        session, actor, organisation, AuditAction.organisation_created, before=None, after=after
    )
    return organisation


def _platform_change(
    session: Session,
    *,
    rel: OrganisationRelation,
    action: AuditAction,
    field: str,
    value: datetime,
) -> Organisation:
    actor = permissions.ensure_platform_admin(rel.user)
    organisation = rel.organisation
    if getattr(organisation, field) is not None:
        raise Conflict("This has already been done.")
    setattr(organisation, field, value)
    done = field.removesuffix("_at")
    _record(session, actor, organisation, action, before={done: False}, after={done: True})
    return organisation


def verify_org_number(session: Session, *, rel: OrganisationRelation) -> Organisation:
    """A platform administrator confirms the organisation number against the register."""
    if not rel.organisation.org_number:
        raise Invalid("This organisation has no organisation number.")
    return _platform_change(
        session,
        rel=rel,
        action=AuditAction.org_number_verified,
        field="org_number_verified_at",
        value=utcnow(),
    )


def deactivate(session: Session, *, rel: OrganisationRelation) -> Organisation:
    """A platform administrator deactivates an organisation: its memberships stop counting."""
    organisation = _platform_change(
        session,
        rel=rel,
        action=AuditAction.organisation_deactivated,
        field="deactivated_at",
        value=utcnow(),
    )
    users = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(col(Membership.organisation_id) == organisation.id)
        .distinct()
    ).all()
    for user in users:
        sync_user(session, user=user)
    return organisation


def grant_admin(session: Session, *, rel: OrganisationRelation, email: str) -> Membership:
    """A platform administrator makes an existing account an administrator of the organisation.

    An active membership of the person becomes an administrator's; without one, the person gets
    one in the organisation's usual role (procurer in the public sector).
    """
    actor = permissions.ensure_platform_admin(rel.user)
    organisation = rel.organisation
    if organisation.deactivated_at is not None:
        raise Invalid("This organisation is no longer active on the platform.")
    person = session.exec(select(User).where(col(User.email) == email.strip().lower())).first()
    if person is None:
        raise NotFound("No account has this e-mail address; invite the person first.")
    existing = session.exec(
        select(Membership).where(
            col(Membership.user_id) == person.id,
            col(Membership.organisation_id) == organisation.id,
            col(Membership.status) == MembershipStatus.active,
        )
    ).first()
    if existing is not None:
        before = membership_state(existing)
        existing.is_org_admin = True
        record_decision(
            session,
            actor=actor,
            organisation=organisation,
            membership=existing,
            action=AuditAction.org_admin_granted,
            before=before,
        )
        return existing
    role = next(r for r, kinds in MEMBERSHIP_ORG_KINDS.items() if organisation.kind in kinds)
    if organisation.kind in PUBLIC_SECTOR:
        role = MembershipRole.procurer
    return grant(
        session,
        user=person,
        organisation=organisation,
        role=role,
        vouched_by=VouchedBy.platform_admin,
        actor=actor,
        is_org_admin=True,
    )


def _number_taken(session: Session, org_number: str) -> bool:
    """Whether an organisation with this number is registered already."""
    query = select(Organisation.id).where(col(Organisation.org_number) == org_number)
    return session.exec(query).first() is not None


def _record(
    session: Session,
    actor: User,
    organisation: Organisation,
    action: AuditAction,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any],
) -> None:
    """Note a decision on the organisation itself in its record."""
    change = Change(action, before=before, after=after)
    contribution.record_for_organisation(
        session, actor=actor, organisation=organisation, on=organisation, change=change
    )
