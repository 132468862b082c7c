"""Suggestions the platform made (issue 13, item 5): what was shown to whom, and what came of it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import UtcDateTime, created_at_field, enum_field


class SuggestionKind(StrEnum):
    """What was suggested."""

    similar_need = "similar_need"  # a need like the one being typed: support it instead
    trace_need = "trace_need"  # a need a requirement may derive from: link it
    trace_proposal = "trace_proposal"  # a published proposal summary that may motivate it
    merge_need = "merge_need"  # a need like the one a procurer looks at: merge it into that one


class SuggestionOutcome(StrEnum):
    """What the person did with a suggestion."""

    none = "none"
    accepted = "accepted"  # supported the suggested need (a merge: merged it) from the suggestion
    dismissed = "dismissed"  # said it is not the same


class Suggestion(SQLModel, table=True):
    """One suggestion shown: to whom (none for a visitor), of which need, with what score.

    A similar-need suggestion names the need; a trace suggestion names the requirement it was
    shown on and the need or the proposal it suggests linking; a merge suggestion names the
    suggested need and the need whose page it was shown on (the one it would be merged into).
    """

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: SuggestionKind = enum_field(SuggestionKind)
    need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    requirement_id: int | None = Field(default=None, foreign_key="requirement.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    score: float
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    shown_on_need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    shown_at: datetime = created_at_field()
    outcome: SuggestionOutcome = enum_field(SuggestionOutcome, default=SuggestionOutcome.none)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
