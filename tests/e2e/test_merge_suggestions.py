"""Merge suggestions in a real browser: two needs on one subject are posted; the procurer opens
the second, sees the first suggested as a possible duplicate, and merges it in after ticking the
confirmation box. axe-clean at 1280 and 390 px, no sideways scrolling at 320 px."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import EMPLOYEE, PROCURER, assert_fits_and_accessible

pytestmark = pytest.mark.browser

HOME_CARE = "/projects/1"  # demo: in the needs phase
FIRST = ("Lading av elsykler ved rådhuset", "Ansatte får ikke ladet elsyklene ved rådhuset.")
SECOND = ("Elsykkel-lading ved rådhuset", "Elsyklene kan ikke lades ved rådhuset i dag.")


def post_need(page: Page, title: str, problem: str) -> None:
    page.goto(HOME_CARE)
    page.fill("#need-title", title)
    page.fill("#need-problem", problem)
    page.locator("#need-form > button[type=submit]").click()
    expect(page.locator("#need-form .success")).to_be_visible()


def test_a_procurer_merges_a_suggested_duplicate_after_confirming(
    new_page: Callable[..., Page],
) -> None:
    employee = new_page(EMPLOYEE)
    post_need(employee, *FIRST)
    post_need(employee, *SECOND)

    page = new_page(PROCURER)
    page.goto(f"{HOME_CARE}?q=rådhuset")
    page.get_by_role("link", name=SECOND[0]).first.click()
    section = page.locator("section[aria-labelledby=merge-heading]")
    expect(section.get_by_role("heading", name="Mulige duplikater")).to_be_visible()
    item = section.locator("li", has_text=FIRST[0])
    expect(item).to_be_visible()
    expect(item.get_by_role("button", name="Ikke samme behov")).to_be_visible()
    item.locator("summary", has_text="Slå sammen").click()
    form = item.locator("form.danger-zone")
    expect(form.locator("textarea[name=reason]")).to_have_value(f"Samme behov som «{SECOND[0]}».")
    assert_fits_and_accessible(page)

    # The red button asks for the box first (the browser keeps the form until it is ticked).
    form.get_by_role("button", name="Slå sammen").click()
    expect(page.locator("#merge-heading")).to_be_visible()
    form.get_by_label("Ja, slå det sammen med dette behovet").check()
    form.get_by_role("button", name="Slå sammen").click()
    expect(page.locator(f"a:has-text('{FIRST[0]}')")).to_have_count(0)  # the page again

    page.goto(f"{HOME_CARE}?q=rådhuset")
    page.get_by_role("link", name=FIRST[0]).first.click()
    expect(page.locator(".status")).to_contain_text("Slått sammen")
    expect(page.get_by_text(f"Samme behov som «{SECOND[0]}».")).to_be_visible()
