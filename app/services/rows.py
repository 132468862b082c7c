"""Row helpers the services share: a guarded add, and a link table read by parent.

`add_unique` adds a row that a unique constraint guards, when two requests may race to add it;
`linked_ids` reads the ids a link table pairs with each of several parents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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


def linked_ids(session: Session, parent: Any, child: Any, ids: list[int]) -> dict[int, list[int]]:
    """For each of `ids`, the `child` ids a link table pairs with it as `parent`, in order."""
    linked: dict[int, list[int]] = {i: [] for i in ids}
    query = select(parent, child).where(col(parent).in_(ids)).order_by(col(child))
    for parent_id, child_id in session.exec(query).all():
        linked[parent_id].append(child_id)
    return linked
