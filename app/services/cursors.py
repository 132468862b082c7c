"""Keyset cursors: where the next page of a list starts, as an opaque string in a URL.

A cursor is the last row's sort key and id as URL-safe base64 of JSON. Whatever comes back is
read strictly: a cursor this server did not make is a 422 that says to start over, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from app.i18n import N_
from app.models.base import MAX_ID
from app.services.errors import Invalid

NOT_VALID = N_("This position in the list is not valid; start from the first page.")


def encode(*values: int | str | datetime) -> str:
    """A cursor holding these values (moments as ISO 8601)."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, size: int) -> list[Any]:
    """The `size` values of a cursor (422 if it is not one)."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid(NOT_VALID) from None
    if not isinstance(values, list) or len(values) != size:
        raise Invalid(NOT_VALID)
    return values


def moment(value: object) -> datetime:
    """A timezone-aware moment from a cursor (422 otherwise)."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Invalid(NOT_VALID)
    try:
        # In UTC now: a moment at the edge of the calendar whose offset would carry it past
        # year 1 or 9999 fails here, not when the database column converts it (a 500).
        return parsed.astimezone(UTC)
    except OverflowError:
        raise Invalid(NOT_VALID) from None


def row_id(value: object, *, zero: bool = False) -> int:
    """An id (or with `zero`, a count) from a cursor (422 otherwise)."""
    if type(value) is not int or not (0 if zero else 1) <= value <= MAX_ID:
        raise Invalid(NOT_VALID)
    return value


def past(
    cursor: str, moment_column: Any, id_column: Any, *, newest_first: bool
) -> ColumnElement[bool]:
    """Where a keyset page goes on after `cursor` (a moment and an id, as `encode` made them;
    422 for one this server did not make): the older rows of a list newest first, else the
    later ones; the id breaks ties between rows of the same moment."""
    raw_moment, raw_id = decode(cursor, 2)
    at, at_id = moment(raw_moment), row_id(raw_id)
    if newest_first:
        return or_(moment_column < at, and_(moment_column == at, id_column < at_id))
    return or_(moment_column > at, and_(moment_column == at, id_column > at_id))
