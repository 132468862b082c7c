"""The procurer's assessment: a proposal's status and decisions on business-secret claims."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Proposal, SecrecyClaim, User
from app.models.base import id_of, utcnow
from app.models.proposal import (
    ClaimDecision,
    ClaimDecisionInput,
    ProposalStatus,
    ProposalStatusChange,
)
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid
from app.services.permissions import ProjectRelation


def set_status(
    session: Session, *, rel: ProjectRelation, proposal: Proposal, change: ProposalStatusChange
) -> Proposal:
    """A procurer marks a proposal acknowledged, considered or not relevant."""
    user = permissions.ensure_can_assess_proposal(rel)
    if proposal.status == ProposalStatus.withdrawn:
        raise Conflict("The supplier has withdrawn this proposal; its status can no longer change.")
    status_change = change_status(
        session,
        proposal,
        status=ProposalStatus(change.status),
        reason=change.reason.strip(),
        by=user,
    )
    contribution.record(
        session,
        rel=rel,
        verb=Verb.assessed_proposal,
        on=proposal,
        addressee=session.get(User, proposal.submitted_by_id),
        change=status_change,
        push=LiveKind.proposal_changed,
    )
    return proposal


def decide_claim(
    session: Session,
    *,
    rel: ProjectRelation,
    proposal: Proposal,
    claim: SecrecyClaim,
    decision: ClaimDecisionInput,
) -> SecrecyClaim:
    """A procurer accepts or rejects a business-secret claim; a rejection needs a reason."""
    user = permissions.ensure_can_assess_proposal(rel)
    reason = decision.reason.strip()
    if decision.decision == ClaimDecision.rejected and not reason:
        raise Invalid("Give a reason when you reject a business-secret claim.")
    before = _claim_state(claim)
    claim.decision = ClaimDecision(decision.decision)
    claim.decision_reason = reason
    claim.decided_by_id = id_of(user)
    claim.decided_at = utcnow()
    contribution.record(
        session,
        rel=rel,
        on=claim,
        change=Change(
            AuditAction.claim_decided, before=before, after=_claim_state(claim), rationale=reason
        ),
        push=contribution.live_event(LiveKind.proposal_changed, proposal, rel.project),
    )
    return claim


def change_status(
    session: Session, proposal: Proposal, *, status: ProposalStatus, reason: str, by: User
) -> Change:
    """Set the proposal's status with who and when; returns the change for the audit log."""
    before = _status_state(proposal)
    proposal.status = status
    proposal.status_reason = reason
    proposal.status_changed_by_id = id_of(by)
    proposal.status_changed_at = utcnow()
    session.add(proposal)
    return Change(
        AuditAction.proposal_status_changed,
        before=before,
        after=_status_state(proposal),
        rationale=reason,
    )


def _status_state(proposal: Proposal) -> dict[str, object]:
    """What the audit log keeps of a proposal's status."""
    return {"status": str(proposal.status), "reason": proposal.status_reason}


def _claim_state(claim: SecrecyClaim) -> dict[str, object]:
    """What the audit log keeps of a claim's decision."""
    return {
        "proposal_id": claim.proposal_id,
        "field": claim.field,
        "attachment_id": claim.attachment_id,
        "decision": str(claim.decision),
        "reason": claim.decision_reason,
    }
