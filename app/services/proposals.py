"""Solution proposals: suppliers submit them in the market dialogue, procurers assess them.

What a viewer may see of a proposal is decided in `permissions` (`can_see_full_proposal`,
`can_see_proposal_summary`, `visible_proposals_clause`); every read here goes through those, so
pages, the API, live pushes and counts cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    Need,
    Organisation,
    Proposal,
    ProposalAttachment,
    ProposalNeed,
    SecrecyClaim,
    User,
)
from app.models.base import id_of, utcnow
from app.models.proposal import (
    JUSTIFICATION_MAX,
    JUSTIFICATION_MIN,
    AttachmentPublic,
    ClaimDecision,
    ClaimDecisionInput,
    ClaimPublic,
    ProposalCreate,
    ProposalPublic,
    ProposalStatus,
    ProposalStatusChange,
    ProposalSummaryPublic,
)
from app.services import audit, participation, permissions, uploads
from app.services.errors import Conflict, Invalid, NotFound
from app.services.live import LiveEvent, announce
from app.services.permissions import ProjectRelation

MAX_ATTACHMENTS = 10
BODY_MIN = 10
NO_SUCH_PROPOSAL = "No such proposal."
LIVE_PAGE = "proposals"  # the proposals page's socket: /ws/projects/{id}/proposals


@dataclass
class ProposalView:
    """A proposal with what this viewer may see of it; `full` says whether that is everything."""

    proposal: Proposal
    full: bool
    organisation_name: str
    submitted_by: str
    need_ids: list[int]
    attachments: list[ProposalAttachment]
    claims: list[SecrecyClaim]

    def to_public(self) -> ProposalPublic | ProposalSummaryPublic:
        """The API view: the full proposal, or only its published summary."""
        p = self.proposal
        if not self.full:
            return ProposalSummaryPublic(
                id=id_of(p),
                project_id=p.project_id,
                organisation_name=self.organisation_name,
                title=p.title,
                summary=p.summary,
                need_ids=self.need_ids,
                summary_published_at=p.summary_published_at,
            )
        return ProposalPublic(
            id=id_of(p),
            project_id=p.project_id,
            organisation_id=p.organisation_id,
            organisation_name=self.organisation_name,
            submitted_by=self.submitted_by,
            submitted_at=p.submitted_at,
            title=p.title,
            summary=p.summary,
            body=p.body,
            need_ids=self.need_ids,
            summary_published=p.summary_published,
            summary_published_at=p.summary_published_at,
            status=p.status,
            status_reason=p.status_reason,
            status_changed_at=p.status_changed_at,
            attachments=[attachment_public(a) for a in self.attachments],
            claims=[ClaimPublic.model_validate(c) for c in self.claims],
        )

    def claim_on(
        self, *, field: str | None = None, attachment_id: int | None = None
    ) -> SecrecyClaim | None:
        """The claim on a field or an attachment, if the supplier made one."""
        for claim in self.claims:
            if (field and claim.field == field) or (
                attachment_id and claim.attachment_id == attachment_id
            ):
                return claim
        return None


def attachment_public(attachment: ProposalAttachment) -> AttachmentPublic:
    """An attachment's metadata with its permission-checked download address."""
    return AttachmentPublic(
        id=id_of(attachment),
        filename=uploads.named_for_type(attachment.filename, attachment.content_type),
        content_type=attachment.content_type,
        size=attachment.size,
        uploaded_at=attachment.uploaded_at,
        url=f"/api/v1/proposals/{attachment.proposal_id}/attachments/{attachment.id}",
    )


# ---- reading -----------------------------------------------------------------------------------


