"""Nynorsk: the nn catalogue translates every message of the bokmål catalogue, keeps every
placeholder, and reads as nynorsk rather than bokmål copied across."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from app import i18n

LOCALE_DIR = Path(__file__).resolve().parent.parent / "app" / "locale"
# %(name)s, a literal %%, {name}, an HTML tag, Markdown emphasis and code.
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]|%%|\{[^{}]*\}|<[^>]+>|\*\*|`")
# Words that are bokmål and never nynorsk; one of them in a translation means bokmål slipped in.
BOKMAL_ONLY = re.compile(
    r"\b(ikke|hva|hvem|hvis|hvordan|hvorfor|jeg|dere|noen|noe|bare|også|fra|ennå|mye|"
    r"tjenesten|tjenester|virksomhet|bedrift|bedriften|innkjøper|innkjøpere|innbygger|"
    r"innbyggere|forskning|lenken|kobling|koblingen|sikkerhet|være|gjøre)\b",
    re.IGNORECASE,
)


def _read(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.fixture(scope="module")
def bokmal() -> Catalog:
    """The bokmål catalogue, whose messages nynorsk must cover."""
    return _read("nb")


@pytest.fixture(scope="module")
def nynorsk() -> Catalog:
    """The nynorsk catalogue."""
    return _read("nn")


def _forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _edges(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def test_nynorsk_catalogue_declares_its_language_and_plural_rule(nynorsk: Catalog) -> None:
    headers = dict(nynorsk.mime_headers)
    assert headers["Language"] == "nn"
    assert headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_every_bokmal_message_has_a_nynorsk_translation(bokmal: Catalog, nynorsk: Catalog) -> None:
    problems = []
    for message in bokmal:
        if not message.id:
            continue
        entry = nynorsk.get(message.id)
        if entry is None or entry.fuzzy or not all(_forms(entry.string)):
            problems.append(f"{message.id!r}: not translated into nynorsk (or fuzzy)")
        elif len(_forms(entry.string)) != len(_forms(message.string)):
            problems.append(f"{message.id!r}: {len(_forms(entry.string))} plural forms")
    assert not problems, "\n".join(problems)


def test_nynorsk_has_no_messages_bokmal_lacks(bokmal: Catalog, nynorsk: Catalog) -> None:
    stale = [message.id for message in nynorsk if message.id and bokmal.get(message.id) is None]
    assert not stale


def test_nynorsk_keeps_placeholders_markup_and_edges(nynorsk: Catalog) -> None:
    problems = []
    for message in nynorsk:
        if not message.id:
            continue
        originals = _forms(message.id)
        for index, translation in enumerate(_forms(message.string)):
            original = originals[min(index, len(originals) - 1)]
            if sorted(PLACEHOLDER.findall(original)) != sorted(PLACEHOLDER.findall(translation)):
                problems.append(f"{original!r} -> {translation!r}: placeholders differ")
            if "%" in re.sub(r"%\(\w+\)[a-z]", "", translation).replace("%%", ""):
                problems.append(f"{translation!r}: stray %")
            if _edges(original) != _edges(translation):
                problems.append(f"{original!r} -> {translation!r}: leading/trailing space")
    assert not problems, "\n".join(problems)


def test_nynorsk_translations_contain_no_bokmal_only_words(nynorsk: Catalog) -> None:
    leaks = []
    for message in nynorsk:
        for translation in _forms(message.string) if message.id else []:
            text = re.sub(r"%\(\w+\)[a-z]", "", translation)
            if found := BOKMAL_ONLY.findall(text):
                leaks.append(f"{translation!r}: {found}")
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize(
    ("english", "nynorsk_text"),
    [
        ("Log in", "Logg inn"),
        ("Log out", "Logg ut"),
        ("Needs", "Behov"),
        ("Procurer", "Innkjøpar"),
        ("Citizen", "Innbyggjar"),
        ("Employee", "Tilsett"),
        ("Supplier company", "Leverandørverksemd"),
        ("Self-assessment", "Eigenvurdering"),
        ("Questions and answers", "Spørsmål og svar"),
        ("Research studies", "Forskingsstudiar"),
        ("Dialogue events", "Dialogmøte"),
        ("Trace links", "Sporingslenkjer"),
        ("Registered suppliers", "Påmelde leverandørar"),
        ("Something went wrong", "Noko gjekk gale"),
        ("Your name cannot be blank.", "Namnet ditt kan ikkje stå tomt."),
    ],
)
def test_well_known_messages_read_as_nynorsk(english: str, nynorsk_text: str) -> None:
    assert i18n.catalog("nn").gettext(english) == nynorsk_text


def test_nynorsk_plural_forms_follow_the_count() -> None:
    translations = i18n.catalog("nn")
    assert translations.ngettext("%(num)d comment", "%(num)d comments", 1) == "%(num)d kommentar"
    assert translations.ngettext("%(num)d comment", "%(num)d comments", 2) == "%(num)d kommentarar"
    assert translations.ngettext("%(num)d support", "%(num)d supports", 0) == "%(num)d støtter"
