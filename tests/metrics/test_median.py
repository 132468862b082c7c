"""The SQL median the response times use: middle value, or the mean of the two middle ones."""

from __future__ import annotations

from sqlalchemy import literal, union_all
from sqlmodel import Session, select

from app.services.metrics import median_by_group


def test_median_per_group_for_odd_and_even_counts(session: Session) -> None:
    values = [("odd", 5.0), ("odd", 1.0), ("odd", 3.0), ("even", 4.0), ("even", 1.0)]
    values += [("even", 2.0), ("even", 10.0)]
    rows = union_all(
        *(select(literal(g).label("grp"), literal(v).label("v")) for g, v in values)
    ).subquery()
    assert median_by_group(session, rows) == {"odd": (3.0, 3), "even": (3.0, 4)}