def _views(
    session: Session, rel: ProjectRelation, proposals: list[Proposal], *, summaries_only: bool
) -> list[ProposalView]:
    """Views of proposals the caller already filtered, with their details in a few queries."""
    if not proposals:
        return []
    ids = [id_of(p) for p in proposals]
    orgs = dict(
        session.exec(
            select(Organisation.id, Organisation.name).where(
                col(Organisation.id).in_({p.organisation_id for p in proposals})
            )
        ).all()
    )
    names = dict(
        session.exec(
            select(User.id, User.display_name).where(
                col(User.id).in_({p.submitted_by_id for p in proposals})
            )
        ).all()
    )
    need_ids: dict[int, list[int]] = defaultdict(list)
    for proposal_id, need_id in session.exec(
        select(ProposalNeed.proposal_id, ProposalNeed.need_id)
        .where(col(ProposalNeed.proposal_id).in_(ids))
        .order_by(col(ProposalNeed.need_id))
    ).all():
        need_ids[proposal_id].append(need_id)
    full = {
        id_of(p)
        for p in proposals
        if not summaries_only and permissions.can_see_full_proposal(rel, p)
    }
    attachments: dict[int, list[ProposalAttachment]] = defaultdict(list)
    claims: dict[int, list[SecrecyClaim]] = defaultdict(list)
    if full:
        for attachment in session.exec(
            select(ProposalAttachment)
            .where(col(ProposalAttachment.proposal_id).in_(full))
            .order_by(col(ProposalAttachment.id))
        ).all():
            attachments[attachment.proposal_id].append(attachment)
        for claim in session.exec(
            select(SecrecyClaim)
            .where(col(SecrecyClaim.proposal_id).in_(full))
            .order_by(col(SecrecyClaim.id))
        ).all():
            claims[claim.proposal_id].append(claim)
    return [
        ProposalView(
            proposal=p,
            full=id_of(p) in full,
            organisation_name=orgs.get(p.organisation_id, ""),
            submitted_by=names.get(p.submitted_by_id, "") if id_of(p) in full else "",
            need_ids=need_ids[id_of(p)],
            attachments=attachments[id_of(p)],
            claims=claims[id_of(p)],
        )
        for p in proposals
    ]


def list_proposals(
    session: Session, *, rel: ProjectRelation, summaries_only: bool = False
) -> list[ProposalView]:
    """The project's proposals this viewer may see, newest first.

    `summaries_only` gives the view everyone who is not a procurer shares (the live list): only
    published summaries, not even the viewer's own company's unpublished proposals.
    """
    query = (
        select(Proposal)
        .where(Proposal.project_id == rel.project.id)
        .order_by(col(Proposal.submitted_at).desc(), col(Proposal.id).desc())
    )
    if summaries_only and not rel.is_procurer:
        query = query.where(
            col(Proposal.summary_published).is_(True), Proposal.status != ProposalStatus.withdrawn
        )
    else:
        query = query.where(permissions.visible_proposals_clause(rel))
    proposals = list(session.exec(query).all())
    return _views(session, rel, proposals, summaries_only=summaries_only and not rel.is_procurer)


def count_proposals(session: Session, *, rel: ProjectRelation) -> int:
    """How many of the project's proposals this viewer may see (never more)."""
    query = select(func.count(col(Proposal.id))).where(
        Proposal.project_id == rel.project.id, permissions.visible_proposals_clause(rel)
    )
    return session.exec(query).one()


def proposal_view(
    session: Session, *, rel: ProjectRelation, proposal: Proposal, summaries_only: bool = False
) -> ProposalView:
    """One proposal as this viewer may see it (the caller has checked it is in sight)."""
    return _views(session, rel, [proposal], summaries_only=summaries_only)[0]


def find_proposal(
    session: Session, *, user: User | None, proposal_id: int
) -> tuple[ProjectRelation, Proposal]:
    """A proposal and the viewer's relation to its project; 404 for anything out of sight."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(NO_SUCH_PROPOSAL)
    rel = permissions.viewable_project(session, user, proposal.project_id)
    if not permissions.can_see_proposal_summary(rel, proposal):
        raise NotFound(NO_SUCH_PROPOSAL)
    return rel, proposal


def find_full_proposal(
    session: Session, *, user: User | None, proposal_id: int
) -> tuple[ProjectRelation, Proposal]:
    """Like `find_proposal`, for what only the full view shows (attachments, claims): else 404."""
    rel, proposal = find_proposal(session, user=user, proposal_id=proposal_id)
    if not permissions.can_see_full_proposal(rel, proposal):
        raise NotFound(NO_SUCH_PROPOSAL)
    return rel, proposal


def attachment_file(
    session: Session, *, user: User | None, proposal_id: int, attachment_id: int
) -> tuple[ProposalAttachment, Path]:
    """An attachment and its bytes' path, for those who see the full proposal (404 otherwise)."""
    _rel, proposal = find_full_proposal(session, user=user, proposal_id=proposal_id)
    attachment = session.get(ProposalAttachment, attachment_id)
    if attachment is None or attachment.proposal_id != proposal.id:
        raise NotFound("No such file.")
    return attachment, uploads.open_stored(attachment.sha256)


