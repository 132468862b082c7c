"""API tokens: random bearer tokens stored as hashes, named, listed, expiring and revocable."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import in_session
from app.models import ApiToken, User
from app.models.account import ApiTokenCreate, ApiTokenIssued, ApiTokenPublic
from app.models.base import id_of, utcnow
from app.models.event import as_utc
from app.services.errors import NotAuthenticated, NotFound
from app.services.sessions import TOUCH_EVERY, key_hash, with_owner

PREFIX = "pvt_"  # makes a leaked token recognisable to secret scanners and to people
LOGIN_TOKEN_NAME = "API login"


def issue(session: Session, *, user: User, data: ApiTokenCreate) -> ApiTokenIssued:
    """A new named token for the user; the token itself is in the answer and nowhere else."""
    return _issue(session, user=user, name=data.name, lifetime=timedelta(days=data.expires_in_days))


def issue_for_login(session: Session, *, user: User) -> ApiTokenIssued:
    """A token from the password login endpoint, living `api_token_max_age` seconds."""
    lifetime = timedelta(seconds=get_settings().api_token_max_age)
    return _issue(session, user=user, name=LOGIN_TOKEN_NAME, lifetime=lifetime)


def _issue(session: Session, *, user: User, name: str, lifetime: timedelta) -> ApiTokenIssued:
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=key_hash(token),
        user_id=id_of(user),
        name=name.strip() or LOGIN_TOKEN_NAME,
        expires_at=utcnow() + lifetime,
    )
    session.add(row)
    session.flush()
    return ApiTokenIssued(**public(row).model_dump(), access_token=token)


def public(row: ApiToken) -> ApiTokenPublic:
    """The token as its owner sees it listed."""
    assert row.id is not None
    return ApiTokenPublic(
        id=row.id,
        name=row.name,
        created_at=as_utc(row.created_at),
        last_used_at=as_utc(row.last_used_at) if row.last_used_at else None,
        expires_at=as_utc(row.expires_at),
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
        active=is_active(row),
    )


def is_active(row: ApiToken) -> bool:
    """Neither revoked nor expired."""
    return row.revoked_at is None and as_utc(row.expires_at) > utcnow()


def user_from_token(session: Session, token: str) -> User:
    """The user a bearer token belongs to, or 401 if it is unknown, revoked or expired."""
    found = with_owner(session, ApiToken, ApiToken.token_hash, token)
    if found is None:
        raise NotAuthenticated("The token is not valid.")
    row, user = found
    if row.revoked_at is not None:
        raise NotAuthenticated("The token has been revoked.")
    now = utcnow()
    if as_utc(row.expires_at) <= now:
        raise NotAuthenticated("The token has expired; ask for a new one.")
    if row.last_used_at is None or now - as_utc(row.last_used_at) > TOUCH_EVERY:
        _touch(row.id, now)
    return user


def _touch(token_id: int | None, now: datetime) -> None:
    """Note the token's use in a transaction of its own (the request may only read)."""

    def work(session: Session) -> None:
        session.execute(
            update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now)
        )

    in_session(work)


def list_for_user(session: Session, *, user: User) -> list[ApiToken]:
    """The person's tokens, the newest first (revoked and expired ones too, marked)."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        ).all()
    )


def revoke(session: Session, *, user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens (again is harmless)."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("The token does not exist.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.flush()
    return row


def revoke_all(session: Session, *, user: User) -> None:
    """Revoke every token of the person (after a password reset)."""
    session.execute(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
