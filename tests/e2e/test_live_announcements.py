"""Live updates are announced politely and leave the reader where they are.

A need or comment that someone else posts arrives in a polite live region (`aria-live="polite"`
or `role="status"`), so a screen reader reads it when the person pauses; it never takes the
focus, the caret or the half-typed text of someone writing in a form on the same page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import CITIZEN, EMPLOYEE, LIVE_TIMEOUT, assert_not_reloaded, open_live
from tests.e2e.keyboard import assert_focus_visible, by_id, focus, tab_to

pytestmark = pytest.mark.browser

HOME_CARE = "/projects/1"
NEED = "/needs/2"  # demo: a need of the home-care project, open for comments

# The politeness of the nearest live region around an element ("" when there is none).
LIVE_REGION_JS = """el => {
  const region = el.closest('[aria-live], [role=status], [role=log], [role=alert]');
  if (!region) return "";
  const live = region.getAttribute('aria-live');
  if (live) return live;
  return region.getAttribute('role') === 'alert' ? 'assertive' : 'polite';
}"""


def typing_in(page: Page, field_id: str, text: str) -> None:
    """The reader tabs to a field and is half-way through typing in it."""
    tab_to(page, by_id(field_id))
    page.keyboard.type(text)


def assert_still_typing(page: Page, field_id: str, text: str) -> None:
    """The focus, the text and the caret (at its end) are as the reader left them."""
    now = assert_focus_visible(page, "after a live update")
    assert now.id == field_id, f"a live update moved the focus to {now}"
    field = page.locator(f"#{field_id}")
    expect(field).to_have_value(text)
    caret = field.evaluate("el => [el.selectionStart, el.selectionEnd]")
    assert caret == [len(text), len(text)], f"the caret moved to {caret}"


def test_a_new_need_is_announced_politely_without_taking_the_writers_focus(
    new_page: Callable[..., Page],
) -> None:
    reader = new_page(CITIZEN)
    poster = new_page(EMPLOYEE)
    open_live(reader, HOME_CARE)
    expect(reader.locator("#live-viewers")).not_to_be_empty(timeout=LIVE_TIMEOUT)
    draft = "Jeg skriver et behov om"
    typing_in(reader, "need-problem", draft)

    title = f"Varsling når trygghetsalarmen er utladet {secrets.token_hex(3)}"
    poster.goto(HOME_CARE)
    poster.fill("#need-title", title)
    poster.fill("#need-problem", "Alarmen er tom for strøm uten at noen merker det.")
    poster.click("#need-form button[type=submit]")

    card = reader.locator("#needs-list > li", has_text=title)
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT)
    assert card.evaluate(LIVE_REGION_JS) == "polite", "the new need is not announced politely"
    assert_still_typing(reader, "need-problem", draft)
    reader.keyboard.type(" batterier")  # and the reader goes on where they were
    expect(reader.locator("#need-problem")).to_have_value(draft + " batterier")
    assert_not_reloaded(reader)


def test_a_new_comment_is_announced_politely_without_taking_the_writers_focus(
    new_page: Callable[..., Page],
) -> None:
    reader = new_page(CITIZEN)
    poster = new_page(EMPLOYEE)
    open_live(reader, NEED)
    expect(reader.locator("#live-viewers")).not_to_be_empty(timeout=LIVE_TIMEOUT)
    draft = "Jeg er enig, og"
    typing_in(reader, "comment-form-body", draft)

    comment = f"Vi ser det samme på nattskiftet {secrets.token_hex(3)}."
    poster.goto(NEED)
    poster.fill("#comment-form-body", comment)
    poster.click("#comment-form button[type=submit]")

    arrived = reader.locator("#comments > li", has_text=comment)
    expect(arrived).to_be_visible(timeout=LIVE_TIMEOUT)
    assert arrived.evaluate(LIVE_REGION_JS) == "polite", "the comment is not announced politely"
    assert_still_typing(reader, "comment-form-body", draft)
    assert focus(reader).id == "comment-form-body"
    assert_not_reloaded(reader)
