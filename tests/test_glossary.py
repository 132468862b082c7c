"""One term per concept: no catalogue translates with a word the glossary (docs/glossary.md)
says to avoid, such as "bedrift" or "firma" for a supplier's company (the term is "virksomhet")."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
LANGUAGE_NAMES = {"nb": "bokmål", "nn": "nynorsk"}


def avoided_words(language: str) -> dict[str, str]:
    """The words the glossary's tables say to avoid in a language, each with its concept."""
    avoided: dict[str, str] = {}
    column: int | None = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0].startswith("concept"):
            heading = f"avoid ({LANGUAGE_NAMES[language]})"
            column = cells.index(heading) if heading in cells else None
        elif column is not None and not set(cells[0]) <= {"-"}:
            for word in filter(None, (w.strip() for w in cells[column].split(","))):
                avoided[word.lower()] = cells[0]
    return avoided


def translations(language: str) -> list[tuple[str, str]]:
    """Every (message id, translation) of a language's catalogue."""
    path = ROOT / "app" / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    found = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ident = message.id if isinstance(message.id, str) else message.id[0]
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        found.extend((ident, form) for form in forms)
    return found


def test_the_glossary_names_the_words_to_avoid() -> None:
    assert avoided_words("nb")["bedrift"].startswith("a supplier's organisation")
    assert {"bedrift", "firma"} <= set(avoided_words("nn"))


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_no_translation_uses_a_word_the_glossary_avoids(language: str) -> None:
    if not (ROOT / "app" / "locale" / language).exists():
        pytest.skip(f"no {language} catalogue yet")
    avoided = avoided_words(language)
    offending = [
        f"{ident!r}: {text!r} uses {word!r} ({concept}; see docs/glossary.md)"
        for ident, text in translations(language)
        for word, concept in avoided.items()
        if word in text.lower()
    ]
    assert not offending, "\n".join(offending)
