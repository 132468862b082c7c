"""The audit log: every state change of the procurement record, with who, when, before, after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field

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
