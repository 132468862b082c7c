"""The map of where a person's data lives is complete: a new table cannot be forgotten."""

from __future__ import annotations

from sqlmodel import SQLModel

import app.models  # noqa: F401  (every table in the metadata)
from app.services.privacy import PERSONAL_DATA

CATEGORIES = ("about", "official", "addressed", "derived")


def _links_to_people() -> dict[str, set[str]]:
    """Every table's columns that reference user.id."""
    found: dict[str, set[str]] = {}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if any(fk.column.table.name == "user" for fk in column.foreign_keys):
                found.setdefault(table.name, set()).add(column.name)
    return found


def test_every_column_that_points_at_a_person_is_exported_or_excluded_with_a_reason() -> None:
    mapped = {held.table: held for held in PERSONAL_DATA}
    missing = []
    for table, columns in sorted(_links_to_people().items()):
        held = mapped.get(table)
        said = set() if held is None else {c for cat in CATEGORIES for c in getattr(held, cat)}
        for column in sorted(columns - said):
            missing.append(f"{table}.{column}")
    assert not missing, (
        "columns referencing user.id that app/services/privacy/personal_data.py does not "
        "classify (about, official, addressed or derived):\n  " + "\n  ".join(missing)
    )


def test_the_map_names_only_real_tables_and_columns() -> None:
    tables = SQLModel.metadata.tables
    for held in PERSONAL_DATA:
        assert held.table in tables, held.table
        columns = tables[held.table].columns
        named = [c for cat in CATEGORIES for c in getattr(held, cat)] + list(held.leave_out)
        assert all(name in columns for name in named), (held.table, named)
        assert held.by_email is None or held.by_email in columns


def test_a_table_is_in_the_map_once() -> None:
    names = [held.table for held in PERSONAL_DATA]
    assert len(names) == len(set(names))


def test_secrets_are_left_out_wherever_they_are_kept() -> None:
    for held in PERSONAL_DATA:
        columns = SQLModel.metadata.tables[held.table].columns
        secret = {c.name for c in columns if c.name.endswith(("_hash", "_secret"))}
        assert secret <= held.hidden, (held.table, secret - held.hidden)
