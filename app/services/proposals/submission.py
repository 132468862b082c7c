"""The supplier's acts on its proposal: submitting, attaching files, withdrawing, publishing."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Need, Proposal, ProposalAttachment, ProposalNeed, SecrecyClaim, User
from app.models.base import id_of, utcnow
from app.models.proposal import JUSTIFICATION_MAX, JUSTIFICATION_MIN, ProposalCreate, ProposalStatus
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, permissions, uploads
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid
from app.services.permissions import ProjectRelation
from app.services.proposals.assessment import change_status

MAX_ATTACHMENTS = 10
BODY_MIN = 10


def _record_act(
    session: Session,
    rel: ProjectRelation,
    proposal: Proposal,
    verb: Verb,
    push: LiveKind,
    change: Change | None = None,
) -> None:
    """Record a supplier's act on its proposal; it answers the procurers (the project's creator)."""
    addressee = session.get(User, rel.project.created_by_id)
    contribution.record(
        session, rel=rel, on=proposal, verb=verb, addressee=addressee, change=change, push=push
    )


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
    _record_act(session, rel, proposal, Verb.proposed, LiveKind.proposal_submitted)
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
    _record_act(session, rel, proposal, Verb.attached_to_proposal, LiveKind.proposal_changed)
    return attachment


def ensure_can_withdraw(rel: ProjectRelation, proposal: Proposal) -> User:
    """The submitting company, while its proposal is not withdrawn (403, or 409 once it is)."""
    user = permissions.ensure_proposal_company(rel, proposal)
    if proposal.status == ProposalStatus.withdrawn:
        raise Conflict("The proposal has already been withdrawn.")
    return user


def withdraw(session: Session, *, rel: ProjectRelation, proposal: Proposal) -> Proposal:
    """The submitting company withdraws its proposal; final, and the record is kept."""
    user = ensure_can_withdraw(rel, proposal)
    status_change = change_status(
        session, proposal, status=ProposalStatus.withdrawn, reason="", by=user
    )
    _record_act(
        session,
        rel,
        proposal,
        Verb.withdrew_proposal,
        LiveKind.proposal_changed,
        change=status_change,
    )
    return proposal


def publish_summary(session: Session, *, rel: ProjectRelation, proposal: Proposal) -> Proposal:
    """The submitting company consents to publishing the summary (title, summary, needs, name)."""
    permissions.ensure_proposal_company(rel, proposal)
    _ensure_open(proposal)
    if proposal.summary_published:
        raise Conflict("The summary is already published.")
    proposal.summary_published = True
    proposal.summary_published_at = utcnow()
    contribution.record(
        session,
        rel=rel,
        verb=Verb.published_proposal_summary,
        on=proposal,
        change=Change(
            AuditAction.summary_published,
            before={"summary_published": False},
            after={"summary_published": True},
        ),
        push=LiveKind.proposal_summary_published,
    )
    return proposal
