"""Solution proposals from suppliers: a public summary, a confidential body, attachments, and the
business-secret claims the procurer accepts or rejects one by one (FOA § 7-4, fvl. § 13)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import Id, UtcDateTime, created_at_field, enum_field, strip_text
from app.models.vocabulary import register_labels

PROPOSAL_BODY_MAX = 20_000
JUSTIFICATION_MIN = 10
JUSTIFICATION_MAX = 2000


class ProposalStatus(StrEnum):
    """Life of a proposal: the procurer assesses it, the supplier can withdraw it."""

    submitted = "submitted"
    acknowledged = "acknowledged"
    considered = "considered"
    not_relevant = "not_relevant"
    withdrawn = "withdrawn"


class ClaimDecision(StrEnum):
    """The procurer's assessment of one business-secret claim."""

    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


PROPOSAL_STATUS_LABELS = register_labels(
    ProposalStatus,
    {
        ProposalStatus.submitted: N_("Submitted"),
        ProposalStatus.acknowledged: N_("Acknowledged"),
        ProposalStatus.considered: N_("Considered"),
        ProposalStatus.not_relevant: N_("Not relevant"),
        ProposalStatus.withdrawn: N_("Withdrawn"),
    },
)
CLAIM_DECISION_LABELS = register_labels(
    ClaimDecision,
    {
        ClaimDecision.pending: N_("Pending"),
        ClaimDecision.accepted: N_("Accepted"),
        ClaimDecision.rejected: N_("Rejected"),
    },
)


class ProposalBase(SQLModel):
    """Fields the supplier writes."""

    title: str = Field(min_length=3, max_length=200)
    summary: str = Field(min_length=10, max_length=2000)
    # Its length is checked by the service: "body" reads as "comment" in shared field messages.
    body: str = Field(max_length=PROPOSAL_BODY_MAX)


class ClaimCreate(SQLModel):
    """A business-secret claim on a confidential field, with the supplier's justification."""

    field: Literal["body"] = "body"
    justification: str = Field(min_length=JUSTIFICATION_MIN, max_length=JUSTIFICATION_MAX)

    @field_validator("justification")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if len(value) < JUSTIFICATION_MIN:
            raise ValueError("too short")
        return value


class ProposalCreate(ProposalBase):
    """Input for a new proposal: linked to at least one need of the project."""

    need_ids: list[Id] = Field(default_factory=list, max_length=50)  # at least one: the service
    claims: list[ClaimCreate] = Field(default_factory=list, max_length=1)

    @model_validator(mode="after")
    def _stripped(self) -> ProposalCreate:
        # The confidential body keeps its layout; the service measures it without the spaces.
        return strip_text(self, ("title", "summary"), N_("Title and summary cannot be blank."))


class Proposal(ProposalBase, table=True):
    """A proposal as stored; withdrawal keeps the record."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    submitted_by_id: int = Field(foreign_key="user.id")
    submitted_at: datetime = created_at_field()
    summary_published: bool = False
    summary_published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    status: ProposalStatus = enum_field(ProposalStatus, default=ProposalStatus.submitted)
    status_reason: str = Field(default="", max_length=2000)
    status_changed_by_id: int | None = Field(default=None, foreign_key="user.id")
    status_changed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ProposalNeed(SQLModel, table=True):
    """A need of the same project that the proposal answers."""

    __tablename__ = "proposal_need"

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    need_id: int = Field(foreign_key="need.id", primary_key=True, index=True)


class ProposalAttachment(SQLModel, table=True):
    """A file attached to a proposal; the bytes live in the uploads store under their digest."""

    __tablename__ = "proposal_attachment"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    sha256: str = Field(max_length=64)
    size: int
    content_type: str = Field(max_length=100)
    filename: str = Field(max_length=200)
    uploaded_by_id: int = Field(foreign_key="user.id")
    uploaded_at: datetime = created_at_field()


class SecrecyClaim(SQLModel, table=True):
    """A business-secret claim on one confidential field or one attachment (never on both)."""

    __tablename__ = "secrecy_claim"
    __table_args__ = (
        sa.CheckConstraint(
            "(field IS NULL) != (attachment_id IS NULL)", name="ck_secrecy_claim_one_target"
        ),
        sa.UniqueConstraint("proposal_id", "field", name="uq_secrecy_claim_field"),
        sa.UniqueConstraint("attachment_id", name="uq_secrecy_claim_attachment"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    field: str | None = Field(default=None, max_length=20)
    attachment_id: int | None = Field(default=None, foreign_key="proposal_attachment.id")
    justification: str = Field(max_length=JUSTIFICATION_MAX)
    decision: ClaimDecision = enum_field(ClaimDecision, default=ClaimDecision.pending)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decision_reason: str = Field(default="", max_length=2000)
    created_at: datetime = created_at_field()


class ProposalStatusChange(SQLModel):
    """The procurer's assessment of a proposal (withdrawal is the supplier's own act)."""

    status: Literal["acknowledged", "considered", "not_relevant"]
    reason: str = Field(default="", max_length=2000)


class ClaimDecisionInput(SQLModel):
    """The procurer's decision on a claim; a rejection needs a reason the supplier can read."""

    decision: Literal["accepted", "rejected"]
    reason: str = Field(default="", max_length=2000)


class AttachmentPublic(SQLModel):
    """An attachment as those who see the full proposal see it."""

    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime
    url: str


class ClaimPublic(SQLModel):
    """A claim and its decision, for the procurers and the supplier's own company."""

    id: int
    field: str | None
    attachment_id: int | None
    justification: str
    decision: ClaimDecision
    decision_reason: str
    decided_at: datetime | None


class ProposalSummaryPublic(SQLModel):
    """A proposal as everyone else sees it: only once the supplier agreed to publish the summary.

    The company's name is shown: the supplier consented to publishing its own summary, and every
    supplier gets the same choice (equal treatment). Body, attachments, claims and status never.
    """

    view: Literal["summary"] = "summary"
    id: int
    project_id: int
    organisation_name: str
    title: str
    summary: str
    need_ids: list[int]
    summary_published_at: datetime | None


class ProposalPublic(SQLModel):
    """The full proposal: for the project's procurers and the supplier's own organisation."""

    view: Literal["full"] = "full"
    id: int
    project_id: int
    organisation_id: int
    organisation_name: str
    submitted_by: str
    submitted_at: datetime
    title: str
    summary: str
    body: str
    need_ids: list[int]
    summary_published: bool
    summary_published_at: datetime | None
    status: ProposalStatus
    status_reason: str
    status_changed_at: datetime | None
    attachments: list[AttachmentPublic]
    claims: list[ClaimPublic]
