"""The project's tab row in a browser, at 1280 and 390 px: the same row on every project page
for each role, the current tab marked, and on a phone the needs list near the top."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import CITIZEN, PROCURER, SUPPLIER, assert_fits_and_accessible

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
NEEDS_WITHIN = 900  # px from the top of the page to the first need on a 390 px phone


def first_project(page: Page) -> str:
    """The path of the first project on the home page (a demo project with needs)."""
    page.goto("/")
    return urlsplit(page.locator("main h2 a").first.get_attribute("href") or "").path


def tab_row(page: Page) -> list[tuple[str, str]]:
    """(address, text) of each tab on the page."""
    links = page.locator("nav.tabs a")
    return [
        (links.nth(i).get_attribute("href") or "", links.nth(i).inner_text())
        for i in range(links.count())
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("who", [None, CITIZEN, SUPPLIER, PROCURER])
def test_every_tab_shows_the_same_row_with_itself_marked(
    new_page: Callable[..., Page], who: str | None, width: int
) -> None:
    page = new_page(who)
    page.set_viewport_size({"width": width, "height": 900})
    project = first_project(page)
    page.goto(project)
    row = tab_row(page)
    assert row[0][0] == project and "Behov" in row[0][1]
    if who == PROCURER:
        assert len(row) == 7  # the procurer opens every section, the specification too
    else:
        assert f"{project}/specification" not in [href for href, _text in row]
    for href, _text in row:
        page.goto(href)
        expect(page.locator("nav.tabs")).to_have_count(1)
        assert tab_row(page) == row, href
        current = page.locator('nav.tabs a[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_have_attribute("href", href)


def test_needs_come_near_the_top_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = new_page(CITIZEN)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(first_project(page))
    # The needs section's heading (a notice of needs posted meanwhile by others, as the suite's
    # parallel tests do, may sit between it and the first card).
    box = page.locator("#needs-heading").bounding_box()
    assert box is not None
    assert box["y"] <= NEEDS_WITHIN - 300, f"the needs start {box['y']:.0f} px down"
    tabs = page.locator("nav.tabs").bounding_box()
    heading = page.locator("h1").bounding_box()
    assert tabs and heading and tabs["y"] > heading["y"]  # right under the project's title


@pytest.mark.parametrize("who", [CITIZEN, PROCURER])
def test_the_project_page_with_its_tabs_is_accessible(
    new_page: Callable[..., Page], who: str
) -> None:
    page = new_page(who)
    page.goto(first_project(page))
    assert_fits_and_accessible(page)
