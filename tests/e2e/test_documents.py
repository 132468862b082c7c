"""Documents in a real browser: accessible pages, an htmx upload, and a publication seen live."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.demo import demo_pdf
from tests.e2e.helpers import (
    CITIZEN,
    LIVE_TIMEOUT,
    PROCURER,
    SUPPLIER,
    assert_accessible,
    assert_not_reloaded,
    open_live,
)

pytestmark = pytest.mark.browser

CARE_HOMES_DOCUMENTS = "/projects/3/documents"  # demo: a public needs description, a hearing


@pytest.mark.parametrize("who", [None, CITIZEN, SUPPLIER, PROCURER])
def test_documents_page_meets_wcag_21_aa(new_page: Callable[..., Page], who: str | None) -> None:
    page = new_page(who)
    page.goto(CARE_HOMES_DOCUMENTS)
    expect(page.locator("#live-viewers")).not_to_be_empty(timeout=LIVE_TIMEOUT)
    expect(page.locator("#documents-list")).to_contain_text("Behovsbeskrivelse")
    hearing = page.locator("#documents-list > li", has_text="Utkast til kravspesifikasjon på")
    expect(hearing).to_have_count(1 if who in (SUPPLIER, PROCURER) else 0)
    assert_accessible(page)


def test_a_published_document_reaches_a_citizen_live(
    new_page: Callable[..., Page], tmp_path: Path
) -> None:
    procurer = new_page(PROCURER)
    citizen = new_page(CITIZEN)
    title = f"Referat fra dialogkonferansen {secrets.token_hex(3)}"
    file = tmp_path / "Referat dialogkonferanse.pdf"
    file.write_bytes(demo_pdf("Referat", ["Spørsmål og svar fra konferansen."]))

    open_live(citizen, CARE_HOMES_DOCUMENTS)
    expect(citizen.locator("#live-viewers")).not_to_be_empty(timeout=LIVE_TIMEOUT)

    # The procurer uploads through the htmx form: a draft, seen by procurers only.
    procurer.goto(CARE_HOMES_DOCUMENTS)
    procurer.set_input_files("#document-file", str(file))
    procurer.fill("#document-title", title)
    procurer.select_option("#document-kind", "minutes")
    procurer.select_option("#document-audience", "public")
    procurer.click("#document-form button[type=submit]")
    card = procurer.locator("#documents-list > li", has_text=title)
    expect(card).to_contain_text("Utkast", timeout=LIVE_TIMEOUT)
    expect(citizen.locator("#documents-list")).not_to_contain_text(title)

    # Publishing shows it to the citizen without a reload, with a download link that works.
    card.get_by_role("button", name=re.compile("^Publiser")).click()
    pushed = citizen.locator("#documents-list > li", has_text=title)
    expect(pushed).to_be_visible(timeout=LIVE_TIMEOUT)
    assert_not_reloaded(citizen)
    href = pushed.get_by_role("link", name=re.compile("^Last ned")).get_attribute("href")
    assert href is not None
    response = citizen.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    assert_accessible(citizen)
