"""The needs list on a phone (390 px): search and filter by a GET form, "load more" in place,
a new need arriving live while a filter is on, a theme filter paged; and axe-core on the
filtered lists and on /me."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.helpers import (
    LIVE_TIMEOUT,
    PROCURER,
    assert_accessible,
    assert_not_reloaded,
    mark_document,
    wait_for_live_state,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECT = {
    "title": "Behovsliste på mobil",
    "summary": "Et prosjekt med mange behov.",
    "service_area": "Helse",
    "innovation_ambition": "Finne fram i en lang dialog.",
}


def fill_project(page: Page, needs: int, marker: str) -> tuple[int, dict[str, str]]:
    """A project of the procurer's with `needs` needs (every fifth mentions `marker`)."""
    token = page.request.post(
        "/api/v1/auth/token", form={"username": PROCURER, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    created = page.request.post("/api/v1/projects", data=PROJECT, headers=auth)
    assert created.ok, created.text()
    project = created.json()["id"]
    for n in range(needs):
        title = f"Behov {n:02d} om {marker}" if n % 5 == 0 else f"Behov {n:02d} om nattevakt"
        need = {"title": title, "problem": "Beboerne våkner av tilsynet om natten."}
        posted = page.request.post(f"/api/v1/projects/{project}/needs", data=need, headers=auth)
        assert posted.ok, posted.text()
    return project, auth


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def test_search_filter_and_load_more_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = new_page(PROCURER)
    page.set_viewport_size(PHONE)
    marker = f"snøfokk{secrets.token_hex(2)}"
    project, auth = fill_project(page, 30, marker)

    page.goto(f"/projects/{project}")
    wait_for_live_state(page)
    mark_document(page)
    cards = page.locator("#needs-list > li.need-card")
    expect(cards).to_have_count(25)
    no_sideways_scroll(page)
    page.get_by_role("link", name="Last inn flere").click()
    expect(cards).to_have_count(30)
    expect(page.locator("#needs-more")).to_have_count(0)
    assert_not_reloaded(page)

    page.get_by_label("Søk i behovene").fill(marker.upper())
    page.get_by_label("Sorter").select_option("supported")
    page.get_by_role("button", name="Vis behov").click()
    expect(page).to_have_url(re.compile(r"q=SN%C3%98FOKK.*sort=supported"))
    results = page.locator("#needs-results > li.need-card")
    expect(results).to_have_count(6)
    wait_for_live_state(page)
    no_sideways_scroll(page)
    assert_accessible(page)

    # A need posted now is not put into the filtered results; a notice says the list is stale.
    need = {"title": f"Nytt behov om {marker}", "problem": "Kom inn mens filteret var på."}
    posted = page.request.post(f"/api/v1/projects/{project}/needs", data=need, headers=auth)
    assert posted.ok
    expect(page.locator("#needs-new-notice")).to_contain_text(
        "Nye behov er lagt inn", timeout=LIVE_TIMEOUT
    )
    expect(results).to_have_count(6)
    expect(page.locator("#needs-live-sink")).to_be_hidden()
    expect(page.locator("#needs-live-sink li")).to_have_count(0)  # no card's id twice

    page.get_by_label("Status").select_option("verified")
    page.get_by_role("button", name="Vis behov").click()
    expect(page.locator("#needs-results-empty")).to_be_visible()


def test_filter_by_theme_and_load_more_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = new_page(PROCURER)
    page.set_viewport_size(PHONE)
    project, auth = fill_project(page, 0, "")
    themed = page.request.patch(
        f"/api/v1/projects/{project}", data={"themes": ["Natt", "Legemidler"]}, headers=auth
    )
    assert themed.ok, themed.text()
    for n in range(30):
        theme = "Natt" if n < 27 else "Legemidler"
        need = {
            "title": f"Behov {n:02d}",
            "problem": "Beboerne våkner av tilsynet.",
            "theme": theme,
        }
        posted = page.request.post(f"/api/v1/projects/{project}/needs", data=need, headers=auth)
        assert posted.ok, posted.text()

    page.goto(f"/projects/{project}")
    page.get_by_role("search", name="Søk i og filtrer behovene").get_by_label(
        "Tema", exact=True
    ).select_option("Natt")
    page.get_by_role("button", name="Vis behov").click()
    expect(page).to_have_url(re.compile(r"theme=Natt"))
    results = page.locator("#needs-results > li.need-card")
    expect(results).to_have_count(25)
    expect(results.first).to_contain_text("Tema: Natt")
    wait_for_live_state(page)
    mark_document(page)
    page.get_by_role("link", name="Last inn flere").click()
    expect(results).to_have_count(27)
    expect(page.locator("#needs-results")).not_to_contain_text("Legemidler")
    assert_not_reloaded(page)
    no_sideways_scroll(page)
    assert_accessible(page)


def test_my_contributions_page_is_accessible_on_a_phone(new_page: Callable[..., Page]) -> None:
    page = new_page(PROCURER)
    page.set_viewport_size(PHONE)
    page.locator(".site-menu summary").click()  # on a phone the header's links are in its menu
    page.get_by_role("link", name="Mine bidrag").click()
    expect(page.locator("h1")).to_have_text("Mine bidrag")
    expect(page.locator("#mine-need-heading")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)
