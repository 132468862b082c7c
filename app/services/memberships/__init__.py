"""Memberships: who vouched that a person works for an organisation, and what follows from it.

The modules, by job: `lifecycle` (asking, granting, deciding, revoking, acting in one; the only
place that derives `User.role` and `User.organisation_id`), `domains` (e-mail domains that vouch
for employees), `invitations` and `organisations` (companies registering themselves, platform
administration).
"""

from app.models import OrganisationDomain
from app.models.membership import MembershipRole
from app.services.memberships.domains import (
    add_domain,
    domain_owner,
    domains,
    email_domain,
    normalise_domain,
    remove_domain,
)
from app.services.memberships.invitations import (
    INVITATION_TTL,
    InvitationView,
    accept,
    accept_with_new_account,
    invite,
    open_invitation,
)
from app.services.memberships.lifecycle import (
    Member,
    act_as,
    activate_by_domain,
    active_memberships,
    decide,
    grant,
    members,
    my_memberships,
    request_employment,
    revoke,
    sync_user,
)
from app.services.memberships.organisations import (
    create_organisation,
    deactivate,
    grant_admin,
    list_organisations,
    register_company,
    verify_org_number,
)

__all__ = [
    "INVITATION_TTL",
    "InvitationView",
    "Member",
    "MembershipRole",
    "OrganisationDomain",
    "accept",
    "accept_with_new_account",
    "act_as",
    "activate_by_domain",
    "active_memberships",
    "add_domain",
    "create_organisation",
    "deactivate",
    "decide",
    "domain_owner",
    "domains",
    "email_domain",
    "grant",
    "grant_admin",
    "invite",
    "list_organisations",
    "members",
    "my_memberships",
    "normalise_domain",
    "open_invitation",
    "register_company",
    "remove_domain",
    "request_employment",
    "revoke",
    "sync_user",
    "verify_org_number",
]
