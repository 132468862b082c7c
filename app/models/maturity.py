"""The capability self-assessment: rounds a municipality opens, who answers them, their answers,
and the actions the municipality takes from the results.

A round is answered against one version of the capability model (`app/maturity/model-vN.toml`),
which it keeps for good: a later model version never changes what an old round meant. Indicators
are named by their stable keys in that file.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import Id, UtcDateTime, created_at_field, enum_field, strip_text
from app.models.vocabulary import register_labels

TITLE_MAX = 200
EVIDENCE_MAX = 4_000
COMMENT_MAX = 4_000
UNIT_DETAIL_MAX = 120
KEY_MAX = 64


class MaturityUnit(StrEnum):
    """The part of the municipality a respondent answers from; units are compared."""

    procurement = "procurement"
    service_area = "service_area"
    leadership = "leadership"
    politics = "politics"


MATURITY_UNIT_LABELS = register_labels(
    MaturityUnit,
    {
        MaturityUnit.procurement: N_("Procurement"),
        MaturityUnit.service_area: N_("Service area"),
        MaturityUnit.leadership: N_("Leadership"),
        MaturityUnit.politics: N_("Politics"),
    },
)


class ActionStatus(StrEnum):
    """Where a development action stands."""

    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


ACTION_STATUS_LABELS = register_labels(
    ActionStatus,
    {
        ActionStatus.planned: N_("Planned"),
        ActionStatus.in_progress: N_("In progress"),
        ActionStatus.done: N_("Done"),
        ActionStatus.dropped: N_("Dropped"),
    },
)


class MaturityRound(SQLModel, table=True):
    """One self-assessment of one municipality, answered by invited respondents until it closes.

    It closes at its deadline (by server time) or earlier by hand (`closed_at`); after that no
    answer changes.
    """

    __tablename__ = "maturity_round"
    __table_args__ = (sa.Index("ix_maturity_round_org_opened", "organisation_id", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    model_version: int = Field(ge=1)
    title: str = Field(max_length=TITLE_MAX)
    opened_by_id: int = Field(foreign_key="user.id", index=True)
    opened_at: datetime = created_at_field()
    deadline: datetime = Field(sa_type=UtcDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="user.id")


class MaturityRespondent(SQLModel, table=True):
    """A person invited to answer a round, from a unit of the municipality.

    Invited by account (`user_id` set at once) or by e-mail (`email`, and a mailed single-use link
    of purpose `LinkPurpose.assessment` whose payload is this row's id: the person who opens it
    while logged in becomes the respondent).
    """

    __tablename__ = "maturity_respondent"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id", name="uq_maturity_respondent_user"),
        sa.UniqueConstraint("round_id", "email", name="uq_maturity_respondent_email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="maturity_round.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    unit: MaturityUnit = enum_field(MaturityUnit)
    unit_detail: str | None = Field(default=None, max_length=UNIT_DETAIL_MAX)  # "Helse og velferd"
    invited_by_id: int = Field(foreign_key="user.id")
    invited_at: datetime = created_at_field()
    accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The respondent said they are done (they may still change answers until the round closes).
    submitted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class MaturityAnswer(SQLModel, table=True):
    """One respondent's answer on one indicator: a level from 1 to 5, or "don't know"."""

    __tablename__ = "maturity_answer"
    __table_args__ = (
        sa.UniqueConstraint("respondent_id", "indicator_key", name="uq_maturity_answer_indicator"),
        sa.CheckConstraint(
            "(level IS NULL) OR (level BETWEEN 1 AND 5)", name="ck_maturity_answer_level"
        ),
        sa.CheckConstraint(
            "NOT (dont_know AND level IS NOT NULL)", name="ck_maturity_answer_dont_know"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: int = Field(foreign_key="maturity_respondent.id")
    indicator_key: str = Field(max_length=KEY_MAX)
    level: int | None = None  # None with dont_know False: not answered yet (evidence kept)
    dont_know: bool = False
    evidence: str | None = Field(default=None, max_length=EVIDENCE_MAX)  # text and links
    comment: str | None = Field(default=None, max_length=COMMENT_MAX)
    updated_at: datetime = created_at_field()


class MaturityAnswerDocument(SQLModel, table=True):
    """A document on Pivotal given as evidence for an answer (one the respondent may open)."""

    __tablename__ = "maturity_answer_document"

    answer_id: int = Field(foreign_key="maturity_answer.id", primary_key=True, ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", primary_key=True, index=True)


class MaturityAction(SQLModel, table=True):
    """A development action the municipality chose from a round's results, and how it went."""

    __tablename__ = "maturity_action"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="maturity_round.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    dimension_key: str = Field(max_length=KEY_MAX)
    indicator_key: str | None = Field(default=None, max_length=KEY_MAX)
    title: str = Field(max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=COMMENT_MAX)
    owner_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    due: date | None = None
    status: ActionStatus = enum_field(ActionStatus, default=ActionStatus.planned)
    # What came of it, written when it is done or dropped (shown beside the next round).
    outcome: str | None = Field(default=None, max_length=COMMENT_MAX)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


# ---- input and output --------------------------------------------------------------------------

BLANK_TITLE = N_("The round needs a title.")
ONE_WAY_TO_INVITE = N_("Invite either an account or an e-mail address, not both and not neither.")
LEVEL_OR_DONT_KNOW = N_('Give a level from 1 to 5, or "don\'t know", not both.')


class RoundOpen(SQLModel):
    """Input: open a self-assessment round (on the newest model version unless one is named)."""

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    deadline: datetime
    model_version: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _title(self) -> RoundOpen:
        return strip_text(self, ("title",), BLANK_TITLE)


class RespondentInvite(SQLModel):
    """Input: invite a member of the municipality by account, or anyone by e-mail, from a unit."""

    user_id: int | None = Field(default=None, ge=1)
    email: str | None = Field(default=None, max_length=254)
    unit: MaturityUnit
    unit_detail: str | None = Field(default=None, max_length=UNIT_DETAIL_MAX)

    @model_validator(mode="after")
    def _one_way(self) -> RespondentInvite:
        if self.email is not None:
            self.email = self.email.strip().lower() or None
        if self.unit_detail is not None:
            self.unit_detail = self.unit_detail.strip() or None
        if (self.user_id is None) == (self.email is None):
            raise PydanticCustomError("invite", ONE_WAY_TO_INVITE)
        if self.email is not None and (
            "@" not in self.email or " " in self.email or len(self.email) < 3
        ):
            raise PydanticCustomError("email", N_("Give a valid e-mail address."))
        return self


class AnswerIn(SQLModel):
    """Input: the caller's answer on one indicator (level None and not "don't know": unanswered,
    keeping the evidence and comment written so far)."""

    indicator: str = Field(min_length=1, max_length=KEY_MAX)
    level: int | None = Field(default=None, ge=1, le=5)
    dont_know: bool = False
    evidence: str | None = Field(default=None, max_length=EVIDENCE_MAX)
    comment: str | None = Field(default=None, max_length=COMMENT_MAX)
    documents: list[int] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _level_or_dont_know(self) -> AnswerIn:
        if self.dont_know and self.level is not None:
            raise PydanticCustomError("level", LEVEL_OR_DONT_KNOW)
        self.evidence = (self.evidence or "").strip() or None
        self.comment = (self.comment or "").strip() or None
        self.documents = sorted(set(self.documents))
        return self


class AnswerPublic(SQLModel):
    """An answer as the API shows it."""

    indicator: str
    level: int | None
    dont_know: bool
    evidence: str | None
    comment: str | None
    documents: list[int]
    updated_at: datetime


class RespondentPublic(SQLModel):
    """A respondent as the round's owners see them (researchers get a pseudonym as `name`)."""

    id: int
    name: str
    unit: MaturityUnit
    unit_detail: str | None
    invited_by_email: bool
    accepted: bool
    answered: int = Field(description="Indicators answered with a level or don't know")
    submitted: bool


class RoundPublic(SQLModel):
    """A round as the API shows it."""

    id: int
    organisation_id: int
    title: str
    model_version: int
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None
    open: bool


# ---- development actions -----------------------------------------------------------------------

BLANK_ACTION_TITLE = N_("The action needs a title.")


class ActionCreate(SQLModel):
    """Input: a development action from a round's results (a suggested measure or one's own idea).

    Name the dimension it develops, or an indicator (its dimension is then the indicator's).
    """

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=COMMENT_MAX)
    dimension: str | None = Field(default=None, max_length=KEY_MAX)
    indicator: str | None = Field(default=None, max_length=KEY_MAX)
    owner_id: Id
    due: date
    status: ActionStatus = ActionStatus.planned

    @model_validator(mode="after")
    def _stripped(self) -> ActionCreate:
        self.description = (self.description or "").strip() or None
        self.dimension = (self.dimension or "").strip() or None
        self.indicator = (self.indicator or "").strip() or None
        return strip_text(self, ("title",), BLANK_ACTION_TITLE)


class ActionUpdate(SQLModel):
    """Input: a change to an action; fields left out stay as they are (an empty outcome clears
    it)."""

    model_config = {"extra": "forbid"}

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=COMMENT_MAX)
    owner_id: Id | None = None
    due: date | None = None
    status: ActionStatus | None = None
    outcome: str | None = Field(default=None, max_length=COMMENT_MAX)

    @model_validator(mode="after")
    def _stripped(self) -> ActionUpdate:
        if self.title is not None:
            strip_text(self, ("title",), BLANK_ACTION_TITLE)
        if self.description is not None:
            self.description = self.description.strip()
        if self.outcome is not None:
            self.outcome = self.outcome.strip()
        return self


class ActionPublic(SQLModel):
    """An action as the API shows it (`owner_id` and `owner_name` only for those who run the
    round)."""

    id: int
    round_id: int
    round_title: str
    dimension: str
    indicator: str | None
    title: str
    description: str | None
    owner_id: int | None
    owner_name: str | None
    due: date | None
    status: ActionStatus
    outcome: str | None
    created_at: datetime
    updated_at: datetime


# ---- the JSON API of rounds (app/routers/maturity.py) -------------------------------------------


class RoundDetail(RoundPublic):
    """A round as the API shows it to one caller: its respondents for those who run it, the
    caller's own answers for a respondent (nothing of either for others)."""

    respondents: list[RespondentPublic] | None = None
    answers: list[AnswerPublic] | None = None
    submitted: bool | None = Field(
        default=None, description="Whether the caller said they are done"
    )


class TextPublic(SQLModel):
    """One text of the capability model in bokmål, nynorsk and English."""

    nb: str
    nn: str
    en: str


class IndicatorPublic(SQLModel):
    """An indicator of the model: its question, its five levels (1 to 5) and suggested measures."""

    key: str
    title: TextPublic
    question: TextPublic
    levels: list[TextPublic]
    measures: list[TextPublic]


class DimensionPublic(SQLModel):
    """A dimension of the model and its indicators."""

    key: str
    title: TextPublic
    indicators: list[IndicatorPublic]


class GroupPublic(SQLModel):
    """One of the model's three groups and its dimensions."""

    key: str
    title: TextPublic
    dimensions: list[DimensionPublic]


class ModelPublic(SQLModel):
    """One version of the capability model, every text in all three languages."""

    version: int
    title: TextPublic
    scale: list[TextPublic] = Field(description="The names of the levels 1 to 5")
    groups: list[GroupPublic]
