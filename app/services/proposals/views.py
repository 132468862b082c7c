"""What a viewer sees of proposals: the full proposal, or only its published summary.

What a viewer may see is decided in `permissions` (`can_see_full_proposal`,
`can_see_proposal_summary`, `visible_proposals_clause`); every read here goes through those, so
pages, the API, live pushes and counts cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Organisation, Proposal, ProposalAttachment, ProposalNeed, SecrecyClaim, User
from app.models.base import Role, id_of
from app.models.proposal import (
    AttachmentPublic,
    ClaimPublic,
    ProposalPublic,
    ProposalStatus,
    ProposalSummaryPublic,
)
from app.services import cursors, permissions, rows, uploads
from app.services.errors import NotFound
from app.services.permissions import ProjectRelation

NO_SUCH_PROPOSAL = "No such proposal."
PAGE_SIZE = 50  # proposals per page of the proposals page


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
    need_ids = rows.linked_ids(session, ProposalNeed.proposal_id, ProposalNeed.need_id, ids)
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


def _listed(rel: ProjectRelation, *, summaries_only: bool) -> list[Any]:
    """The WHERE conditions of the project's proposals this viewer sees in a list.

    `summaries_only` gives the view everyone who is not a procurer shares (the live list): only
    published summaries, not even the viewer's own company's unpublished proposals.
    """
    if summaries_only and not rel.is_procurer:
        return [
            Proposal.project_id == rel.project.id,
            col(Proposal.summary_published).is_(True),
            Proposal.status != ProposalStatus.withdrawn,
        ]
    return [Proposal.project_id == rel.project.id, permissions.visible_proposals_clause(rel)]


NEWEST_FIRST = (col(Proposal.submitted_at).desc(), col(Proposal.id).desc())


def list_proposals(
    session: Session, *, rel: ProjectRelation, summaries_only: bool = False
) -> list[ProposalView]:
    """The project's proposals this viewer may see, newest first (see `_listed`)."""
    query = select(Proposal).where(*_listed(rel, summaries_only=summaries_only))
    proposals = list(session.exec(query.order_by(*NEWEST_FIRST)).all())
    return _views(session, rel, proposals, summaries_only=summaries_only and not rel.is_procurer)


@dataclass
class ProposalPage:
    """One page of a proposals list, how many the whole list holds, and where the next starts."""

    views: list[ProposalView]
    total: int
    next_cursor: str | None


def list_page(
    session: Session,
    *,
    rel: ProjectRelation,
    summaries_only: bool = False,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> ProposalPage:
    """A page of the project's proposals this viewer may see, newest first, after `cursor`
    (422 for a cursor this server did not make): a fixed number of queries whatever the size of
    the project."""
    conditions = _listed(rel, summaries_only=summaries_only)
    total = session.exec(select(func.count(col(Proposal.id))).where(*conditions)).one()
    if cursor:
        submitted, proposal_id = col(Proposal.submitted_at), col(Proposal.id)
        conditions.append(cursors.past(cursor, submitted, proposal_id, newest_first=True))
    query = select(Proposal).where(*conditions).order_by(*NEWEST_FIRST).limit(limit + 1)
    found = list(session.exec(query).all())
    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = page[-1]
        next_cursor = cursors.encode(last.submitted_at, id_of(last))
    views = _views(session, rel, page, summaries_only=summaries_only and not rel.is_procurer)
    return ProposalPage(views=views, total=total, next_cursor=next_cursor)


def company_proposals(session: Session, *, rel: ProjectRelation) -> list[ProposalView]:
    """The viewer's own company's proposals in the project, newest first (none for others)."""
    user = rel.user
    if rel.is_procurer or user is None or user.role != Role.supplier:
        return []
    if user.organisation_id is None:
        return []
    query = select(Proposal).where(
        Proposal.project_id == rel.project.id, Proposal.organisation_id == user.organisation_id
    )
    proposals = list(session.exec(query.order_by(*NEWEST_FIRST)).all())
    return _views(session, rel, proposals, summaries_only=False)


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
    proposal, rel = permissions.find_in_project(
        session,
        user,
        Proposal,
        proposal_id,
        missing=NO_SUCH_PROPOSAL,
        can_see=permissions.can_see_proposal_summary,
    )
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
