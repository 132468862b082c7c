"""Login throttling: wrong passwords in a row, per account and per client address.

After `login_failure_limit` misses the next attempt must wait, longer after every further miss;
while it waits, even the right password is refused (429), so guessing cannot go on. The counts
live in the database, so every process sees them. An account key is the e-mail as typed (after
trimming and lower-casing) whether or not an account has it, so the throttle tells no one which
addresses exist. Keys are stored hashed: the table holds neither e-mails nor addresses.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import in_session
from app.models import LoginThrottle
from app.models.base import utcnow
from app.models.event import as_utc
from app.services.errors import TooManyAttempts
from app.services.sessions import key_hash

FIRST_WAIT = timedelta(seconds=60)
LONGEST_WAIT = timedelta(hours=1)
# Misses older than this are forgotten: the next one starts a new count.
FORGET_AFTER = timedelta(days=1)


def keys_for(*, email: str, address: str | None) -> list[str]:
    """The throttle keys of one login attempt: the account asked for and the client address."""
    keys = [f"account:{email}"]
    if address:
        keys.append(f"address:{address}")
    return keys


def account_key(email: str) -> str:
    """The throttle key of an account (the trimmed, lower-cased e-mail)."""
    return f"account:{email}"


def check(session: Session, *, keys: list[str]) -> None:
    """Refuse with 429 and the seconds to wait while any of the keys is locked."""
    now = utcnow()
    locks = session.exec(
        select(LoginThrottle.locked_until).where(
            col(LoginThrottle.key_hash).in_([key_hash(k) for k in keys]),
            col(LoginThrottle.locked_until).is_not(None),
        )
    ).all()
    latest = max((as_utc(lock) for lock in locks if lock is not None), default=None)
    if latest is not None and latest > now:
        seconds = math.ceil((latest - now).total_seconds())
        raise TooManyAttempts(
            "Too many wrong passwords in a row. Try again in %(minutes)s min., "
            "or reset your password.",
            retry_after=seconds,
            minutes=max(1, math.ceil(seconds / 60)),
        )


def wait_after(failures: int) -> timedelta | None:
    """How long the next attempt must wait after this many misses in a row (None: no wait)."""
    over = failures - get_settings().login_failure_limit
    if over < 0:
        return None
    return min(FIRST_WAIT * (2 ** min(over, 12)), LONGEST_WAIT)


def record_failure(*, keys: list[str]) -> None:
    """Count a miss for every key, in a transaction of its own (the request's one rolls back)."""

    def work(session: Session) -> None:
        now = utcnow()
        for key in keys:
            failures = _count_miss(session, key_hash(key), now)
            wait = wait_after(failures)
            if wait is not None:
                session.execute(
                    update(LoginThrottle)
                    .where(col(LoginThrottle.key_hash) == key_hash(key))
                    .values(locked_until=now + wait)
                )

    in_session(work)


def _count_miss(session: Session, hashed: str, now: datetime) -> int:
    """Add one miss to the key's count atomically (one upsert); returns the new count."""
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    upsert = insert(table).values(key_hash=hashed, failures=1, last_failed_at=now)
    statement = upsert.on_conflict_do_update(
        index_elements=[table.c.key_hash],
        set_={
            "failures": case(
                (table.c.last_failed_at < now - FORGET_AFTER, 1),
                else_=table.c.failures + 1,
            ),
            "last_failed_at": now,
        },
    ).returning(table.c.failures)
    return int(session.execute(statement).scalar_one())


def clear(session: Session, *, key: str) -> None:
    """Forget the key's misses (after the account's right password)."""
    session.execute(
        update(LoginThrottle)
        .where(col(LoginThrottle.key_hash) == key_hash(key), col(LoginThrottle.failures) > 0)
        .values(failures=0, locked_until=None)
    )
