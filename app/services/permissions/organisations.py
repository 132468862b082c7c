"""Organisations and their people: who manages an organisation's memberships."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from app.models import (
    Membership,
    Organisation,
    User,
)
from app.models.base import OrganisationKind, Role
from app.models.membership import MembershipRole, MembershipStatus
from app.services.errors import Forbidden, NotFound
from app.services.permissions.relation import (
    PUBLIC_SECTOR,
    require_user,
)

# ---- organisations and their people --------------------------------------------------------------
# A person's role in an organisation is a membership someone vouched for. `User.role` and
# `User.organisation_id` (which everything above reads) are derived from an active membership by
# the memberships service; the rules below say who manages an organisation's memberships.

# Which organisation kinds each membership role belongs to.
MEMBERSHIP_ORG_KINDS: dict[MembershipRole, frozenset[OrganisationKind]] = {
    MembershipRole.employee: PUBLIC_SECTOR,
    MembershipRole.procurer: PUBLIC_SECTOR,
    MembershipRole.supplier: frozenset({OrganisationKind.supplier}),
    MembershipRole.researcher: frozenset({OrganisationKind.research}),
}


@dataclass(frozen=True)
class OrganisationRelation:
    """How one user stands to one organisation: the roles of their active memberships in it."""

    user: User | None
    organisation: Organisation
    roles: frozenset[MembershipRole]
    is_member_admin: bool  # an active membership in it says "organisation administrator"

    @property
    def is_platform_admin(self) -> bool:
        return self.user is not None and self.user.role == Role.admin

    @property
    def is_org_admin(self) -> bool:
        """The organisation's own administrators, and platform administrators."""
        return self.is_platform_admin or self.is_member_admin

    @property
    def can_view_people(self) -> bool:
        """Administrators manage the people; the organisation's procurers invite colleagues."""
        return self.is_org_admin or MembershipRole.procurer in self.roles

    def invitable_roles(self) -> list[MembershipRole]:
        """The roles this user may invite people into, in this organisation."""
        fitting = [
            r for r, kinds in MEMBERSHIP_ORG_KINDS.items() if self.organisation.kind in kinds
        ]
        if self.organisation.deactivated_at is not None:
            return []
        if self.is_org_admin:
            return fitting
        if MembershipRole.procurer in self.roles:
            return [r for r in fitting if r in (MembershipRole.employee, MembershipRole.procurer)]
        return []


def organisation_relation(
    session: Session, user: User | None, organisation: Organisation
) -> OrganisationRelation:
    """Work out how the user stands to the organisation (one query at most)."""
    roles: set[MembershipRole] = set()
    admin = False
    if user is not None and user.id is not None and organisation.deactivated_at is None:
        query = select(col(Membership.role), col(Membership.is_org_admin)).where(
            col(Membership.user_id) == user.id,
            col(Membership.organisation_id) == organisation.id,
            col(Membership.status) == MembershipStatus.active,
        )
        for role, is_admin in session.execute(query).all():
            roles.add(MembershipRole(role))
            admin = admin or bool(is_admin)
    return OrganisationRelation(
        user=user, organisation=organisation, roles=frozenset(roles), is_member_admin=admin
    )


def known_organisation(
    session: Session, user: User | None, organisation_id: int
) -> OrganisationRelation:
    """The organisation and the user's relation to it; 404 for one that does not exist."""
    require_user(user)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation_relation(session, user, organisation)


def ensure_can_view_people(rel: OrganisationRelation) -> User:
    """The people page: the organisation's administrators and procurers."""
    user = require_user(rel.user)
    if not rel.can_view_people:
        raise Forbidden("Only the organisation's administrators can manage its people.")
    return user


def ensure_org_admin(rel: OrganisationRelation) -> User:
    """Approving, revoking, domains and the audit log: the organisation's administrators."""
    user = require_user(rel.user)
    if not rel.is_org_admin:
        raise Forbidden("Only the organisation's administrators can manage its people.")
    return user


def ensure_can_invite(rel: OrganisationRelation, role: MembershipRole) -> User:
    """Administrators invite into any role the organisation has; procurers invite colleagues."""
    user = require_user(rel.user)
    if role not in rel.invitable_roles():
        raise Forbidden("You cannot invite people into this role in this organisation.")
    return user


def ensure_platform_admin(user: User | None) -> User:
    """Platform administration: creating, verifying and deactivating organisations."""
    user = require_user(user)
    if user.role != Role.admin:
        raise Forbidden("Only platform administrators can do this.")
    return user