def find_claim(
    session: Session, *, user: User | None, claim_id: int
) -> tuple[ProjectRelation, Proposal, SecrecyClaim]:
    """A claim, its proposal and the viewer's relation; 404 unless the viewer sees it all."""
    claim = session.get(SecrecyClaim, claim_id)
    if claim is None:
        raise NotFound("No such claim.")
    try:
        rel, proposal = find_full_proposal(session, user=user, proposal_id=claim.proposal_id)
    except NotFound:
        raise NotFound("No such claim.") from None
    return rel, proposal, claim


# ---- the supplier's acts -----------------------------------------------------------------------


def _addressee(session: Session, rel: ProjectRelation) -> User | None:
    """Whom a supplier's contribution answers: the project's procurers, through its creator."""
    return session.get(User, rel.project.created_by_id)


def submit_proposal(session: Session, *, rel: ProjectRelation, data: ProposalCreate) -> Proposal:
    """A registered supplier submits a proposal linked to needs of the project."""
    user = permissions.ensure_can_submit_proposal(rel)
    assert user.organisation_id is not None  # the policy admits suppliers of a company only
    if len(data.body.strip()) < BODY_MIN:
        raise Invalid(
            "Describe the solution in the confidential description (at least %(min)s characters).",
            min=BODY_MIN,
        )
    need_ids = sorted(set(data.need_ids))
    if not need_ids:
        raise Invalid("Choose at least one need of the project that the proposal answers.")
    found = session.exec(
        select(Need.id).where(col(Need.id).in_(need_ids), Need.project_id == rel.project.id)
    ).all()
    if len(found) != len(need_ids):
        raise Invalid("Link the proposal to needs of this project.")
    proposal = Proposal(
        project_id=id_of(rel.project),
        organisation_id=user.organisation_id,
        submitted_by_id=id_of(user),
        title=data.title,
        summary=data.summary,
        body=data.body,
    )
    session.add(proposal)
    session.flush()
    for need_id in need_ids:
        session.add(ProposalNeed(proposal_id=id_of(proposal), need_id=need_id))
    for claim in data.claims:
        session.add(
            SecrecyClaim(
                proposal_id=id_of(proposal), field=claim.field, justification=claim.justification
            )
        )
    session.flush()
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="proposed",
        object_type="proposal",
        object_id=id_of(proposal),
        addressee=_addressee(session, rel),
    )
    _announce(session, "proposal.submitted", proposal)
    return proposal


def _clean_justification(justification: str) -> str:
    text = justification.strip()
    if not JUSTIFICATION_MIN <= len(text) <= JUSTIFICATION_MAX:
        raise Invalid(
            "The justification for a business-secret claim must be %(min)s to %(max)s characters.",
            min=JUSTIFICATION_MIN,
            max=JUSTIFICATION_MAX,
        )
    return text


def _ensure_open(proposal: Proposal) -> None:
    if proposal.status == ProposalStatus.withdrawn:
        raise Conflict("The proposal has been withdrawn and can no longer change.")


def ensure_can_attach(rel: ProjectRelation, proposal: Proposal) -> User:
    """The submitting company, while its proposal stands and the market dialogue is open."""
    user = permissions.ensure_proposal_company(rel, proposal)
    _ensure_open(proposal)
    permissions.ensure_phase_allows(rel, permissions.DialogueAction.submit_proposal)
    return user


def add_attachment(
    session: Session,
    *,
    rel: ProjectRelation,
    proposal: Proposal,
    stream: BinaryIO,
    filename: str | None,
    justification: str = "",
) -> ProposalAttachment:
    """The submitting company attaches a file, optionally claimed as a business secret."""
    user = ensure_can_attach(rel, proposal)
    claim_text = _clean_justification(justification) if justification.strip() else ""
    count = session.exec(
        select(func.count(col(ProposalAttachment.id))).where(
            ProposalAttachment.proposal_id == proposal.id
        )
    ).one()
    if count >= MAX_ATTACHMENTS:
        raise Conflict("A proposal can have at most %(max)s attachments.", max=MAX_ATTACHMENTS)
    stored = uploads.store(stream, filename=filename)
    attachment = ProposalAttachment(
        proposal_id=id_of(proposal),
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        filename=stored.filename,
        uploaded_by_id=id_of(user),
    )
    session.add(attachment)
    session.flush()
    if claim_text:
        session.add(
            SecrecyClaim(
                proposal_id=id_of(proposal),
                attachment_id=id_of(attachment),
                justification=claim_text,
            )
        )
        session.flush()
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="attached_to_proposal",
        object_type="proposal",
        object_id=id_of(proposal),
        addressee=_addressee(session, rel),
    )
    _announce(session, "proposal.changed", proposal)
    return attachment


