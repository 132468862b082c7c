"""The export's codebook is made from the tables' declarations and the shared vocabulary."""

from __future__ import annotations

from app import i18n
from app.models.vocabulary import Verb, label_of
from app.services.research import EXPORT_TABLES, TABLES


def _field(table_name: str, field_name: str) -> dict[str, object]:
    [table] = [t for t in EXPORT_TABLES if t.name == table_name]
    [found] = [f for f in table.resource()["schema"]["fields"] if f["name"] == field_name]
    return found


def test_the_codebook_lists_every_verb_with_its_english_label_whatever_the_language() -> None:
    with i18n.use_language("nb"):
        categories = _field("participation_events", "verb")["categories"]
    with i18n.use_language("en"):
        expected = [{"value": verb.value, "label": label_of(verb)} for verb in Verb]
    assert categories == expected
    assert {"value": "posted_need", "label": "Posted a need"} in categories


def test_every_table_is_declared_once_with_a_described_column_for_each_field() -> None:
    assert tuple(t.name for t in EXPORT_TABLES) == TABLES
    for table in EXPORT_TABLES:
        names = [c.name for c in table.columns]
        assert len(names) == len(set(names)), table.name
        assert all(c.description for c in table.columns), table.name
        assert set(table.primary_key) <= set(names), table.name
