"""Moderation: reports on needs and comments, held first contributions, review requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import Id, UtcDateTime, created_at_field, enum_field, strip_text
from app.models.vocabulary import register_labels

REASON_MAX = 1000
HIDDEN_REASON_MAX = 500


class ReportKind(StrEnum):
    """Why an item is in the moderation queue."""

    flag = "flag"  # someone reported it
    hold = "hold"  # a new account's first contribution, held until approved
    review = "review"  # its author asks the moderators to look at their decision again


class ReportState(StrEnum):
    """Whether a moderator has decided on the report."""

    open = "open"
    decided = "decided"


class Decision(StrEnum):
    """What a moderator decided about the reported content."""

    hide = "hide"
    restore = "restore"
    dismiss = "dismiss"


class ReportedType(StrEnum):
    """What may be reported."""

    need = "need"
    comment = "comment"


register_labels(
    ReportKind,
    {
        ReportKind.flag: N_("Reported"),
        ReportKind.hold: N_("First contribution, awaiting review"),
        ReportKind.review: N_("The author asks for a review"),
    },
)
register_labels(ReportState, {ReportState.open: N_("Open"), ReportState.decided: N_("Decided")})
register_labels(
    Decision,
    {
        Decision.hide: N_("Hidden"),
        Decision.restore: N_("Shown"),
        Decision.dismiss: N_("Report dismissed"),
    },
)


class ReportCreate(SQLModel):
    """Input for a report (or, from the content's author, a review request)."""

    object_type: ReportedType
    object_id: Id
    reason: str = Field(min_length=1, max_length=REASON_MAX)

    @model_validator(mode="after")
    def _stripped(self) -> ReportCreate:
        return strip_text(self, ("reason",), N_("Say why."))


class ReportDecision(SQLModel):
    """A moderator's decision: hide (with a public reason), restore, or dismiss the report."""

    decision: Decision
    reason: str = Field(default="", max_length=HIDDEN_REASON_MAX)


class Report(SQLModel, table=True):
    """One entry of a project's moderation queue, about one need or comment."""

    __table_args__ = (sa.Index("ix_report_project_state", "project_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    need_id: int = Field(foreign_key="need.id", index=True)  # the need, or the comment's need
    kind: ReportKind = enum_field(ReportKind, default=ReportKind.flag)
    object_type: ReportedType = enum_field(ReportedType)
    object_id: int
    reporter_id: int = Field(foreign_key="user.id", index=True)
    reason: str = Field(max_length=REASON_MAX)
    created_at: datetime = created_at_field()
    state: ReportState = enum_field(ReportState, default=ReportState.open)
    decision: Decision | None = Field(default=None, sa_type=sa.String(7))
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decision_reason: str = Field(default="", max_length=HIDDEN_REASON_MAX)


class ReportPublic(SQLModel):
    """A report as the queue's API shows it to moderators."""

    id: int
    project_id: int
    need_id: int
    kind: ReportKind
    object_type: ReportedType
    object_id: int
    reporter_id: int
    reason: str
    created_at: datetime
    state: ReportState
    decision: Decision | None
    decided_by_id: int | None
    decided_at: datetime | None
    decision_reason: str
