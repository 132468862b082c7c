"""Earlier versions of edited and withdrawn contributions, kept for the project's procurers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class Revision(SQLModel, table=True):
    """The text of a need or comment as it was before one edit (or before it was withdrawn)."""

    __table_args__ = (sa.Index("ix_revision_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    object_type: str = Field(max_length=40)  # an ObjectType: need or comment
    object_id: int
    # The fields the edit changed, as they were before it (title, problem, affected; or body).
    fields: dict[str, Any] = Field(sa_type=sa.JSON)
    edited_by_id: int = Field(foreign_key="user.id")
    edited_at: datetime = created_at_field()


class RevisionPublic(SQLModel):
    """An earlier version as the project's procurers read it."""

    id: int
    object_type: str
    object_id: int
    fields: dict[str, Any]
    edited_by: str
    edited_at: datetime
