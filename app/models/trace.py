"""Trace links, the influence ledger: which input shaped which requirement, and how."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import Id, created_at_field, enum_field, strip_text
from app.models.vocabulary import register_labels

RATIONALE_MAX = 2000


class TraceSource(StrEnum):
    """The kind of input a requirement is traced to."""

    need = "need"
    proposal = "proposal"  # a supplier's proposal: its published summary, or its confidential body
    answer = "answer"  # a question whose answer was published to all suppliers
    event_minutes = "event_minutes"  # the published minutes of a dialogue event
    hearing_comment = "hearing_comment"


TRACE_SOURCE_LABELS = register_labels(
    TraceSource,
    {
        TraceSource.need: N_("Need"),
        TraceSource.proposal: N_("Proposal"),
        TraceSource.answer: N_("Published answer"),
        TraceSource.event_minutes: N_("Minutes of a dialogue event"),
        TraceSource.hearing_comment: N_("Hearing comment"),
    },
)


class TraceRelation(StrEnum):
    """How the input shaped the requirement."""

    derived_from = "derived_from"
    refined_by = "refined_by"
    motivated_by = "motivated_by"
    rejected_input = "rejected_input"  # considered and not followed: the rationale says why


TRACE_RELATION_LABELS = register_labels(
    TraceRelation,
    {
        TraceRelation.derived_from: N_("Derived from"),
        TraceRelation.refined_by: N_("Refined by"),
        TraceRelation.motivated_by: N_("Motivated by"),
        TraceRelation.rejected_input: N_("Rejected input"),
    },
)


class TraceLink(SQLModel, table=True):
    """One link from a requirement to an input that shaped it, with the relation and why.

    `confidential` marks a link to a proposal's confidential content: only the project's
    procurers see such a link (with its rationale), never a supplier, citizen or export.
    """

    __tablename__ = "trace_link"
    __table_args__ = (
        sa.UniqueConstraint(
            "requirement_id", "source_type", "source_id", name="uq_trace_link_source"
        ),
        sa.Index("ix_trace_link_source", "source_type", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    requirement_id: int = Field(foreign_key="requirement.id", index=True)
    source_type: TraceSource = enum_field(TraceSource)
    source_id: int
    relation: TraceRelation = enum_field(TraceRelation)
    rationale: str = Field(max_length=RATIONALE_MAX)
    confidential: bool = False
    created_by_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()


NO_RATIONALE = N_("Say why the input shaped the requirement: the rationale cannot be blank.")


class TraceLinkCreate(SQLModel):
    """Input for a new trace link: which input, how it shaped the requirement, and why."""

    source_type: TraceSource
    source_id: Id
    relation: TraceRelation
    rationale: str = Field(min_length=1, max_length=RATIONALE_MAX)
    # Marks a proposal link as referring to the proposal's confidential content (a link to a
    # proposal whose summary is not published always does).
    confidential: bool = False

    @model_validator(mode="after")
    def _stripped(self) -> TraceLinkCreate:
        return strip_text(self, ("rationale",), NO_RATIONALE)


class TraceLinkPublic(SQLModel):
    """A trace link as the API shows it to a reader who may see it."""

    id: int
    requirement_id: int
    source_type: TraceSource
    source_id: int
    source_title: str
    source_url: str
    relation: TraceRelation
    rationale: str
    confidential: bool
    created_at: datetime
