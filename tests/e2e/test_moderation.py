"""Moderation in a real browser: a citizen reports a comment, a procurer hides it from the queue,
and another viewer of the need sees it replaced without a reload; the queue passes axe-core."""

from __future__ import annotations

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

HOME_CARE = "/projects/1"
QUEUE = "/projects/1/reports"
REASON = "Personopplysninger om en navngitt bruker"


def _first_need(page: Page) -> str:
    page.goto(HOME_CARE)
    href = page.locator("#needs-list > li a").first.get_attribute("href")
    assert href is not None
    return href


def test_a_reported_comment_hidden_from_the_queue_is_replaced_live(
    new_page: Callable[..., Page],
) -> None:
    author, reporter, moderator = new_page(EMPLOYEE), new_page(CITIZEN), new_page(PROCURER)
    text = f"Fru Hansen i Kirkegata 4 glemmer medisinene sine {secrets.token_hex(3)}."
    need = _first_need(author)

    author.goto(need)
    author.fill("#comment-form textarea[name=body]", text)
    author.click("#comment-form button[type=submit]")
    posted = author.locator("#comments li.comment", has_text=text)
    expect(posted).to_be_visible(timeout=LIVE_TIMEOUT)
    item = posted.get_attribute("id")
    assert item is not None and item.startswith("comment-")
    comment_id = item.removeprefix("comment-")

    open_live(moderator, QUEUE)
    open_live(reporter, need)
    # The socket's first fragments redraw the thread: report only once they are in, or the
    # form being filled is replaced (a loaded CI run clicked into the old one).
    wait_for_live_state(reporter)
    comment = reporter.locator(f"#comment-{comment_id}")
    expect(comment).to_contain_text(text)

    # The citizen reports the comment from its place in the thread.
    form = f"#report-comment-{comment_id}"
    comment.locator("details.report > summary").first.click()
    reporter.fill(f"{form}-reason", "Navn og adresse på en bruker")
    reporter.click(f"{form} button[type=submit]")
    expect(comment).to_contain_text("Takk. Moderatorene vil se på det.", timeout=LIVE_TIMEOUT)

    # The procurer's queue gains it live, with the reason and the content in context.
    queued = moderator.locator(f"#queue-item-comment-{comment_id}")
    expect(queued).to_contain_text(text, timeout=LIVE_TIMEOUT)
    expect(queued).to_contain_text("Navn og adresse på en bruker")
    expect(moderator.locator("#queue-counts")).to_contain_text("venter på avgjørelse")
    assert_accessible(moderator)

    # Hidden from the queue with a public reason: the citizen's thread shows the reason instead.
    decide = f"#decide-comment-{comment_id}"
    moderator.check(f"{decide}-hide")
    moderator.fill(f"{decide}-reason", REASON)
    moderator.click(f"{decide} button[type=submit]")
    expect(queued).to_contain_text("Avgjort: Skjult", timeout=LIVE_TIMEOUT)
    expect(comment).to_contain_text(f"Skjult av moderator: {REASON}", timeout=LIVE_TIMEOUT)
    expect(comment).not_to_contain_text(text)
    assert_not_reloaded(reporter)
    assert_not_reloaded(moderator)
    assert_accessible(moderator)

    # Its author still reads it on a new load, with why it was hidden.
    author.goto(need)
    own = author.locator(".own-moderated")
    expect(own).to_contain_text(text)
    expect(own).to_contain_text(f"Skjult av moderator: {REASON}")
