"""A researcher registers a study through the form in a real browser, and both pages pass axe."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.helpers import assert_accessible

pytestmark = pytest.mark.browser

RESEARCHER = "forsker@ntnu.example"


def test_researcher_registers_a_study_and_finds_it_listed(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b422\b")  # the form sent back once, on purpose
    title = f"Medvirkning i nabolaget {secrets.token_hex(3)}"
    page = new_page(RESEARCHER)
    page.locator(".site-menu summary").click()  # the header's menu holds the studies
    page.click("nav a[href='/research/studies']")
    expect(page.locator("h1")).to_have_text("Forskningsstudier")
    assert_accessible(page)

    page.click("main a[href='/research/studies/new']")
    expect(page.locator("#study-form")).to_be_visible()
    assert_accessible(page)
    page.fill("#study-title", title)
    page.fill("#study-institution", "NTNU")
    page.fill("#study-ethics_reference", "Sikt 777001")
    page.check("#study-legal_basis")
    page.fill("#study-period_start", "2030-06-01")
    page.fill("#study-period_end", "2030-01-01")  # before the start
    page.locator("#study-project_ids input[type=checkbox]").first.check()
    page.click("#study-form button[type=submit]")

    error = page.locator("#study-period_end-error")
    expect(error).to_have_text("Perioden må slutte samme dag som den starter eller senere.")
    expect(page.locator("#study-period_end")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#study-title")).to_have_value(title)
    assert_accessible(page)

    page.click("#study-form-errors a[href='#study-period_end']")
    expect(page.locator("#study-period_end")).to_be_focused()
    page.fill("#study-period_end", "2031-12-31")
    page.click("#study-form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/research/studies#study-\d+$"))
    study = page.locator("article", has_text=title)
    expect(study).to_contain_text("Sikt 777001")
    expect(study.get_by_role("link", name="Last ned uttrekket (zip)")).to_be_visible()
    assert_accessible(page)
