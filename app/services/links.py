"""Single-use, expiring links mailed to an address (verification, password reset, invitations).

The link carries a random token; only its SHA-256 is stored, so a copy of the database opens
nothing. Redeeming is one conditional UPDATE: of two clicks at the same moment, one wins.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import LinkToken
from app.models.base import utcnow
from app.models.mail import LinkPurpose
from app.services.errors import Invalid

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100  # anything longer is no token of ours


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    session: Session,
    *,
    purpose: LinkPurpose,
    email: str,
    ttl: timedelta,
    user_id: int | None = None,
    payload: str = "",
) -> str:
    """A new link token for `email`; mail it, it cannot be recovered later."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        LinkToken(
            token_hash=_digest(token),
            purpose=purpose,
            email=email,
            user_id=user_id,
            payload=payload,
            expires_at=utcnow() + ttl,
        )
    )
    session.flush()
    return token


def reissue(
    session: Session, *, purpose: LinkPurpose, user_id: int, email: str, ttl: timedelta
) -> str:
    """A new link of this purpose for the person; every earlier one stops working."""
    withdraw(session, purpose=purpose, user_id=user_id)
    return issue(session, purpose=purpose, email=email, ttl=ttl, user_id=user_id)


def peek(session: Session, *, token: str, purpose: LinkPurpose) -> LinkToken:
    """The link's record if it can still be used (for the page that asks to confirm)."""
    link = _find(session, token, purpose)
    if link.used_at is not None:
        raise Invalid("This link has already been used. Ask for a new one if you still need it.")
    if _aware(link.expires_at) <= utcnow():
        raise Invalid("This link has expired. Ask for a new one.")
    return link


def redeem(session: Session, *, token: str, purpose: LinkPurpose) -> LinkToken:
    """Use the link once: its record, or a clear refusal if unknown, used or expired."""
    link = peek(session, token=token, purpose=purpose)
    now = utcnow()
    used = session.execute(
        update(LinkToken)
        .where(col(LinkToken.id) == link.id, col(LinkToken.used_at).is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise Invalid("This link has already been used. Ask for a new one if you still need it.")
    session.refresh(link)
    return link


def withdraw(session: Session, *, purpose: LinkPurpose, user_id: int) -> None:
    """Make every unused link of this purpose for the user unusable (e.g. after a new one)."""
    session.execute(
        update(LinkToken)
        .where(
            col(LinkToken.purpose) == purpose,
            col(LinkToken.user_id) == user_id,
            col(LinkToken.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )


def _find(session: Session, token: str, purpose: LinkPurpose) -> LinkToken:
    link = None
    if 0 < len(token) <= MAX_TOKEN_LENGTH:
        link = session.exec(
            select(LinkToken).where(
                col(LinkToken.token_hash) == _digest(token), col(LinkToken.purpose) == purpose
            )
        ).first()
    if link is None:
        raise Invalid("This link is not valid. Check that you copied all of it.")
    return link


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive UTC datetimes; PostgreSQL aware ones."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


__all__ = ["LinkPurpose", "issue", "peek", "redeem", "withdraw"]
