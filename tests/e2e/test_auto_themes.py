"""Automatic themes in a real browser: the needs list of a demo project filters by one of its
automatic themes from the filter form (a plain GET form), axe-clean, no sideways scroll at 320."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_fits_and_accessible

pytestmark = pytest.mark.browser

HOME_CARE = "/projects/1"


def test_the_needs_list_filters_by_an_automatic_theme(new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(HOME_CARE)
    select = page.get_by_label("Automatisk tema")
    options = select.locator("option")
    assert options.count() >= 2
    chosen = options.nth(1)
    label, value = chosen.text_content() or "", chosen.get_attribute("value")
    select.select_option(value)
    page.get_by_role("button", name="Vis behov").click()
    page.wait_for_url(f"**group={value}**")
    expect(page.get_by_label("Automatisk tema")).to_have_value(value or "")
    count = int(label.rsplit("(", 1)[1].rstrip(")"))
    expect(page.locator("#needs-results li.need-card")).to_have_count(count)
    assert_fits_and_accessible(page)
