"""What the platform keeps of an erasure: that it happened, never whom it was about."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, enum_field


class ErasureCause(StrEnum):
    """Why personal data was anonymised."""

    account_deleted = "account_deleted"  # the person deleted their account (GDPR art. 17)
    retention = "retention"  # a closed project's personal data passed its retention time


class Erasure(SQLModel, table=True):
    """A trace that personal data was anonymised, without personal data (accountability,
    GDPR art. 5(2)): when, why, which project (for retention) and how many people."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    cause: ErasureCause = enum_field(ErasureCause)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    people: int = 0
