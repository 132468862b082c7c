"""Market-dialogue questions: private until the procurer publishes them to everyone."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import UtcDateTime, created_at_field, enum_field
from app.models.vocabulary import register_labels

BODY_MIN = 10
BODY_MAX = 5000
ANSWER_MAX = 20000


class QuestionStatus(StrEnum):
    """Life of a question: asked → answered (a draft answer saved) → published, or withdrawn."""

    asked = "asked"
    answered = "answered"
    published = "published"
    withdrawn = "withdrawn"


QUESTION_STATUS_LABELS = register_labels(
    QuestionStatus,
    {
        QuestionStatus.asked: N_("Asked"),
        QuestionStatus.answered: N_("Answer drafted"),
        QuestionStatus.published: N_("Published"),
        QuestionStatus.withdrawn: N_("Withdrawn"),
    },
)
OPEN_STATUSES = frozenset({QuestionStatus.asked, QuestionStatus.answered})


class QuestionCreate(SQLModel):
    """A supplier's new question, in its own words (the service checks its length)."""

    body: str = Field(description=f"The question, {BODY_MIN}–{BODY_MAX} characters")


class Question(SQLModel, table=True):
    """A supplier's question and the procurer's answer, with the anonymised version published."""

    # The Q&A page's lists, a page at a time: published answers newest first, waiting
    # questions by status, without reading every question of the project.
    __table_args__ = (
        sa.Index("ix_question_project_status_published", "project_id", "status", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body: str = Field(max_length=BODY_MAX)  # the original: the asker's company and procurers only
    project_id: int = Field(foreign_key="project.id", index=True)
    asked_by_id: int = Field(foreign_key="user.id")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    asked_at: datetime = created_at_field()
    status: str = enum_field(QuestionStatus, default=QuestionStatus.asked)
    public_question: str | None = Field(default=None, max_length=BODY_MAX)
    answer: str | None = Field(default=None, max_length=ANSWER_MAX)
    answered_by_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AnswerDraft(SQLModel):
    """The procurer's answer and the anonymised question that is published with it."""

    public_question: str = Field(description="The question as published, without the asker")
    answer: str


class QuestionPublic(SQLModel):
    """A question as this viewer may see it; fields a viewer may not see are left out.

    Everyone sees a published question as the procurer anonymised it, with its answer. Only the
    project's procurers and the asking company see the original text and who asked, and only
    procurers see a draft answer.
    """

    id: int
    project_id: int
    status: str
    asked_at: datetime
    public_question: str | None = None
    answer: str | None = None
    published_at: datetime | None = None
    body: str | None = Field(default=None, description="The original question (asker, procurers)")
    asked_by_id: int | None = None
    asked_by: str | None = Field(default=None, description="Who asked (asker's company, procurers)")
    organisation_id: int | None = None
    organisation_name: str | None = None

    @field_validator("asked_at", "published_at")
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        """Times in UTC with their zone (SQLite hands back naive ones, which are UTC here)."""
        if moment is not None and moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment
