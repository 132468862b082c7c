"""Translations: bokmål and nynorsk cover every message in the source, and pages and errors
speak the visitor's language (bokmål by default; nynorsk or English by cookie or browser).

English is the source language: message ids are English and `en` has no catalog of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app import i18n
from app.models.base import Role
from tests.conftest import Factory

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "app" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]")


def _read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def template() -> Catalog:
    """The extracted messages (app/locale/messages.pot)."""
    return _read_catalog(LOCALE_DIR / "messages.pot")


@pytest.fixture(scope="module")
def bokmal() -> Catalog:
    """The bokmål catalog."""
    return _read_catalog(LOCALE_DIR / "nb" / "LC_MESSAGES" / "messages.po", locale="nb")


def _forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _placeholder_problem(original: str, translation: str) -> str | None:
    """What is wrong with the translation's %(name)s placeholders, if anything."""
    if set(PLACEHOLDER.findall(original)) != set(PLACEHOLDER.findall(translation)):
        return "placeholders differ"
    # Jinja's newstyle gettext %-formats every translation, so a lone % would break the page.
    if "%" in PLACEHOLDER.sub("", translation).replace("%%", ""):
        return "stray %"
    return None


def _makefile_keywords() -> list[str]:
    """The -k keywords of `pybabel extract` in the Makefile's `translations` target."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\ntranslations:", 1)[1]
    extract = target.split("pybabel update", 1)[0]
    return re.findall(r"-k (\S+)", extract)


def _extract_from_source() -> dict[str, str]:
    """Every message id in the source as `make translations` finds it, with where it was found."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = parse_keywords(_makefile_keywords())
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_bokmal_catalog_declares_its_language_and_plural_rule(bokmal: Catalog) -> None:
    headers = dict(bokmal.mime_headers)
    assert headers["Language"] == "nb"
    assert headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_every_extracted_message_has_a_bokmal_translation_with_the_same_placeholders(
    template: Catalog, bokmal: Catalog
) -> None:
    problems = []
    for message in template:
        if not message.id:
            continue
        entry = bokmal.get(message.id)
        if entry is None or entry.fuzzy or not all(_forms(entry.string)):
            problems.append(f"{message.id!r}: not translated (or fuzzy)")
            continue
        originals, translations = _forms(message.id), _forms(entry.string)
        if len(translations) != len(originals):
            problems.append(f"{message.id!r}: {len(translations)} forms, expected 2")
            continue
        for original, translation in zip(originals, translations, strict=True):
            if problem := _placeholder_problem(original, translation):
                problems.append(f"{original!r} -> {translation!r}: {problem}")
    assert not problems, "\n".join(problems)


def test_every_message_in_the_source_is_in_the_bokmal_catalog(bokmal: Catalog) -> None:
    found = _extract_from_source()
    # The extraction really ran: a template plural and a service error are among the messages.
    assert "%(num)d support" in found
    assert "Wrong e-mail or password." in found
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in found.items()
        if (entry := bokmal.get(msgid)) is None or entry.fuzzy or not all(_forms(entry.string))
    ]
    assert not missing, (
        "Not translated into bokmål; run `make translations` and fill in "
        "app/locale/nb/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


# Every interface language but English (the source language) has a catalogue of its own.
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != "en"]


def test_every_catalogue_is_an_interface_language() -> None:
    found = {path.parent.parent.name for path in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")}
    assert found <= set(i18n.LANGUAGES) - {"en"}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalogue_translates_every_message_in_the_source(lang: str) -> None:
    catalogue = _read_catalog(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", locale=lang)
    assert dict(catalogue.mime_headers)["Language"] == lang
    problems = []
    for msgid, where in _extract_from_source().items():
        entry = catalogue.get(msgid)
        if entry is None or entry.fuzzy or not all(_forms(entry.string)):
            problems.append(f"{where}: {msgid!r}: not translated (or fuzzy)")
            continue
        for original, translation in zip(_forms(entry.id), _forms(entry.string), strict=False):
            if problem := _placeholder_problem(original, translation):
                problems.append(f"{where}: {original!r} -> {translation!r}: {problem}")
    assert not problems, f"Not translated into {lang}:\n" + "\n".join(problems)


def test_a_nynorsk_page_speaks_nynorsk(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machinery, whatever the real catalogue says: a tiny one in a folder of its own."""
    po = tmp_path / "nn" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nn\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Skip to main content"\nmsgstr "Hopp til hovudinnhaldet"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalog.cache_clear()
    try:
        page = client.get("/", headers={"Accept-Language": "nn-NO"})
        assert '<html lang="nn"' in page.text and "Hopp til hovudinnhaldet" in page.text
    finally:
        i18n.catalog.cache_clear()


def test_bokmal_plural_forms_follow_the_count() -> None:
    with i18n.use_language("nb"):
        assert i18n.ngettext("%(num)d support", "%(num)d supports", 1) == "1 støtte"
        assert i18n.ngettext("%(num)d support", "%(num)d supports", 2) == "2 støtter"
        assert i18n.ngettext("%(num)d comment", "%(num)d comments", 0) == "0 kommentarer"


def test_pages_are_in_bokmal_by_default(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="nb"' in page.text
    assert "Prosjekter for innovative anskaffelser" in page.text
    assert "Innovation procurement projects" not in page.text


def test_language_cookie_switches_pages_to_english(client: TestClient) -> None:
    client.cookies.set("lang", "en")
    page = client.get("/")
    assert '<html lang="en"' in page.text
    assert "Innovation procurement projects" in page.text
    assert "Prosjekter for innovative anskaffelser" not in page.text


def test_browser_language_alone_gives_english(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="en"' in page.text
    assert "Innovation procurement projects" in page.text


def test_api_error_is_in_bokmal_by_default_and_english_by_cookie(
    client: TestClient, factory: Factory
) -> None:
    user = factory.user(Role.citizen)
    wrong = {"username": user.email, "password": "not the password"}

    response = client.post("/api/v1/auth/token", data=wrong)
    assert response.status_code == 401
    assert response.json()["detail"] == "Feil e-postadresse eller passord."

    client.cookies.set("lang", "en")
    response = client.post("/api/v1/auth/token", data=wrong)
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong e-mail or password."
