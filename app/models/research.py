"""Research studies, the projects they cover, and the participants' consent to them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import Id, UtcDateTime, created_at_field, enum_field


class LegalBasis(StrEnum):
    """The GDPR basis a study processes personal data on.

    `consent`: art. 6(1)(a) — only participants who consented (and did not withdraw) are exported.
    `public_interest`: art. 6(1)(e) with the safeguards of art. 89 — everyone's pseudonymised rows.
    """

    consent = "consent"
    public_interest = "public_interest"


class StudyBase(SQLModel):
    """Fields the researcher registers."""

    title: str = Field(min_length=3, max_length=200)
    institution: str = Field(
        min_length=2, max_length=200, description="The institution responsible (controller)"
    )
    ethics_reference: str = Field(
        min_length=1,
        max_length=100,
        description="Ethics / data-protection reference, e.g. a Sikt reference number",
    )
    legal_basis: LegalBasis = enum_field(LegalBasis)
    period_start: date
    period_end: date
    include_free_text: bool = Field(
        default=False, description="Whether exports may carry free text (need texts, comments)"
    )


class StudyCreate(StudyBase):
    """Input for a new study; no project ids means every project the researcher may see."""

    project_ids: list[Id] = Field(default_factory=list, max_length=200)

    @field_validator("period_end")
    @classmethod
    def _period_in_order(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("period_start")
        if start is not None and end < start:  # the message stands beside the period's end
            raise PydanticCustomError(
                "out_of_order", N_("The period must end on or after its start.")
            )
        return end


class Study(StudyBase, table=True):
    """A study as stored; its pseudonym secret never leaves the server."""

    id: int | None = Field(default=None, primary_key=True)
    registered_by_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()
    # Keys the HMAC that pseudonymises participants in this study's exports (secrets.token_hex).
    pseudonym_secret: str = Field(max_length=128)
    all_projects: bool = True


class StudyProject(SQLModel, table=True):
    """A project in a study's scope (when the study does not cover all projects)."""

    __tablename__ = "study_project"

    study_id: int = Field(foreign_key="study.id", primary_key=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", primary_key=True, index=True)


class StudyConsent(SQLModel, table=True):
    """One user's consent to one study; withdrawal keeps the record and stamps the time."""

    __tablename__ = "study_consent"
    __table_args__ = (sa.UniqueConstraint("study_id", "user_id", name="uq_study_consent_user"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    given_at: datetime = created_at_field()
    withdrawn_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class StudyObjection(SQLModel, table=True):
    """One person's objection (GDPR art. 21) to a study based on public interest: later exports
    leave the person out. Taking it back deletes the row."""

    __tablename__ = "study_objection"
    __table_args__ = (sa.UniqueConstraint("study_id", "user_id", name="uq_study_objection_user"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    objected_at: datetime = created_at_field()


class StudyPublic(StudyBase):
    """A study as the API shows it (never its secret)."""

    id: int
    registered_by_id: int
    created_at: datetime
    project_ids: list[int] = Field(description="The projects covered; empty means all visible")
    consented: bool | None = Field(
        default=None, description="Whether the caller consents now (consent-based studies)"
    )
    objected: bool | None = Field(
        default=None, description="Whether the caller objects (studies based on public interest)"
    )
