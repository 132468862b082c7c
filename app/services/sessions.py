"""Browser sessions kept on the server: the cookie holds a random key, the table its hash.

Ending a session deletes its row, so a copied cookie stops working at once. `last_seen_at`
moves at most every few minutes, in a short transaction of its own, so reading a page does not
become a write.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import in_session
from app.models import ApiToken, LoginSession, User
from app.models.base import id_of, utcnow
from app.models.event import as_utc
from app.services import contribution
from app.services.errors import NotFound

TOUCH_EVERY = timedelta(minutes=5)
Keyed = TypeVar("Keyed", LoginSession, ApiToken)
USER_AGENT_MAX = 300
_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def key_hash(key: str) -> str:
    """The stored form of a session key or token: its SHA-256 (a random key needs no salt)."""
    return hashlib.sha256(key.encode()).hexdigest()


def with_owner(
    session: Session, model: type[Keyed], hash_column: Any, key: str
) -> tuple[Keyed, User] | None:
    """The row (a login session, an API token) keeping this key's hash, and the person's it is."""
    owner = col(User.id) == model.user_id
    query = select(model, User).join(User, owner).where(hash_column == key_hash(key))
    return session.exec(query).first()


def label_for(user_agent: str) -> str:
    """A short, human name for a browser ("Firefox on Linux"), from its user agent."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} / {system}"
    short = re.sub(r"\s+", " ", browser or system or user_agent).strip()
    return short[:80]


def start(
    session: Session, *, user: User, user_agent: str, provider: str = "", level: str = "basic"
) -> str:
    """Open a session for the user; returns the key for the cookie (stored only as a hash).

    `provider` and `level` say how the person logged in (a password: "" and basic).
    """
    key = secrets.token_urlsafe(32)
    agent = user_agent[:USER_AGENT_MAX]
    idle_since = utcnow() - timedelta(seconds=get_settings().session_max_age)
    session.execute(  # the person's sessions that ended by idling are forgotten here
        delete(LoginSession).where(
            col(LoginSession.user_id) == id_of(user), col(LoginSession.last_seen_at) < idle_since
        )
    )
    session.add(
        LoginSession(
            key_hash=key_hash(key),
            user_id=id_of(user),
            user_agent=agent,
            label=label_for(agent),
            provider=provider,
            level=level,
        )
    )
    session.flush()
    return key


FRESH_LOGIN = timedelta(minutes=15)


def is_fresh(session: Session, login_session_id: int | None) -> bool:
    """Whether this browser's session began within the last minutes (a login just made)."""
    row = session.get(LoginSession, login_session_id) if login_session_id else None
    return row is not None and as_utc(row.created_at) > utcnow() - FRESH_LOGIN


@dataclass(frozen=True)
class Found:
    """A live session and its user."""

    login_session: LoginSession
    user: User


def find(session: Session, *, key: str) -> Found | None:
    """The session with this key and its user, if it has not ended or gone idle too long."""
    now = utcnow()
    row = with_owner(session, LoginSession, LoginSession.key_hash, key)
    if row is None:
        return None
    login_session, user = row
    if _idle(login_session.last_seen_at, now):
        return None
    if not seen_lately(login_session.last_seen_at, now):
        _touch(id_of_session(login_session), now)
    return Found(login_session, user)


def seen_lately(last_seen_at: datetime, now: datetime) -> bool:
    """Whether a session last seen then is live and noted recently enough that reading a page
    with it needs nothing written (else `find` forgets or touches it)."""
    return not _idle(last_seen_at, now) and now - as_utc(last_seen_at) <= TOUCH_EVERY


def _idle(last_seen_at: datetime, now: datetime) -> bool:
    """Whether a session last seen then has gone idle too long (ended)."""
    return as_utc(last_seen_at) < now - timedelta(seconds=get_settings().session_max_age)


def _touch(session_id: int, now: datetime) -> None:
    """Note the session's activity in a transaction of its own (the request may only read)."""

    def work(session: Session) -> None:
        session.execute(
            update(LoginSession).where(col(LoginSession.id) == session_id).values(last_seen_at=now)
        )

    in_session(work)


def id_of_session(login_session: LoginSession) -> int:
    """The stored session's id."""
    assert login_session.id is not None
    return login_session.id


def list_for_user(session: Session, *, user: User) -> list[LoginSession]:
    """The person's live sessions, the most recently used first."""
    oldest = utcnow() - timedelta(seconds=get_settings().session_max_age)
    return list(
        session.exec(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, col(LoginSession.last_seen_at) >= oldest)
            .order_by(col(LoginSession.last_seen_at).desc(), col(LoginSession.id).desc())
        ).all()
    )


def end(session: Session, *, key: str) -> int | None:
    """End the session with this key (logout); returns its id if there was one."""
    row = session.exec(select(LoginSession).where(LoginSession.key_hash == key_hash(key))).first()
    if row is None:
        return None
    session.delete(row)
    session.flush()
    contribution.session_ended(session, login_session_id=id_of_session(row))
    return row.id


def end_one(session: Session, *, user: User, session_id: int) -> None:
    """End one of the person's own sessions (from the sessions page)."""
    row = session.get(LoginSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound("The session does not exist or has already ended.")
    session.delete(row)
    session.flush()
    contribution.session_ended(session, login_session_id=session_id)


def end_all(session: Session, *, user: User, keep_id: int | None = None) -> list[int]:
    """End every session of the person but `keep_id`; returns the ids ended."""
    query = select(LoginSession.id).where(LoginSession.user_id == user.id)
    if keep_id is not None:
        query = query.where(col(LoginSession.id) != keep_id)
    ended = [i for i in session.exec(query).all() if i is not None]
    if ended:
        session.execute(delete(LoginSession).where(col(LoginSession.id).in_(ended)))
    for ended_id in ended:
        contribution.session_ended(session, login_session_id=ended_id)
    return ended
