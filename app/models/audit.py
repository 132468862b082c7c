"""The audit log: every state change of the procurement record, with who, when, before, after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from pydantic import ConfigDict, field_validator
from sqlmodel import Field, SQLModel

from app.i18n import LANGUAGES, N_
from app.maturity.model import KeyTitles
from app.models.base import (
    NEED_STATUS_LABELS,
    ORGANISATION_KIND_LABELS,
    PHASE_LABELS,
    created_at_field,
)
from app.models.document import AUDIENCE_LABELS
from app.models.event import EVENT_KIND_LABELS, REGISTRATION_STATUS_LABELS
from app.models.hearing import HEARING_AUDIENCE_LABELS
from app.models.maturity import ACTION_STATUS_LABELS, MATURITY_UNIT_LABELS
from app.models.membership import (
    MEMBERSHIP_ROLE_LABELS,
    MEMBERSHIP_STATUS_LABELS,
    VOUCHED_BY_LABELS,
)
from app.models.proposal import CLAIM_DECISION_LABELS, PROPOSAL_STATUS_LABELS
from app.models.question import QUESTION_STATUS_LABELS
from app.models.requirement import REQUIREMENT_STATUS_LABELS
from app.models.trace import TRACE_RELATION_LABELS
from app.models.vocabulary import AuditAction, ObjectType

RATIONALE_MAX = 5000


class AuditEntry(SQLModel, table=True):
    """One decision on the record (a phase move, a need status, a hidden comment); append-only."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    # A decision on a project's record, or on an organisation's people (exactly one of the two).
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    actor_id: int = Field(foreign_key="user.id", index=True)
    actor_role: str = Field(max_length=20)
    # The actor acted with the platform administrator's powers, not as one of the organisation's.
    as_platform_admin: bool = Field(default=False)
    at: datetime = created_at_field()
    action: str = Field(max_length=40)
    object_type: str = Field(max_length=40)
    object_id: int
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    rationale: str | None = Field(default=None, max_length=RATIONALE_MAX)


class AuditEntryPublic(SQLModel):
    """An audit entry as the API shows it (to procurers, or to an organisation's administrators)."""

    id: int
    project_id: int | None
    organisation_id: int | None
    actor_id: int
    actor_name: str
    actor_role: str
    as_platform_admin: bool
    at: datetime
    action: str
    object_type: str
    object_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    rationale: str | None


class AuditFilter(SQLModel):
    """Which entries a reader asks for: one action, one kind of object, or every entry."""

    model_config = ConfigDict(frozen=True)  # type: ignore[assignment]

    action: AuditAction | None = None
    object_type: ObjectType | None = None

    @field_validator("action", "object_type", mode="before")
    @classmethod
    def _blank_is_every(cls, value: object) -> object:
        """A form's "every" option sends an empty value."""
        return None if value == "" else value

    def query_string(self) -> str:
        """The filter as a query string, for the links that keep it (next page, export)."""
        return urlencode({key: value for key, value in self.model_dump().items() if value})


# How the log names the values it keeps, in words: the labels of the enum the value belongs to,
# by (field, kind of object); "*" for a field that means the same everywhere.
AUDIT_VALUE_LABELS: dict[tuple[str, str], Mapping[str, str]] = {
    ("phase", "*"): PHASE_LABELS,
    ("visibility", "*"): {"public": N_("Public"), "internal": N_("Internal")},
    ("audience", "*"): AUDIENCE_LABELS,
    ("role", "*"): MEMBERSHIP_ROLE_LABELS,
    ("vouched_by", "*"): VOUCHED_BY_LABELS,
    ("status", "membership"): MEMBERSHIP_STATUS_LABELS,
    ("status", "need"): NEED_STATUS_LABELS,
    ("status", "proposal"): PROPOSAL_STATUS_LABELS,
    ("status", "question"): QUESTION_STATUS_LABELS,
    ("status", "requirement"): REQUIREMENT_STATUS_LABELS,
    ("status", "event_registration"): REGISTRATION_STATUS_LABELS,
    ("decision", "*"): CLAIM_DECISION_LABELS,
    ("field", "*"): {"body": N_("The confidential description")},
    ("kind", "dialogue_event"): EVENT_KIND_LABELS,
    ("kind", "organisation"): ORGANISATION_KIND_LABELS,
    ("audiences", "hearing"): HEARING_AUDIENCE_LABELS,
    ("relation", "trace_link"): TRACE_RELATION_LABELS,
    ("unit", "*"): MATURITY_UNIT_LABELS,
    ("status", "maturity_action"): ACTION_STATUS_LABELS,
    ("dimension", "*"): KeyTitles(),
    ("indicator", "*"): KeyTitles(),
    # Each language in its own name, the same in every interface.
    ("language", "*"): LANGUAGES,
    ("default_language", "*"): LANGUAGES,
}
