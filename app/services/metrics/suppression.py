"""Disclosure control: what a figure shows a reader of the aggregate view.

Every row that counts fewer than `MIN_CELL` people is blanked, and one more beside a lone
blanked row; totals over several projects are blanked wherever one project's own figure is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.services.metrics.schemas import Figure

MIN_CELL = 5  # the public view suppresses every cell that counts fewer people than this

# Columns that name a group rather than count anything (never suppressed).
DIMENSIONS = frozenset(
    {
        "role",
        "organisation_kind",
        "organisation_id",
        "organisation",
        "phase",
        "week",
        "actor",
        "addressee",
        "exchange",
        "author_role",
        "project_id",
        "title",
        "innovation_ambition",
        "visibility",
        "measure",
        "kind",
    }
)


@dataclass(frozen=True)
class FigureKind:
    """What a figure is: its key, label, research question, method and columns."""

    key: str
    label: str
    research_question: int
    method: str
    columns: tuple[str, ...]


def figure(
    kind: FigureKind,
    rows: Sequence[dict[str, Any]],
    *,
    aggregate: bool,
    people: str = "participants",
    columns: Sequence[str] | None = None,
) -> Figure:
    """A figure; in the aggregate view every row counting fewer than MIN_CELL people is blanked.

    `people` names the value that counts people in each row (it is left out of the shown row
    when it is not one of the columns); `columns` replaces the kind's own when given.
    """
    shown_columns = list(kind.columns if columns is None else columns)
    blank = set()
    if aggregate:
        counts = [row.get(people) for row in rows]
        blank = {i for i, n in enumerate(counts) if n is not None and n < MIN_CELL}
    shown = [{c: row.get(c) for c in shown_columns} for row in rows]
    sizes = [row.get(people) or 0 for row in rows]
    return _with_blanks(
        Figure(
            key=kind.key,
            label=kind.label,
            research_question=kind.research_question,
            method=kind.method,
            columns=shown_columns,
            rows=shown,
        ),
        blank,
        sizes,
    )


def _with_blanks(figure: Figure, blank: set[int], sizes: Sequence[float]) -> Figure:
    """The figure with the given rows' counts blanked, and one more if only one would be.

    A lone blank row could be worked out by subtracting the others from a total shown elsewhere
    (another breakdown of the same contributions); blanking the next smallest row as well
    leaves only the sum of the two to find, which counts at least MIN_CELL people.
    """
    if not blank:
        return figure
    if len(blank) == 1 and len(figure.rows) > 1:
        rest = [i for i in range(len(figure.rows)) if i not in blank]
        blank = blank | {min(rest, key=lambda i: (sizes[i], i))}
    rows = [
        {c: (v if c in DIMENSIONS else None) for c, v in row.items()} if i in blank else row
        for i, row in enumerate(figure.rows)
    ]
    return figure.model_copy(update={"rows": rows, "suppressed": len(blank)})


def _is_blank(figure: Figure, row: dict[str, Any]) -> bool:
    values = [v for c, v in row.items() if c not in DIMENSIONS]
    return bool(values) and all(v is None for v in values)


def _groups(figure: Figure, row: dict[str, Any]) -> tuple[Any, ...]:
    """The group a row counts: its dimensions (a project's id alone in the ambition profile)."""
    if figure.key == "ambition_profile":
        return (row["project_id"],)
    return tuple(row[c] for c in figure.columns if c in DIMENSIONS)


def suppress_where_any(totals: list[Figure], parts: Sequence[Sequence[Figure]]) -> list[Figure]:
    """Totals with every group blanked that some part (one project's figure) has blanked."""
    hidden: dict[str, set[tuple[Any, ...]]] = {}
    for figures_of_part in parts:
        for figure in figures_of_part:
            for row in figure.rows:
                if _is_blank(figure, row):
                    hidden.setdefault(figure.key, set()).add(_groups(figure, row))
    result = []
    for figure in totals:
        groups = hidden.get(figure.key, set())
        blank = {
            i
            for i, row in enumerate(figure.rows)
            if _is_blank(figure, row) or _groups(figure, row) in groups
        }
        sizes = [_size(figure, row) for row in figure.rows]
        result.append(_with_blanks(figure, blank, sizes))
    return result


def _size(figure: Figure, row: dict[str, Any]) -> float:
    """How large a shown row is, to pick the smallest for complementary blanking."""
    if row.get("participants") is not None:
        return float(row["participants"])
    numbers = [v for c, v in row.items() if c not in DIMENSIONS and isinstance(v, int | float)]
    return float(numbers[0]) if numbers else 0.0
