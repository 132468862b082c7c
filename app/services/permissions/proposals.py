"""Solution proposals: who sees the full proposal, who its summary."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, true
from sqlmodel import col

from app.i18n import N_
from app.models import (
    Proposal,
    User,
)
from app.models.base import Role
from app.models.proposal import ProposalStatus
from app.services.errors import Forbidden
from app.services.permissions.dialogue import (
    ensure_registered_supplier,
)
from app.services.permissions.relation import (
    DialogueAction,
    ProjectRelation,
    require_user,
)

# ---- solution proposals --------------------------------------------------------------------------
# Who sees what of a proposal, in one place: the API, pages, live pushes, lists and counts all
# ask these. The full proposal (body, attachments, claims, status) is for the project's procurers
# and the submitting company; everyone else who may view the project sees only the summaries the
# supplier agreed to publish (with the company's name: it consented), and nothing of withdrawn ones.


def is_proposal_company(rel: ProjectRelation, proposal: Proposal) -> bool:
    """The user works for the company that submitted the proposal."""
    user = rel.user
    return (
        user is not None
        and user.role == Role.supplier
        and user.organisation_id is not None
        and user.organisation_id == proposal.organisation_id
    )


def can_see_full_proposal(rel: ProjectRelation, proposal: Proposal) -> bool:
    """The project's procurers (and admins) and the submitting company see everything."""
    return rel.is_procurer or is_proposal_company(rel, proposal)


def can_see_proposal_summary(rel: ProjectRelation, proposal: Proposal) -> bool:
    """Others see a proposal only once its summary is published, and not after withdrawal."""
    if can_see_full_proposal(rel, proposal):
        return True
    return proposal.summary_published and proposal.status != ProposalStatus.withdrawn


def visible_proposals_clause(rel: ProjectRelation) -> ColumnElement[bool]:
    """A WHERE clause selecting the project's proposals this user may at least see the summary of.

    The same rule as `can_see_proposal_summary`, for lists and counts.
    """
    if rel.is_procurer:
        return true()
    published = col(Proposal.summary_published).is_(True) & (
        col(Proposal.status) != ProposalStatus.withdrawn
    )
    company = _own_company(rel)
    if company is not None:
        return or_(published, col(Proposal.organisation_id) == company)
    return published


def _own_company(rel: ProjectRelation) -> int | None:
    """The supplier company whose proposals this reader sees whatever their state."""
    user = rel.user
    if user is not None and user.role == Role.supplier:
        return user.organisation_id
    return None


def proposals_seen_as(rel: ProjectRelation) -> tuple[bool, int | None]:
    """What `visible_proposals_clause` (and so `visible_participation_clause` and
    `participation_moment`) depends on: readers of a project with equal values see the very
    same proposals and log."""
    if rel.is_procurer:
        return (True, None)
    return (False, _own_company(rel))


def ensure_can_submit_proposal(rel: ProjectRelation) -> User:
    """A supplier whose company is registered for the market dialogue, while it is open."""
    return ensure_registered_supplier(
        rel,
        DialogueAction.submit_proposal,
        not_supplier=N_("Only suppliers can submit solution proposals."),
        not_registered=N_(
            "Register your company for the market dialogue before you submit a solution proposal."
        ),
    )


def ensure_proposal_company(rel: ProjectRelation, proposal: Proposal) -> User:
    """Only the submitting company withdraws, adds attachments or consents to publishing."""
    user = require_user(rel.user)
    if not is_proposal_company(rel, proposal):
        raise Forbidden("Only the company that submitted the proposal can do this.")
    return user


def ensure_can_assess_proposal(rel: ProjectRelation) -> User:
    """Only the project's procurers (and admins) set a proposal's status and decide claims."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can assess solution proposals.")
    return user
