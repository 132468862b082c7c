"""Idempotent retries: an API write sent again under the same Idempotency-Key (same user, same
route) gets its first answer back instead of writing twice.

The answer is kept in the same transaction as the write, so either both are there or neither.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models.idempotency import KEY_MAX, IdempotentRequest
from app.services.errors import Conflict, Invalid


@dataclass(frozen=True)
class Claim:
    """A write that may be retried: whose, under which key, to where, with which body."""

    user_id: int
    key: str
    route: str
    request_sha256: str


def claim(*, user_id: int, key: str, route: str, body: bytes) -> Claim:
    """The claim of a request carrying an Idempotency-Key (refused if the key is unusable)."""
    if not key.strip() or len(key) > KEY_MAX or not key.isprintable():
        raise Invalid("The Idempotency-Key must be 1 to %(max)s printable characters.", max=KEY_MAX)
    return Claim(user_id, key, route, hashlib.sha256(body).hexdigest())


def stored_answer(session: Session, *, claim: Claim) -> IdempotentRequest | None:
    """The first answer to this claim's key, if any; refused if the key was used for other input."""
    found = session.exec(
        select(IdempotentRequest).where(
            IdempotentRequest.user_id == claim.user_id,
            IdempotentRequest.key == claim.key,
            IdempotentRequest.route == claim.route,
        )
    ).first()
    if found is not None and found.request_sha256 != claim.request_sha256:
        raise Conflict("This Idempotency-Key was already used for a different request.")
    return found


def remember(
    session: Session, *, claim: Claim, status_code: int, media_type: str, body: bytes
) -> None:
    """Keep the answer with the write (flushed: a concurrent twin fails here, not at commit)."""
    session.add(
        IdempotentRequest(
            user_id=claim.user_id,
            key=claim.key,
            route=claim.route,
            request_sha256=claim.request_sha256,
            status_code=status_code,
            media_type=media_type,
            body=body,
        )
    )
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "A request with this Idempotency-Key is being handled; retry later."
        ) from None
