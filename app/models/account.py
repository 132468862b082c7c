"""What keeps a person logged in: browser sessions, API tokens, and the login throttle."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field

KEY_HASH_LENGTH = 64  # SHA-256 in hex: only the hash of a key is stored, never the key
TOKEN_NAME_MAX = 80


class LoginSession(SQLModel, table=True):
    """A browser that is logged in; its cookie carries the key whose hash is stored here."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=KEY_HASH_LENGTH, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    user_agent: str = Field(default="", max_length=300)
    label: str = Field(default="", max_length=80)
    # How the person logged in: a password (provider "") or an OpenID provider, and the level
    # of assurance that login gave (a step-up raises it for this session).
    provider: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    level: str = Field(default="basic", max_length=11, sa_column_kwargs={"server_default": "basic"})


class ApiToken(SQLModel, table=True):
    """A bearer token for the API, named by its owner; revoked tokens stay listed."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=KEY_HASH_LENGTH, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=TOKEN_NAME_MAX)
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ApiTokenCreate(SQLModel):
    """Input for a new named token."""

    name: str = Field(min_length=1, max_length=TOKEN_NAME_MAX)
    expires_in_days: int = Field(default=90, ge=1, le=365)


class ApiTokenPublic(SQLModel):
    """A token as its owner sees it listed: never the token itself."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    revoked_at: datetime | None
    active: bool


class ApiTokenIssued(ApiTokenPublic):
    """A token just created: the only time the token itself is shown."""

    access_token: str
    token_type: str = "bearer"


class NewPassword(SQLModel):
    """A new password, typed twice."""

    password: str = Field(min_length=10, max_length=200)
    password_again: str = Field(max_length=200)


class LoginThrottle(SQLModel, table=True):
    """Wrong passwords in a row for one account or one client address (keyed by a hash)."""

    __tablename__ = "login_throttle"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=KEY_HASH_LENGTH, unique=True, index=True)
    failures: int = Field(default=0)
    last_failed_at: datetime = created_at_field()
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
