"""Identities from OpenID Connect providers (ID-porten, Entra ID…) and logins under way."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import created_at_field, enum_field
from app.models.vocabulary import register_labels

PROVIDER_NAME_MAX = 40
SUBJECT_MAX = 255
PID_HASH_LENGTH = 64  # HMAC-SHA256 in hex: the national identity number itself is never kept


class LoginLevel(StrEnum):
    """How sure the platform is of who is logged in, lowest first (eIDAS levels of assurance).

    A password login is `basic`; a provider's `acr` maps to `substantial` or `high`.
    """

    basic = "basic"
    substantial = "substantial"
    high = "high"

    @property
    def rank(self) -> int:
        """Its place in the order: a higher one satisfies every lower one."""
        return list(LoginLevel).index(self)


LOGIN_LEVEL_LABELS = register_labels(
    LoginLevel,
    {
        LoginLevel.basic: N_("Any login"),
        LoginLevel.substantial: N_("Substantial (e.g. ID-porten with MinID or BankID)"),
        LoginLevel.high: N_("High (e.g. ID-porten with BankID)"),
    },
)


class LoginPurpose(StrEnum):
    """Why a person was sent to a provider."""

    login = "login"  # log in (a new identity gets a new citizen account)
    link = "link"  # link the identity to the account already logged in
    step_up = "step_up"  # prove a higher level for an action, keeping the account


class LinkedIdentity(SQLModel, table=True):
    """A provider's identity of a person (its `sub`), linked to their account.

    `pid_hash` is a keyed hash of the national identity number, when the provider gave one: it
    recognises a returning person across providers without keeping the number.
    """

    __tablename__ = "linked_identity"
    __table_args__ = (sa.UniqueConstraint("provider", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    provider: str = Field(max_length=PROVIDER_NAME_MAX)
    subject: str = Field(max_length=SUBJECT_MAX)
    pid_hash: str | None = Field(default=None, max_length=PID_HASH_LENGTH, index=True)
    created_at: datetime = created_at_field()
    last_login_at: datetime = created_at_field()


class OidcLogin(SQLModel, table=True):
    """An authorisation request sent to a provider, waiting for its answer (used once).

    The browser that started it keeps the `state` in its session cookie; only its hash is here.
    """

    __tablename__ = "oidc_login"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True, index=True)
    provider: str = Field(max_length=PROVIDER_NAME_MAX)
    purpose: LoginPurpose = enum_field(LoginPurpose)
    nonce: str = Field(max_length=100, unique=True)
    code_verifier: str = Field(max_length=128)
    level: LoginLevel = enum_field(LoginLevel, default=LoginLevel.basic)
    next: str = Field(default="/", max_length=2000)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    # The SHA-256 of the client address that started it: how many one address may start is
    # limited (the address itself is not kept).
    address_hash: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = created_at_field()
    used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
