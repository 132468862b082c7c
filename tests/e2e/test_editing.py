"""Editing in a real browser: an author's edit reaches another viewer live, marked "redigert";
the edit pages pass axe-core."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    CITIZEN,
    EMPLOYEE,
    LIVE_TIMEOUT,
    PROCURER,
    assert_accessible,
    assert_not_reloaded,
    open_live,
    wait_for_live_state,
)

pytestmark = pytest.mark.browser

HOME_CARE = "/projects/1"  # demo: in the needs phase, citizens take part


def _fits_a_phone(page: Page) -> None:
    """Accessible, and no sideways scrolling on a 320 px screen."""
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    page.set_viewport_size({"width": 1280, "height": 800})


def _first_need(page: Page) -> str:
    page.goto(HOME_CARE)
    path = page.locator("#needs-list > li a").first.get_attribute("href")
    assert path is not None and re.fullmatch(r"/needs/\d+", path)
    return path


def test_an_edited_comment_reaches_another_viewer_live_marked_edited(
    new_page: Callable[..., Page],
) -> None:
    author = new_page(EMPLOYEE)
    watcher = new_page(CITIZEN)
    first = f"Nattevakten kommer klokka tre {secrets.token_hex(3)}."
    second = f"Nattevakten kommer klokka fire, ikke tre {secrets.token_hex(3)}."
    need_path = _first_need(author)

    open_live(watcher, need_path)
    wait_for_live_state(watcher)
    author.goto(need_path)
    author.fill("#comment-form textarea[name=body]", first)
    author.click("#comment-form button[type=submit]")
    expect(watcher.locator("#comments li", has_text=first)).to_be_visible(timeout=LIVE_TIMEOUT)

    # The author finds the comment among their own and edits it.
    author.goto(need_path)
    own = author.locator(".own-comments li", has_text=first)
    own.get_by_role("link", name="Rediger").click()
    expect(author.locator("h1")).to_have_text("Rediger kommentaren din")
    _fits_a_phone(author)
    author.fill("#edit-comment-body", second)
    author.click("#comment-edit-form button[type=submit]")
    author.wait_for_url(re.compile(re.escape(need_path)))

    # The watcher's thread shows the new text, marked edited, without a reload.
    edited = watcher.locator("#comments li", has_text=second)
    expect(edited).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(edited.locator(".edited")).to_contain_text("redigert")
    expect(watcher.locator("#comments li", has_text=first)).to_have_count(0)
    assert_not_reloaded(watcher)


def test_the_edit_pages_meet_wcag_21_aa(new_page: Callable[..., Page]) -> None:
    author = new_page(EMPLOYEE)
    author.goto(HOME_CARE)
    title = f"Nattlys som ikke blender {secrets.token_hex(3)}"
    author.fill("#need-title", title)
    author.fill("#need-problem", "Beboerne blir blendet når nattevakten slår på taklyset.")
    author.click("#need-form button[type=submit]")
    card = author.locator("#needs-list > li", has_text=title)
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT)
    need_path = card.locator("a").get_attribute("href")
    author.goto(f"{need_path}")
    author.fill("#comment-form textarea[name=body]", "Gjelder særlig demensavdelingen.")
    author.click("#comment-form button[type=submit]")
    expect(author.locator("#comment-form .success")).to_be_visible()  # the post is done
    author.goto(f"{need_path}")
    wait_for_live_state(author)
    expect(author.locator(".own-comments")).to_be_visible()
    author.locator(".own-comments summary").first.click()  # the withdraw box, unfolded
    _fits_a_phone(author)
    author.get_by_role("link", name="Rediger behovet").click()
    expect(author.locator("#edit-need-title")).to_have_value(title)
    _fits_a_phone(author)

    procurer = new_page(PROCURER)
    procurer.goto(f"{HOME_CARE}/edit")
    expect(procurer.locator("#pe-access-warning")).to_be_visible()
    _fits_a_phone(procurer)
