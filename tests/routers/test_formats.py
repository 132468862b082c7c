"""Dates, weeks, file types and sizes read the way people write them, in bokmål and English:
"27. okt. 2026 kl. 09.00" and "uke 39", "PDF-dokument, 45 byte", never "W39" or
"(application/pdf, 45 B)"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app import i18n
from app.services.uploads import ACCEPTED_LABEL, describe
from tests.conftest import World, login
from tests.helpers import PDF, Api, uploaded

AUTUMN_MORNING = datetime(2026, 10, 27, 8, 0, tzinfo=UTC)  # 09.00 in Oslo (winter time)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nb", "27. okt. 2026 kl. 09.00"), ("en", "27 Oct 2026, 09:00")],
)
def test_a_moment_reads_the_language_s_way_in_norwegian_time(lang: str, expected: str) -> None:
    with i18n.use_language(lang):
        assert i18n.format_time(AUTUMN_MORNING) == expected


@pytest.mark.parametrize(("lang", "expected"), [("nb", "3. mai 2026"), ("en", "3 May 2026")])
def test_a_day_reads_the_language_s_way(lang: str, expected: str) -> None:
    with i18n.use_language(lang):
        assert i18n.format_day(date(2026, 5, 3)) == expected


@pytest.mark.parametrize(
    ("lang", "long", "short"),
    [("nb", "uke 39, 2026", "uke 39"), ("en", "week 39, 2026", "week 39")],
)
def test_a_week_is_named_as_people_say_it(lang: str, long: str, short: str) -> None:
    with i18n.use_language(lang):
        assert i18n.format_week("2026-W39") == long
        assert i18n.format_week(date(2026, 9, 24), with_year=False) == short
        assert i18n.format_week("2027-W01", with_year=False) == short.replace("39", "1")


@pytest.mark.parametrize(
    ("lang", "content_type", "size", "expected"),
    [
        ("nb", "application/pdf", 45, "PDF-dokument, 45 byte"),
        ("nb", "application/pdf", 1, "PDF-dokument, 1 byte"),
        (
            "nb",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            1_234_567,
            "Word-dokument, 1,2 MB",
        ),
        ("nb", "text/plain", 12_300, "Tekstfil, 12,3 kB"),
        ("nb", "application/x-unknown", 2000, "Fil, 2 kB"),
        ("en", "application/pdf", 45, "PDF document, 45 bytes"),
        ("en", "image/png", 1_500_000, "PNG image, 1.5 MB"),
    ],
)
def test_a_file_is_described_in_words(
    lang: str, content_type: str, size: int, expected: str
) -> None:
    with i18n.use_language(lang):
        assert describe(content_type, size) == expected


def test_the_documents_page_names_a_file_s_type_and_size_in_words(
    client: TestClient, api: Api, world: World
) -> None:
    uploaded(
        api, world.procurer, world.public.id, title="Referat"
    )  # a draft, shown to the procurers
    login(client, world.procurer)
    page = re.sub(r"\s+", " ", client.get(f"/projects/{world.public.id}/documents").text)
    assert f"PDF-dokument, {len(PDF)} byte" in page
    assert "application/pdf" not in page and "kB" not in page
    assert "PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument eller tekstfiler" in page
    assert "plain text" not in page


def test_the_accepted_kinds_are_named_in_the_reader_s_language() -> None:
    with i18n.use_language("nb"):
        assert str(ACCEPTED_LABEL).endswith("eller tekstfiler")
    with i18n.use_language("en"):
        assert str(ACCEPTED_LABEL).endswith("or text files")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nb", "27. okt. 2026 kl. 09.00–09.30"), ("en", "27 Oct 2026, 09:00–09:30")],
)
def test_a_meeting_within_a_day_names_the_day_once(lang: str, expected: str) -> None:
    with i18n.use_language(lang):
        assert (
            i18n.format_period(AUTUMN_MORNING, AUTUMN_MORNING + timedelta(minutes=30)) == expected
        )


def test_a_period_over_several_days_names_both_in_full() -> None:
    with i18n.use_language("nb"):
        two_days = i18n.format_period(AUTUMN_MORNING, AUTUMN_MORNING + timedelta(days=2))
    assert two_days == "27. okt. 2026 kl. 09.00 – 29. okt. 2026 kl. 09.00"
