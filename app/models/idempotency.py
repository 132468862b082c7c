"""A write's first answer, kept under the caller's Idempotency-Key so a retry gets it again."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field

KEY_MAX = 200


class IdempotentRequest(SQLModel, table=True):
    """One API write by one user under one key: what was asked (its digest) and the answer."""

    __tablename__ = "idempotent_request"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key", "route", name="uq_idempotent_request_user_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key: str = Field(max_length=KEY_MAX)
    route: str = Field(max_length=1000)  # method and path, e.g. "POST /api/v1/needs/7/comments"
    request_sha256: str = Field(max_length=64)
    status_code: int
    media_type: str = Field(max_length=100)
    body: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = created_at_field()
