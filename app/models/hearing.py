"""The hearing (høring) of a draft specification: who it is put to, until when, and what they said.

A hearing comment is on a requirement as a whole, or on a passage of its text: the passage is kept
as character offsets into the requirement's text as it read in the version commented on (line
breaks counted as one character each), with the quoted text and that version's number, so the
comment keeps its meaning when the requirement is edited later.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import UtcDateTime, created_at_field, strip_text

COMMENT_MAX = 5_000
QUOTE_MAX = 2_000
NO_AUDIENCE = N_("Choose at least one audience for the hearing.")
BLANK_COMMENT = N_("The comment cannot be blank.")
PASSAGE_INCOMPLETE = N_("A passage needs its start, its end, its quoted text and its version.")
# A hearing's audiences by the names the API and the audit log give them.
HEARING_AUDIENCE_LABELS = {
    "employees": N_("employees of the project's municipalities"),
    "citizens": N_("citizens"),
    "suppliers": N_("registered suppliers"),
}


class Hearing(SQLModel, table=True):
    """A project's draft requirements put out for comment to chosen audiences, until a deadline."""

    __table_args__ = (sa.Index("ix_hearing_project_deadline", "project_id", "deadline"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    opened_by_id: int = Field(foreign_key="user.id", index=True)
    deadline: datetime = Field(sa_type=UtcDateTime, nullable=False)
    # Its audiences, beside the project's procurers and co-authors (who always take part).
    for_employees: bool = False  # staff of the owner and partner municipalities
    for_citizens: bool = False  # only on a public project
    for_suppliers: bool = False  # the companies registered for the project's market dialogue
    opened_at: datetime = created_at_field()


class HearingComment(SQLModel, table=True):
    """One comment in a hearing, on a requirement or on a passage of its text."""

    __tablename__ = "hearing_comment"
    __table_args__ = (sa.Index("ix_hearing_comment_requirement", "hearing_id", "requirement_id"),)

    id: int | None = Field(default=None, primary_key=True)
    hearing_id: int = Field(foreign_key="hearing.id")
    requirement_id: int = Field(foreign_key="requirement.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    body: str = Field(max_length=COMMENT_MAX)
    # The passage commented on (all None for a comment on the requirement as a whole).
    passage_start: int | None = None
    passage_end: int | None = None
    passage_quote: str | None = Field(default=None, max_length=QUOTE_MAX)
    passage_version: int | None = None
    created_at: datetime = created_at_field()


class HearingOpen(SQLModel):
    """Input: put the project's draft requirements out for hearing."""

    deadline: datetime
    employees: bool = False
    citizens: bool = False
    suppliers: bool = False

    @model_validator(mode="after")
    def _some_audience(self) -> HearingOpen:
        if not (self.employees or self.citizens or self.suppliers):
            raise PydanticCustomError("audiences", NO_AUDIENCE)
        return self


class HearingCommentCreate(SQLModel):
    """Input: a comment on a requirement, or on a passage of it (start, end, quote and version),
    or on a passage given only as its text (`passage`, found by the server)."""

    requirement_id: int = Field(ge=1)
    body: str = Field(min_length=1, max_length=COMMENT_MAX)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=1)
    quote: str | None = Field(default=None, max_length=QUOTE_MAX)
    version: int | None = Field(default=None, ge=1)
    passage: str | None = Field(default=None, max_length=QUOTE_MAX)

    @model_validator(mode="after")
    def _valid(self) -> HearingCommentCreate:
        given = [self.start is not None, self.end is not None, bool(self.quote)]
        if any(given) and not all(given):
            raise PydanticCustomError("passage", PASSAGE_INCOMPLETE)
        return strip_text(self, ("body",), BLANK_COMMENT)


class HearingPublic(SQLModel):
    """A hearing as the API shows it."""

    id: int
    project_id: int
    deadline: datetime
    opened_at: datetime
    open: bool
    audiences: list[str]


class PassagePublic(SQLModel):
    """The passage a comment is on: offsets into the text of `version`, and the quoted text."""

    start: int
    end: int
    quote: str
    version: int


class HearingCommentPublic(SQLModel):
    """A hearing comment as one reader may see it: a supplier's company only for procurers."""

    id: int
    requirement_id: int
    body: str
    author_name: str
    author_role: str
    passage: PassagePublic | None
    created_at: datetime


class HearingDetail(HearingPublic):
    """A hearing with its comments, as the reader may see them."""

    comments: list[HearingCommentPublic]
