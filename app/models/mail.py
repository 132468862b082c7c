"""Outgoing mail and the single-use links mailed to people."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, enum_field


class OutboxMessage(SQLModel, table=True):
    """A mail written in the transaction that caused it, sent after commit by a background round.

    It stays here until the SMTP server has taken it, so a crash or an unreachable server delays
    a mail but never loses it.
    """

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=sa.Text)
    headers_json: str = Field(default="{}", sa_type=sa.Text)  # extra headers, e.g. List-Unsubscribe
    created_at: datetime = created_at_field()
    # Due from this moment; a process sending it moves it ahead first (a lease), so two
    # processes never send it at once and a crash mid-send retries it after the lease.
    next_attempt_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), index=True
    )
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class LinkPurpose(StrEnum):
    """What a mailed link lets its holder do, once."""

    verify_email = "verify_email"
    reset_password = "reset_password"
    change_email = "change_email"
    invitation = "invitation"
    assessment = "assessment"  # an invitation to answer a self-assessment round


class LinkToken(SQLModel, table=True):
    """A single-use, expiring link sent to an address; only its hash is kept."""

    __tablename__ = "link_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: LinkPurpose = enum_field(LinkPurpose)
    email: str = Field(max_length=254)  # the address the link was sent to
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    payload: str = Field(default="", max_length=500)  # e.g. the new address, or an invitation id
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
