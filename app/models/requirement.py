"""The specification workspace: requirements, their versions, and the co-authors of a project's."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

import sqlalchemy as sa
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import Id, created_at_field, enum_field, strip_text
from app.models.need import BODY_MAX
from app.models.vocabulary import register_labels

TITLE_MAX = 200


class RequirementKind(StrEnum):
    """What a requirement governs in the tender."""

    functional = "functional"
    performance = "performance"
    qualification = "qualification"
    award_criterion = "award_criterion"
    contract_term = "contract_term"


REQUIREMENT_KIND_LABELS = register_labels(
    RequirementKind,
    {
        RequirementKind.functional: N_("Functional requirement"),
        RequirementKind.performance: N_("Performance requirement"),
        RequirementKind.qualification: N_("Qualification requirement"),
        RequirementKind.award_criterion: N_("Award criterion"),
        RequirementKind.contract_term: N_("Contract term"),
    },
)


class RequirementStatus(StrEnum):
    """Where a requirement stands: drafted, out for hearing, or settled."""

    draft = "draft"
    in_hearing = "in_hearing"
    final = "final"


REQUIREMENT_STATUS_LABELS = register_labels(
    RequirementStatus,
    {
        RequirementStatus.draft: N_("Draft"),
        RequirementStatus.in_hearing: N_("In hearing"),
        RequirementStatus.final: N_("Final"),
    },
)

WEIGHT_ONLY_FOR_AWARD = N_("Only an award criterion has a weight.")
WEIGHT_REQUIRED = N_("An award criterion needs a weight between 0 and 100 per cent.")
BLANK = N_("Title and text cannot be blank.")


def weight_problem(kind: RequirementKind, weight: int | None) -> str | None:
    """What is wrong with the weight for the kind: an award criterion has one, no other kind."""
    if kind == RequirementKind.award_criterion and weight is None:
        return WEIGHT_REQUIRED
    if kind != RequirementKind.award_criterion and weight is not None:
        return WEIGHT_ONLY_FOR_AWARD
    return None


class RequirementCreate(SQLModel):
    """Input for a new requirement (a draft)."""

    kind: RequirementKind
    title: str = Field(min_length=3, max_length=TITLE_MAX)
    text: str = Field(min_length=1, max_length=BODY_MAX)
    weight: int | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _valid(self) -> RequirementCreate:
        if (problem := weight_problem(self.kind, self.weight)) is not None:
            raise PydanticCustomError("weight", problem)
        return strip_text(self, ("title", "text"), BLANK)


class RequirementUpdate(SQLModel):
    """An edit of a requirement's fields and/or its status; fields left out stay as they are."""

    model_config = {"extra": "forbid"}

    title: str | None = Field(default=None, min_length=3, max_length=TITLE_MAX)
    text: str | None = Field(default=None, min_length=1, max_length=BODY_MAX)
    weight: int | None = Field(default=None, ge=0, le=100)
    status: RequirementStatus | None = None

    @model_validator(mode="after")
    def _stripped(self) -> RequirementUpdate:
        given = tuple(name for name in ("title", "text") if getattr(self, name) is not None)
        return strip_text(self, given, BLANK)


class Requirement(SQLModel, table=True):
    """A requirement of a project's specification, as it reads now (its versions keep the past)."""

    __table_args__ = (sa.Index("ix_requirement_project_kind", "project_id", "kind", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: RequirementKind = enum_field(RequirementKind)
    title: str = Field(max_length=TITLE_MAX)
    text: str = Field(max_length=BODY_MAX)
    weight: int | None = None
    status: RequirementStatus = enum_field(RequirementStatus, default=RequirementStatus.draft)
    created_by_id: int = Field(foreign_key="user.id", index=True)
    position: int = 0
    version: int = 1
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class RequirementVersion(SQLModel, table=True):
    """One version of a requirement: written by every create and every edit, never changed."""

    __tablename__ = "requirement_version"
    __table_args__ = (
        sa.UniqueConstraint("requirement_id", "number", name="uq_requirement_version_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    requirement_id: int = Field(foreign_key="requirement.id", index=True)
    number: int
    title: str = Field(max_length=TITLE_MAX)
    text: str = Field(max_length=BODY_MAX)
    weight: int | None = None
    status: RequirementStatus = enum_field(RequirementStatus)
    author_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()


class SpecificationAuthor(SQLModel, table=True):
    """An employee of the owner or a partner municipality invited to co-author the specification."""

    __tablename__ = "specification_author"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id", name="uq_specification_author"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()


class RequirementPublic(SQLModel):
    """A requirement as the API shows it."""

    id: int
    project_id: int
    kind: RequirementKind
    title: str
    text: str
    weight: int | None
    status: RequirementStatus
    created_by_id: int
    position: int
    version: int
    created_at: datetime
    updated_at: datetime


class RequirementVersionPublic(SQLModel):
    """One version of a requirement as the API shows it."""

    number: int
    title: str
    text: str
    weight: int | None
    status: RequirementStatus
    author_id: int
    created_at: datetime


class DiffOpPublic(SQLModel):
    """One run of a word-level diff: text kept (`equal`), added (`insert`) or removed (`delete`)."""

    op: Literal["equal", "insert", "delete"]
    text: str


class RequirementDiffPublic(SQLModel):
    """The word-level difference from one version's text to another's."""

    from_version: int
    to_version: int
    ops: list[DiffOpPublic]


class CoAuthorInvite(SQLModel):
    """Input: invite a person (by id) as co-author."""

    user_id: Id