def withdraw(session: Session, *, rel: ProjectRelation, proposal: Proposal) -> Proposal:
    """The submitting company withdraws its proposal; final, and the record is kept."""
    user = permissions.ensure_proposal_company(rel, proposal)
    if proposal.status == ProposalStatus.withdrawn:
        raise Conflict("The proposal has already been withdrawn.")
    before = _status_state(proposal)
    proposal.status = ProposalStatus.withdrawn
    proposal.status_reason = ""
    proposal.status_changed_by_id = id_of(user)
    proposal.status_changed_at = utcnow()
    session.add(proposal)
    audit.record(
        session,
        actor=user,
        project=rel.project,
        action="proposal_status_changed",
        object_type="proposal",
        object_id=id_of(proposal),
        before=before,
        after=_status_state(proposal),
    )
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="withdrew_proposal",
        object_type="proposal",
        object_id=id_of(proposal),
        addressee=_addressee(session, rel),
    )
    _announce(session, "proposal.changed", proposal)
    return proposal


def publish_summary(session: Session, *, rel: ProjectRelation, proposal: Proposal) -> Proposal:
    """The submitting company consents to publishing the summary (title, summary, needs, name)."""
    user = permissions.ensure_proposal_company(rel, proposal)
    _ensure_open(proposal)
    if proposal.summary_published:
        raise Conflict("The summary is already published.")
    proposal.summary_published = True
    proposal.summary_published_at = utcnow()
    session.add(proposal)
    audit.record(
        session,
        actor=user,
        project=rel.project,
        action="summary_published",
        object_type="proposal",
        object_id=id_of(proposal),
        before={"summary_published": False},
        after={"summary_published": True},
    )
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="published_proposal_summary",
        object_type="proposal",
        object_id=id_of(proposal),
    )
    _announce(session, "proposal.summary_published", proposal)
    return proposal


# ---- the procurer's assessment -----------------------------------------------------------------


def set_status(
    session: Session, *, rel: ProjectRelation, proposal: Proposal, change: ProposalStatusChange
) -> Proposal:
    """A procurer marks a proposal acknowledged, considered or not relevant."""
    user = permissions.ensure_can_assess_proposal(rel)
    if proposal.status == ProposalStatus.withdrawn:
        raise Conflict("The supplier has withdrawn this proposal; its status can no longer change.")
    before = _status_state(proposal)
    proposal.status = ProposalStatus(change.status)
    proposal.status_reason = change.reason.strip()
    proposal.status_changed_by_id = id_of(user)
    proposal.status_changed_at = utcnow()
    session.add(proposal)
    audit.record(
        session,
        actor=user,
        project=rel.project,
        action="proposal_status_changed",
        object_type="proposal",
        object_id=id_of(proposal),
        before=before,
        after=_status_state(proposal),
        rationale=proposal.status_reason,
    )
    participation.record(
        session,
        actor=user,
        project=rel.project,
        verb="assessed_proposal",
        object_type="proposal",
        object_id=id_of(proposal),
        addressee=session.get(User, proposal.submitted_by_id),
    )
    _announce(session, "proposal.changed", proposal)
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
    session.add(claim)
    audit.record(
        session,
        actor=user,
        project=rel.project,
        action="claim_decided",
        object_type="secrecy_claim",
        object_id=id_of(claim),
        before=before,
        after=_claim_state(claim),
        rationale=reason,
    )
    _announce(session, "proposal.changed", proposal)
    return claim


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


def _announce(session: Session, kind: str, proposal: Proposal) -> None:
    announce(session, LiveEvent(kind, id_of(proposal), proposal.project_id, page=LIVE_PAGE))
