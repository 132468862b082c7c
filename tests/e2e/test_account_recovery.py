"""Taking an account back in a real browser: forgotten password → mail → new password.

The server is a subprocess of its own, sending its mail to a real SMTP server on loopback that
the test reads. Every page of the way is checked with axe-core (WCAG 2.1 A/AA).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import Mailbox, body_of
from tests.e2e.conftest import LOCALE, PageProblems, log_in

pytestmark = pytest.mark.browser

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CITIZEN = "innbygger@example.org"
NEW_PASSWORD = "et nytt og langt passord"
axe = Axe()


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    violations = axe.run(page, options=options).response["violations"]
    assert not violations, f"{page.url}: " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations
    )


@pytest.fixture
def context_for(
    browser: Browser, mailed: tuple[str, Mailbox], problems: PageProblems
) -> Iterator[Callable[[], BrowserContext]]:
    """Factory of watched browser contexts on this module's server."""
    opened: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = problems.watch(browser.new_context(base_url=mailed[0], locale=LOCALE))
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def test_a_forgotten_password_is_reset_through_the_mailed_link(
    context_for: Callable[[], BrowserContext],
    mailed: tuple[str, Mailbox],
    problems: PageProblems,
) -> None:
    server_url, mailbox = mailed
    elsewhere = log_in(context_for().new_page(), CITIZEN)  # a session that must end

    page = context_for().new_page()
    page.goto("/login")
    page.get_by_role("link", name="Glemt passordet?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glemt passordet?")
    assert_accessible(page)
    page.fill("#forgot-email", CITIZEN)
    page.get_by_role("button", name="Send meg en lenke").click()
    expect(page.locator("#reset-sent")).to_contain_text("Hvis en konto har denne adressen")
    assert_accessible(page)

    body = body_of(mailbox.wait_for(CITIZEN))
    link = re.search(re.escape(server_url) + r"/reset-password/[\w-]+", body)
    assert link, body
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Velg nytt passord")
    assert_accessible(page)
    page.get_by_label("Nytt passord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nytt passord igjen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lagre det nye passordet").click()
    page.wait_for_url("**/login?reset=done")
    expect(page.get_by_role("status")).to_contain_text("Det nye passordet ditt er lagret")
    assert_accessible(page)

    page.fill("#login-email", CITIZEN)
    page.fill("#login-password", NEW_PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("form[action='/logout']")).to_be_attached()

    elsewhere.reload()
    expect(elsewhere.locator("form[action='/logout']")).to_have_count(0)  # logged out there

    problems.expect_error(r"\b422\b")  # the used link's refusal
    page.goto(link.group(0))  # the link worked once
    expect(page.locator("main")).to_contain_text("Denne lenken er allerede brukt")


EMPLOYEE = "ansatt@trondheim.example"


def test_sessions_tokens_and_security_in_their_busy_states_meet_wcag_21_aa(
    context_for: Callable[[], BrowserContext], problems: PageProblems
) -> None:
    log_in(context_for().new_page(), EMPLOYEE)  # a second session: "log out everywhere else"
    page = log_in(context_for().new_page(), EMPLOYEE)
    page.goto("/account/sessions")
    expect(page.locator(".danger-zone")).to_be_visible()
    expect(page.locator("#session-list > li")).to_have_count(2)
    assert_accessible(page)

    page.goto("/account/tokens")
    page.fill("#token-name", "Rapportskript")
    page.get_by_role("button", name="Opprett token").click()
    expect(page.locator("#issued-token-value")).to_have_value(re.compile(r"^pvt_"))
    assert_accessible(page)

    problems.expect_error(r"\b422\b")  # the wrong current password
    page.goto("/account/security")
    page.fill("#password-current", "ikke passordet")
    page.fill("#password-new", NEW_PASSWORD)
    page.fill("#password-new-again", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-form-errors")).to_contain_text("ikke riktig")
    assert_accessible(page)
