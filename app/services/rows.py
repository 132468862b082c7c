"""Adding a row that a unique constraint guards, when two requests may race to add it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.services.errors import Conflict

Row = TypeVar("Row")


def add_unique(session: Session, row: Row, *, conflict: str | Callable[[], str]) -> Row:
    """Add and flush `row` in a savepoint; if a concurrent twin got there first, answer 409.

    The caller has already looked for the twin; this catches the one committed in between, and
    keeps the transaction usable. `conflict` is the message, or a function that finds it once
    the savepoint is rolled back (when which rule was hit depends on what is there now).
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(conflict if isinstance(conflict, str) else conflict()) from None
    return row
