"""Languages in a real browser: a nynorsk browser gets nynorsk; under the English interface the
people's Norwegian text keeps its own language, so screen readers pronounce it right."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.helpers import PROCURER, assert_accessible, assert_fits_and_accessible

pytestmark = pytest.mark.browser

HOME_CARE = "/projects/1"  # demo: a Trondheim project in the needs phase, written in bokmål


def test_under_the_english_interface_a_needs_text_is_marked_bokmal(
    new_page: Callable[..., Page],
) -> None:
    page = new_page()
    page.goto(HOME_CARE)
    page.locator(".site-menu summary").click()  # the language form is in the header's menu
    page.select_option("#language-select", "en")
    page.click(".language-form button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    need = page.locator("#needs-list > li h3").first
    expect(need).to_have_attribute("lang", "nb")
    need.locator("a").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1").first).to_have_attribute("lang", "nb")
    expect(page.locator(".need-text .prose").first).to_have_attribute("lang", "nb")
    assert_accessible(page)


def test_a_nynorsk_browser_gets_the_nynorsk_interface(
    browser: Browser, server_url: str, problems: PageProblems
) -> None:
    context = problems.watch(browser.new_context(base_url=server_url, locale="nn-NO"))
    try:
        page = context.new_page()
        page.goto(HOME_CARE)
        expect(page.locator("html")).to_have_attribute("lang", "nn")
        expect(page.locator("#language-select")).to_have_value("nn")
    finally:
        context.close()


def test_the_language_and_look_settings_are_accessible_and_fit_a_phone(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(PROCURER)  # the demo's Trondheim procurer administers the municipality
    self_assessment = page.locator("header a[href$='/maturity']").first.get_attribute("href")
    assert self_assessment is not None
    page.goto(self_assessment.removesuffix("/maturity") + "/people")
    expect(page.locator("#look-form")).to_be_visible()
    expect(page.locator("#logo-form")).to_be_visible()
    assert_fits_and_accessible(page)
