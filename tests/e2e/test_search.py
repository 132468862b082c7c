"""Search in a browser: a citizen searches from the header of any page and finds the demo's needs
on the results page (the count announced, each result a heading with the searched word marked);
axe-core finds nothing at 1280 and 390 px, and neither the header nor the results scroll sideways
on a 320 px phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import CITIZEN, assert_accessible

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 700}


def no_sideways_scroll(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide at {width} px"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_citizen_searches_from_the_header_and_finds_needs(
    new_page: Callable[..., Page], width: int
) -> None:
    page = new_page(CITIZEN)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    if width < 640:  # a phone's header has no room for the field: the menu leads to the search
        page.locator(".site-menu summary").click()
        page.locator(".site-menu").get_by_role("link", name="Søk").click()
        field = page.locator("#search-page-q")
    else:
        field = page.get_by_role("search", name="Søk på nettstedet").get_by_label("Søkeord")
    field.fill("hjemmetjeneste")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=hjemmetjeneste$"))
    count = page.locator("#search-count")
    expect(count).to_have_attribute("role", "status")
    expect(count).to_contain_text("treff for «hjemmetjeneste»")
    results = page.locator("ol.search-results > li")
    expect(results.first).to_be_visible()
    heading = page.get_by_role("heading", level=2, name="Digital oppfølging i hjemmetjenesten")
    expect(heading).to_be_visible()
    expect(results.locator("mark").first).to_be_visible()
    assert_accessible(page)
    heading.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("hjemmetjenesten")


def test_the_header_search_and_the_results_fit_a_320_px_phone(
    new_page: Callable[..., Page],
) -> None:
    page = new_page()
    page.set_viewport_size(NARROW)
    page.goto("/")
    no_sideways_scroll(page, NARROW["width"])
    page.locator(".site-menu summary").click()  # the search is a link in the phone's menu
    expect(page.locator(".site-menu").get_by_role("link", name="Søk")).to_be_visible()
    page.goto("/search?q=hjemmetjenesten")
    expect(page.locator("ol.search-results > li").first).to_be_visible()
    no_sideways_scroll(page, NARROW["width"])
    assert_accessible(page)


def test_a_search_with_nothing_found_says_so_politely(new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto("/search?q=zzzyxw")
    expect(page.locator("#search-count")).to_have_text("0 treff for «zzzyxw»")
    assert_accessible(page)
