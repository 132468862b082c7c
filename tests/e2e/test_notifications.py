"""Notifications in a real browser: a reply raises the citizen's unread count without a reload,
the reply is mailed to a real SMTP server, and its one-click unsubscribe link works.

The server is a subprocess of this module's own whose mail goes to an SMTP server on loopback.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Mailbox, body_of
from tests.e2e.conftest import PageProblems, pages_on
from tests.e2e.helpers import (
    CITIZEN,
    EMPLOYEE,
    LIVE_TIMEOUT,
    assert_accessible,
    assert_not_reloaded,
    open_live,
    wait_for_live_state,
)

pytestmark = pytest.mark.browser

NEED = "/needs/1"  # demo: a need in the home-care project, in its needs phase
UNSUBSCRIBE = re.compile(r"<(https?://[^>]+/unsubscribe/[^>]+)>")


@pytest.fixture
def page_as(
    browser: Browser, mailed: tuple[str, Mailbox], problems: PageProblems
) -> Iterator[Callable[..., Page]]:
    """Factory of watched pages on the mailing server, logged in as the address given."""
    with pages_on(browser, mailed[0], problems) as make:
        yield make


def _unread(page: Page) -> int:
    badge = page.locator("#notification-count .badge")
    return int(badge.inner_text().split()[0]) if badge.count() else 0


def test_a_reply_raises_the_count_live_and_is_mailed_with_a_working_unsubscribe(
    page_as: Callable[..., Page], mailed: tuple[str, Mailbox]
) -> None:
    _server, mailbox = mailed
    citizen, employee = page_as(CITIZEN), page_as(EMPLOYEE)
    comment = f"Dette gjelder min mor også {secrets.token_hex(3)}."
    reply = f"Takk, vi tar det med {secrets.token_hex(3)}."

    # The citizen comments and stays on the page, its header socket connected.
    open_live(citizen, NEED)
    expect(citizen.locator("#notification-count[data-live]")).to_be_attached(timeout=LIVE_TIMEOUT)
    citizen.fill("#comment-form textarea[name=body]", comment)
    citizen.click("#comment-form button[type=submit]")
    expect(citizen.locator("#comments")).to_contain_text(comment, timeout=LIVE_TIMEOUT)
    before = _unread(citizen)

    # Another person replies to that comment, once their page's socket has drawn its live state
    # (its first fragments redraw the thread, and with it a reply form opened before).
    employee.goto(NEED)
    wait_for_live_state(employee)
    thread = employee.locator("#comments > li", has_text=comment)
    thread.locator("details.reply > summary").click()
    thread.locator("details.reply textarea[name=body]").fill(reply)
    thread.locator("details.reply form button[type=submit]").click()
    expect(employee.locator("#comments")).to_contain_text(reply, timeout=LIVE_TIMEOUT)

    # The citizen's unread count rises without a reload.
    expect(citizen.locator("#notification-count .badge")).to_contain_text(
        str(before + 1), timeout=LIVE_TIMEOUT
    )
    assert_not_reloaded(citizen)

    # The reply is mailed at once, with RFC 8058 headers.
    received = mailbox.wait_for(CITIZEN)
    assert "svarte på kommentaren din" in body_of(received)
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    found = UNSUBSCRIBE.search(received["List-Unsubscribe"])
    assert found is not None
    link = found.group(1)

    # The notifications page lists it, newest first, and passes axe-core.
    citizen.goto("/me/notifications")
    first = citizen.locator(".notification-list > li").first
    expect(first).to_contain_text("svarte på kommentaren din")
    assert_accessible(citizen)
    citizen.goto("/me/notifications/settings")
    assert_accessible(citizen)

    # The link in the mail opens a page that asks; its button turns reply mail off.
    visitor = page_as(None)
    visitor.goto(link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Stopp e-poster")
    assert_accessible(visitor)
    visitor.get_by_role("button", name="Stopp disse e-postene").click()
    expect(visitor.get_by_role("status")).to_contain_text("Ferdig")
    citizen.goto("/me/notifications/settings")
    expect(citizen.locator("#pref-reply-off")).to_be_checked()
