"""The capability model is data: every kept version validates, reads, and keeps its keys.

The schema is checked with a real validator, `jsonschema` (Draft 2020-12), which is already a test
dependency; the fixtures under `tests/maturity/fixtures/` are two tiny versions of a model so that
reading an explicit older version is tested even while the app ships only version 1.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.maturity.model import (
    LANGUAGES,
    MODEL_DIR,
    SCHEMA_PATH,
    ModelFileError,
    Text,
    available_versions,
    load_model,
    read_raw,
)

FIXTURES = Path(__file__).parent / "fixtures"
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SHIPPED = available_versions()


def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _raw_indicators(raw: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for g in raw["groups"] for d in g["dimensions"] for i in d["indicators"]]


def test_the_app_ships_at_least_version_one() -> None:
    assert SHIPPED[0] == 1


@pytest.mark.parametrize(
    ("directory", "version"),
    [(MODEL_DIR, v) for v in SHIPPED] + [(FIXTURES, v) for v in available_versions(FIXTURES)],
)
def test_every_kept_version_validates_against_the_schema(directory: Path, version: int) -> None:
    errors = [e.message for e in _validator().iter_errors(read_raw(version, directory))]
    assert errors == []


def test_the_schema_rejects_a_level_missing_in_nynorsk() -> None:
    raw = read_raw(1)
    del _raw_indicators(raw)[0]["levels"][2]["nn"]
    assert not _validator().is_valid(raw)


def test_the_schema_rejects_four_levels_and_no_measures() -> None:
    raw = read_raw(1)
    indicator = _raw_indicators(raw)[0]
    indicator["levels"].pop()
    indicator["measures"] = []
    messages = [e.message for e in _validator().iter_errors(raw)]
    assert len(messages) == 2


@pytest.mark.parametrize("version", SHIPPED)
def test_every_indicator_has_five_levels_and_a_measure_in_all_three_languages(
    version: int,
) -> None:
    model = load_model(version)
    for indicator in model.indicators():
        assert len(indicator.levels) == 5, indicator.key
        assert 1 <= len(indicator.measures) <= 3, indicator.key
        texts = [indicator.title, indicator.question, *indicator.levels, *indicator.measures]
        for text in texts:
            for language in LANGUAGES:
                assert text.in_(language).strip(), (indicator.key, language)
        # Five different descriptions, not one pasted five times.
        assert len({level.en for level in indicator.levels}) == 5, indicator.key


@pytest.mark.parametrize("version", SHIPPED)
def test_keys_are_unique_and_snake_case(version: int) -> None:
    model = load_model(version)
    keys = [g.key for g in model.groups] + [d.key for d in model.dimensions()]
    keys += [i.key for i in model.indicators()]
    assert len(keys) == len(set(keys))
    assert [key for key in keys if not SNAKE_CASE.match(key)] == []


@pytest.mark.parametrize("version", SHIPPED)
def test_forans_three_levels_are_all_present(version: int) -> None:
    model = load_model(version)
    assert [group.key for group in model.groups] == ["process", "organisation", "ecosystem"]
    for dimension in model.dimensions():
        assert 2 <= len(dimension.indicators) <= 4, dimension.key


def test_version_one_covers_the_topics_of_the_issue() -> None:
    keys = {i.key for i in load_model(1).indicators()}
    assert {
        "need_discovery",
        "market_dialogue",
        "procedure_choice",
        "contract_and_benefits",
        "strategy_anchoring",
        "leadership_mandate",
        "roles",
        "cross_disciplinary_teams",
        "competence",
        "learning_from_projects",
        "benefit_realisation",
        "supplier_relations",
        "municipal_collaboration",
        "research_partners",
        "employee_participation",
        "citizen_participation",
    } <= keys


def test_an_indicator_key_never_moves_to_another_dimension_across_versions() -> None:
    for directory in (MODEL_DIR, FIXTURES):
        homes: dict[str, str] = {}
        for version in available_versions(directory):
            model = load_model(version, directory)
            for indicator in model.indicators():
                home = model.dimension_of(indicator.key).key
                assert homes.setdefault(indicator.key, home) == home, (version, indicator.key)


def test_the_latest_version_is_loaded_by_default() -> None:
    assert load_model().version == SHIPPED[-1]
    assert load_model(directory=FIXTURES).version == 2


def test_an_explicit_older_version_reads_as_it_was_answered() -> None:
    old = load_model(1, FIXTURES)
    new = load_model(2, FIXTURES)
    assert old.version == 1
    assert [i.key for i in old.indicators()] == ["need_discovery", "market_dialogue"]
    assert old.indicator("need_discovery").title.en == "Need en"
    assert new.indicator("need_discovery").title.en == "Discovering the need en"
    assert len(new.indicator("need_discovery").measures) == 2
    with pytest.raises(KeyError):
        old.indicator("user_testing")


def test_a_version_that_is_not_kept_is_an_error() -> None:
    with pytest.raises(ModelFileError):
        load_model(99)


def test_a_file_whose_version_differs_from_its_name_is_refused(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "model-v1.toml", tmp_path / "model-v3.toml")
    with pytest.raises(ModelFileError, match="says version 1"):
        load_model(3, tmp_path)


def test_an_indicator_with_four_levels_is_refused_by_the_loader(tmp_path: Path) -> None:
    text = (FIXTURES / "model-v1.toml").read_text(encoding="utf-8")
    broken = re.sub(r"\s*\{[^}]*need_discovery level 5[^}]*\},", "", text, count=1)
    assert broken != text
    (tmp_path / "model-v1.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(ModelFileError, match="need_discovery needs 5 levels"):
        load_model(1, tmp_path)


def test_level_descriptions_are_numbered_from_one_to_five() -> None:
    indicator = load_model(1).indicator("market_dialogue")
    assert indicator.level(1) == indicator.levels[0]
    assert indicator.level(5) == indicator.levels[4]
    with pytest.raises(ValueError):
        indicator.level(0)


def test_a_text_falls_back_to_bokmaal_for_an_unknown_language() -> None:
    text = Text(nb="hei", nn="hei nn", en="hello")
    assert (text.in_("nn"), text.in_("en"), text.in_("de")) == ("hei nn", "hello", "hei")


def test_a_scale_out_of_order_is_refused_by_the_loader(tmp_path: Path) -> None:
    text = (FIXTURES / "model-v1.toml").read_text(encoding="utf-8")
    (tmp_path / "model-v1.toml").write_text(text.replace("level = 2", "level = 4", 1))
    with pytest.raises(ModelFileError, match="levels 1 to 5"):
        load_model(1, tmp_path)


def test_the_scale_runs_from_ad_hoc_to_continuously_improved() -> None:
    scale = load_model(1).scale
    assert (scale[0].en, scale[4].en) == ("Ad hoc", "Integrated and continuously improved")
