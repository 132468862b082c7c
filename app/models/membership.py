"""Memberships: a person's role in an organisation, vouched for; and the organisation's domains."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import created_at_field, enum_field
from app.models.vocabulary import register_labels


class MembershipRole(StrEnum):
    """What a person does for an organisation (the platform role it gives when active)."""

    employee = "employee"
    procurer = "procurer"
    supplier = "supplier"
    researcher = "researcher"


class MembershipStatus(StrEnum):
    """Pending until someone vouches for it; revoked (or declined) ends it for good."""

    pending = "pending"
    active = "active"
    revoked = "revoked"


class VouchedBy(StrEnum):
    """How a membership came to be trusted."""

    domain = "domain"  # a proven address in one of the organisation's verified domains
    approval = "approval"  # an administrator of the organisation approved the request
    invitation = "invitation"  # the person accepted an administrator's invitation
    company_registration = "company_registration"  # the person registered the company
    platform_admin = "platform_admin"  # a platform administrator granted it
    cli_or_demo = "cli_or_demo"  # an operator on the command line, the demo, a migration
    identity_provider = "identity_provider"  # a configured login provider proved the employment


MEMBERSHIP_ROLE_LABELS = register_labels(
    MembershipRole,
    {
        MembershipRole.employee: N_("Employee"),
        MembershipRole.procurer: N_("Procurer"),
        MembershipRole.supplier: N_("Supplier staff"),
        MembershipRole.researcher: N_("Researcher"),
    },
)
MEMBERSHIP_STATUS_LABELS = register_labels(
    MembershipStatus,
    {
        MembershipStatus.pending: N_("Waiting for approval"),
        MembershipStatus.active: N_("Active"),
        MembershipStatus.revoked: N_("Ended"),
    },
)
VOUCHED_BY_LABELS = register_labels(
    VouchedBy,
    {
        VouchedBy.domain: N_("Verified e-mail domain"),
        VouchedBy.approval: N_("Approved by an administrator"),
        VouchedBy.invitation: N_("Invitation"),
        VouchedBy.company_registration: N_("Registered the company"),
        VouchedBy.platform_admin: N_("Platform administrator"),
        VouchedBy.cli_or_demo: N_("Set up by the operator"),
        VouchedBy.identity_provider: N_("Proven by the login provider"),
    },
)


class Membership(SQLModel, table=True):
    """One person's role in one organisation; only an active one gives access."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: MembershipRole = enum_field(MembershipRole)
    is_org_admin: bool = Field(default=False)
    status: MembershipStatus = enum_field(MembershipStatus, default=MembershipStatus.pending)
    vouched_by: VouchedBy | None = Field(default=None, sa_type=sa.String(20))
    requested_at: datetime = created_at_field()
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")


class OrganisationDomain(SQLModel, table=True):
    """An e-mail domain the organisation vouches for: proven addresses there are its employees."""

    __tablename__ = "organisation_domain"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    domain: str = Field(max_length=253, unique=True)
    added_by_id: int | None = Field(default=None, foreign_key="user.id")
    added_at: datetime = created_at_field()


class Invitation(SQLModel, table=True):
    """An administrator's invitation of an e-mail address into a role; the link is single-use."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=254)
    role: MembershipRole = enum_field(MembershipRole)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    accepted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    membership_id: int | None = Field(default=None, foreign_key="membership.id")
