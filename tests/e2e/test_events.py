"""Dialogue events in a real browser: WCAG 2.1 AA on the events pages, and a booking by click."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    PROCURER,
    SUPPLIER,
    assert_accessible,
    wait_for_live_state,
)

pytestmark = pytest.mark.browser
EVENTS = "/projects/3/events"  # demo: a conference with a waitlist, one-to-one meetings
CONFERENCE = "/events/1"
MEETINGS = "/events/2"
OTHER_SUPPLIER = "leverandor@klimalos.example"


@pytest.mark.parametrize(
    ("path", "who"),
    [
        (EVENTS, None),
        (EVENTS, PROCURER),  # the planning form
        (CONFERENCE, None),
        (CONFERENCE, PROCURER),  # who registered, attendance, minutes form
        (CONFERENCE, SUPPLIER),
        (MEETINGS, PROCURER),
        (MEETINGS, OTHER_SUPPLIER),  # book buttons
    ],
)
def test_events_page_meets_wcag_21_aa(
    new_page: Callable[..., Page], path: str, who: str | None
) -> None:
    page = new_page(who)
    page.goto(path)
    wait_for_live_state(page)
    assert_accessible(page)


def test_a_supplier_books_a_slot_and_sees_it_as_its_own(new_page: Callable[..., Page]) -> None:
    page = new_page(OTHER_SUPPLIER)
    page.goto(MEETINGS)
    wait_for_live_state(page)
    page.get_by_role("button", name="Book").first.click()
    expect(page.get_by_text("Booket av virksomheten din")).to_be_visible()
    expect(page.locator("#event-2-counts")).to_contain_text("4 av 6")
