"""Users and their role on the platform."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import EmailStr
from sqlmodel import Field, SQLModel

from app.models.base import Id, Role, UtcDateTime, created_at_field, enum_field


class UserBase(SQLModel):
    """Fields shared by every user schema."""

    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(min_length=1, max_length=120)
    role: Role = enum_field(Role)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    # The interface language the person chose ("" until they choose: then their browser's, or
    # their organisation's målform); mail and notifications are written in it.
    language: str = Field(default="", max_length=5)


class UserCreate(SQLModel):
    """Input for a new account."""

    email: EmailStr = Field(max_length=254)
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=10, max_length=200)
    role: Role = Role.citizen
    organisation_id: Id | None = None


class Registration(UserCreate):
    """Self-service sign-up: a citizen account, optionally asking to be a municipality's employee.

    `role` is what the person asks for; the account is a citizen's until a membership is vouched.
    """


class User(UserBase, table=True):
    """A user as stored; the password only as an Argon2 hash."""

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=200)
    created_at: datetime = created_at_field()
    # When the person proved the address by following a mailed link (None: not yet).
    email_verified_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # The account was deleted (or stands in for people anonymised by retention): its e-mail,
    # name and password are gone, its contributions show as a deleted user's.
    deleted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # When the person last opened their contributions (/me): what came after is marked new.
    contributions_seen_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # A platform moderator works the moderation queue of every project they can see (platform
    # administrators do too, without the flag).
    is_moderator: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class UserPublic(SQLModel):
    """A user as the API shows it: no e-mail, no hash."""

    id: int
    display_name: str
    role: Role
    organisation_id: int | None
