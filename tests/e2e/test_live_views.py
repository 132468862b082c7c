"""Live views in a real browser: what one person posts appears for another without a reload."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

EMPLOYEE = "ansatt@trondheim.example"
CITIZEN = "innbygger@example.org"
HOME_CARE = "/projects/1"
LIVE_TIMEOUT = 10_000  # ms: a push normally arrives within a fraction of a second
TWO_VIEWERS = re.compile(r"^\s*2\b")


def mark_document(page: Page) -> None:
    """Tag the loaded document; the tag survives htmx swaps but not a reload or navigation."""
    page.evaluate("window.pivotalTestMark = 'not reloaded'")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.pivotalTestMark") == "not reloaded", "the page was reloaded"


def open_live(page: Page, path: str) -> None:
    page.goto(path)
    mark_document(page)


def test_need_and_comment_reach_another_viewer_live(new_page: Callable[..., Page]) -> None:
    poster = new_page(EMPLOYEE)
    watcher = new_page(CITIZEN)
    title = f"Varsel når medisiner ikke er tatt {secrets.token_hex(3)}"
    comment = f"Dette skjer oss flere ganger i uka {secrets.token_hex(3)}."

    # Both on the project page: each sees that two people are viewing.
    open_live(watcher, HOME_CARE)
    open_live(poster, HOME_CARE)
    for page in (watcher, poster):
        expect(page.locator("#live-viewers")).to_have_text(TWO_VIEWERS, timeout=LIVE_TIMEOUT)

    # The employee posts a need through the htmx form.
    poster.fill("#need-title", title)
    poster.fill("#need-problem", "Hjemmeboende glemmer kveldsmedisinen, og ingen får vite det.")
    poster.fill("#need-affected", "Hjemmeboende med demens og pårørende")
    poster.click("#need-form button[type=submit]")

    # The citizen's list gains the card, pushed over the WebSocket.
    card = watcher.locator("#needs-list > li", has_text=title)
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(watcher.locator("#needs-list > li").first).to_contain_text(title)  # newest first
    assert_not_reloaded(watcher)
    assert_not_reloaded(poster)  # posting was an htmx request, not a form navigation
    need_path = card.locator("a").get_attribute("href")
    assert need_path is not None
    assert re.fullmatch(r"/needs/\d+", need_path)

    # Both open the new need; the counter follows them to the new topic.
    open_live(watcher, need_path)
    open_live(poster, need_path)
    expect(watcher.locator("h1")).to_have_text(title)
    for page in (watcher, poster):
        expect(page.locator("#live-viewers")).to_have_text(TWO_VIEWERS, timeout=LIVE_TIMEOUT)

    # The employee comments; the citizen reads it without reloading.
    poster.fill("#comment-form textarea[name=body]", comment)
    poster.click("#comment-form button[type=submit]")
    expect(watcher.locator("#comments")).to_contain_text(comment, timeout=LIVE_TIMEOUT)
    expect(watcher.locator("#comments > li", has_text=comment)).to_contain_text(
        "Tone Helsefagarbeider"
    )
    expect(poster.locator("#comments")).to_contain_text(comment, timeout=LIVE_TIMEOUT)
    assert_not_reloaded(watcher)
    assert_not_reloaded(poster)
    expect(poster.locator("#comment-form textarea[name=body]")).to_have_value("")
