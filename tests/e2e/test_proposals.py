"""Solution proposals in a real browser: WCAG 2.1 AA on every proposal page, and a published
summary reaching a visitor live while the company's confidential description never does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_accessible, wait_for_live_state

pytestmark = pytest.mark.browser

PROCURER = "innkjoper@trondheim.example"
HELSETEK = "leverandor@helsetek.example"
KLIMALOS = "leverandor@klimalos.example"
PROPOSALS = "/projects/3/proposals"  # demo: the Trondheim market dialogue
PUBLISHED = "/proposals/1"  # Helsetek's, summary published, claim accepted
UNPUBLISHED = "/proposals/2"  # Klimaløs's, claim pending
LIVE_TIMEOUT = 10_000


@pytest.mark.parametrize(
    ("path", "who"),
    [
        (PROPOSALS, None),
        (PROPOSALS, PROCURER),
        (PROPOSALS, HELSETEK),  # the submit form
        (PUBLISHED, None),
        (PUBLISHED, PROCURER),  # the status and claim-decision forms
        (UNPUBLISHED, KLIMALOS),  # the publish and withdraw buttons, the attachment form
    ],
)
def test_proposal_pages_meet_wcag_21_aa(
    new_page: Callable[..., Page], path: str, who: str | None
) -> None:
    page = new_page(who)
    page.goto(path)
    wait_for_live_state(page)
    assert_accessible(page)


def test_a_published_summary_appears_live_for_a_visitor(new_page: Callable[..., Page]) -> None:
    visitor = new_page(None)
    visitor.goto(PROPOSALS)
    wait_for_live_state(visitor)
    expect(visitor.locator("#proposals-live")).not_to_contain_text("Varmestyring")

    company = new_page(KLIMALOS)
    company.goto(UNPUBLISHED)
    company.click("#publish-form button[type=submit]")
    expect(company.locator("#publish-form")).to_have_count(0, timeout=LIVE_TIMEOUT)

    card = visitor.locator("#proposals-live li", has_text="Varmestyring")
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(card).to_contain_text("Klimaløs AS")
    expect(visitor.locator("body")).not_to_contain_text("Malvik")  # the confidential body
