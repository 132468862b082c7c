"""Reads the versioned capability model (`model-vN.toml`) into frozen dataclasses.

The files are data, not code: every version stays in the repository so that a round answered on
version 1 is still read against version 1 after version 2 is added. The JSON Schema beside the
files (`model.schema.json`) is checked in the tests; this loader checks what the code relies on
(the file's version matches its name, five levels per indicator, unique keys) and fails loudly
otherwise.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app import i18n

MODEL_DIR = Path(__file__).parent
SCHEMA_PATH = MODEL_DIR / "model.schema.json"
LANGUAGES: tuple[str, ...] = ("nb", "nn", "en")
LEVELS = 5
_FILE = re.compile(r"^model-v([1-9][0-9]*)\.toml$")


class ModelFileError(ValueError):
    """A model file is missing or does not have the shape the code relies on."""


@dataclass(frozen=True, slots=True)
class Text:
    """One text in bokmål, nynorsk and English."""

    nb: str
    nn: str
    en: str

    def in_(self, language: str) -> str:
        """The text in `language`, falling back to bokmål for an unknown language."""
        return str(getattr(self, language)) if language in LANGUAGES else self.nb


@dataclass(frozen=True, slots=True)
class Indicator:
    """One question of the self-assessment, with what each of its five levels looks like."""

    key: str
    title: Text
    question: Text
    levels: tuple[Text, ...]
    measures: tuple[Text, ...]

    def level(self, level: int) -> Text:
        """The description of `level` (1 to 5) for this indicator."""
        if not 1 <= level <= LEVELS:
            raise ValueError(f"level must be 1 to {LEVELS}, not {level}")
        return self.levels[level - 1]


@dataclass(frozen=True, slots=True)
class Dimension:
    """A group of related indicators, e.g. anchoring or participation."""

    key: str
    title: Text
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """One of FORAN's three levels: process, organisation or ecosystem."""

    key: str
    title: Text
    dimensions: tuple[Dimension, ...]


@dataclass(frozen=True, slots=True)
class Model:
    """One version of the capability model."""

    version: int
    title: Text
    scale: tuple[Text, ...]
    groups: tuple[Group, ...]

    def dimensions(self) -> Iterator[Dimension]:
        """Every dimension, in the file's order."""
        for group in self.groups:
            yield from group.dimensions

    def indicators(self) -> Iterator[Indicator]:
        """Every indicator, in the file's order."""
        for dimension in self.dimensions():
            yield from dimension.indicators

    def indicator(self, key: str) -> Indicator:
        """The indicator with `key`; KeyError if this version has none."""
        for indicator in self.indicators():
            if indicator.key == key:
                return indicator
        raise KeyError(key)

    def dimension_of(self, indicator_key: str) -> Dimension:
        """The dimension that holds the indicator `indicator_key`; KeyError if none does."""
        for dimension in self.dimensions():
            if any(i.key == indicator_key for i in dimension.indicators):
                return dimension
        raise KeyError(indicator_key)


def available_versions(directory: Path = MODEL_DIR) -> list[int]:
    """The model versions kept in `directory`, oldest first."""
    found = (_FILE.match(path.name) for path in directory.iterdir())
    return sorted(int(match.group(1)) for match in found if match)


def model_path(version: int, directory: Path = MODEL_DIR) -> Path:
    """Where version `version` of the model lives."""
    return directory / f"model-v{version}.toml"


def load_model(version: int | None = None, directory: Path = MODEL_DIR) -> Model:
    """The model in `version`, or the latest version kept when none is given."""
    if version is None:
        versions = available_versions(directory)
        if not versions:
            raise ModelFileError(f"no model-vN.toml in {directory}")
        version = versions[-1]
    return _load(version, directory)


class KeyTitles(Mapping[str, str]):
    """Every dimension's and indicator's title by key, in the current language, read from the
    newest model version that has the key (keys keep their meaning across versions): what the
    audit log shows for a recorded key."""

    def _titles(self) -> dict[str, Text]:
        found: dict[str, Text] = {}
        for version in available_versions():
            model = load_model(version)
            for dimension in model.dimensions():
                found[dimension.key] = dimension.title
                for indicator in dimension.indicators:
                    found[indicator.key] = indicator.title
        return found

    def __getitem__(self, key: str) -> str:
        return self._titles()[key].in_(i18n.current_language())

    def __iter__(self) -> Iterator[str]:
        return iter(self._titles())

    def __len__(self) -> int:
        return len(self._titles())


def read_raw(version: int, directory: Path = MODEL_DIR) -> dict[str, Any]:
    """The model file of `version` as parsed TOML, e.g. to validate it against the schema."""
    path = model_path(version, directory)
    if not path.is_file():
        raise ModelFileError(f"no model version {version} in {directory}")
    with path.open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=16)
def _load(version: int, directory: Path) -> Model:
    raw = read_raw(version, directory)
    if raw.get("version") != version:
        raise ModelFileError(f"{model_path(version, directory)} says version {raw.get('version')}")
    try:
        model = Model(
            version=version,
            title=_text(raw["title"]),
            scale=_scale(raw["scale"], version),
            groups=tuple(_group(group) for group in raw["groups"]),
        )
    except (KeyError, TypeError) as error:
        raise ModelFileError(f"model version {version} is malformed: {error!r}") from error
    _check(model)
    return model


def _text(raw: dict[str, Any]) -> Text:
    return Text(nb=raw["nb"], nn=raw["nn"], en=raw["en"])


def _scale(raw: list[dict[str, Any]], version: int) -> tuple[Text, ...]:
    if [step["level"] for step in raw] != list(range(1, LEVELS + 1)):
        raise ModelFileError(f"model version {version}: the scale must list levels 1 to {LEVELS}")
    return tuple(_text(step) for step in raw)


def _group(raw: dict[str, Any]) -> Group:
    dimensions = tuple(_dimension(d) for d in raw["dimensions"])
    return Group(key=raw["key"], title=_text(raw["title"]), dimensions=dimensions)


def _dimension(raw: dict[str, Any]) -> Dimension:
    indicators = tuple(_indicator(i) for i in raw["indicators"])
    return Dimension(key=raw["key"], title=_text(raw["title"]), indicators=indicators)


def _indicator(raw: dict[str, Any]) -> Indicator:
    return Indicator(
        key=raw["key"],
        title=_text(raw["title"]),
        question=_text(raw["question"]),
        levels=tuple(_text(level) for level in raw["levels"]),
        measures=tuple(_text(measure) for measure in raw["measures"]),
    )


def _check(model: Model) -> None:
    keys = [g.key for g in model.groups] + [d.key for d in model.dimensions()]
    keys += [i.key for i in model.indicators()]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ModelFileError(f"model version {model.version}: keys used twice: {duplicates}")
    for indicator in model.indicators():
        if len(indicator.levels) != LEVELS or not indicator.measures:
            raise ModelFileError(
                f"model version {model.version}: {indicator.key} needs {LEVELS} levels "
                "and at least one measure"
            )
