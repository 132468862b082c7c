"""WCAG 2.1 A/AA in a real browser: axe-core on every kind of page, anonymous and logged in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PageProblems, drop_length_checks, fill_project_form
from tests.e2e.helpers import (
    CITIZEN,
    EMPLOYEE,
    PROCURER,
    RESEARCHER,
    SUPPLIER,
    WCAG_21_AA,
    assert_accessible,
    axe,
    axe_violations,
    wait_for_live_state,
)

pytestmark = pytest.mark.browser

MARKET_DIALOGUE = "/projects/3"  # demo: moved to the market dialogue, two suppliers registered
NEED_WITH_COMMENTS = "/needs/3"  # demo: anonymous author, supports, a comment thread


ADMIN = "admin@pivotal.example"
PAGES = [
    ("/", None),
    ("/", EMPLOYEE),
    ("/login", None),
    ("/register", None),
    ("/projects/1", None),
    ("/projects/1", CITIZEN),
    ("/projects/1", EMPLOYEE),
    (NEED_WITH_COMMENTS, None),
    (NEED_WITH_COMMENTS, EMPLOYEE),
    (NEED_WITH_COMMENTS, PROCURER),
    ("/projects/new", PROCURER),
    ("/projects/1", PROCURER),  # the gate-decision form
    (MARKET_DIALOGUE, None),  # a timeline with gate decisions
    (MARKET_DIALOGUE, PROCURER),
    (MARKET_DIALOGUE, SUPPLIER),
    ("/projects/3/audit-log", PROCURER),
    ("/projects/1/reports", PROCURER),  # the moderation queue
    ("/profile", CITIZEN),  # research studies with give/withdraw consent
    ("/projects/3/metrics", None),  # the aggregate view of the metrics dashboard
    ("/projects/3/metrics", PROCURER),  # every figure, with the charts and heatmaps
    ("/organisations/1/metrics", None),  # a municipality's dashboard, aggregate
    ("/organisations/1/metrics", PROCURER),  # and in full
    ("/research/studies", RESEARCHER),  # the study list with export links
    ("/research/studies", CITIZEN),  # the studies a citizen can consent to
    ("/research/studies/new", RESEARCHER),
    ("/account/sessions", CITIZEN),  # one's sessions, "log out everywhere else"
    ("/account/tokens", CITIZEN),
    ("/account/security", CITIZEN),  # change password and e-mail
    ("/forgot-password", None),  # the reset form is checked in test_account_recovery.py
    # Privacy by law (issue 12)
    ("/personvern", None),  # the privacy statement, with the studies and their legal bases
    ("/tilgjengelighet", None),  # the accessibility statement
    ("/profile", EMPLOYEE),  # studies to object to, the data export, the account's deletion
    ("/account-deleted", None),
    # Issue 12: my contributions, and a searched and sorted needs list
    ("/me", CITIZEN),
    ("/projects/1?q=natt&sort=supported", None),
    ("/me/notifications", CITIZEN),  # the demo's weeks left the citizen replies and decisions
    ("/me/notifications/settings", CITIZEN),  # a fieldset of choices per kind
]
# Checked with axe in test_memberships.py; here only for their width.
MEMBERSHIP_PAGES = [
    ("/organisations/1/people", PROCURER),
    ("/organisations/1/audit", PROCURER),
    ("/admin/organisations", ADMIN),
    ("/companies/register", None),
    ("/profile/memberships", EMPLOYEE),
]
PHONE = {"width": 320, "height": 800}


@pytest.mark.parametrize(("path", "who"), PAGES)
def test_page_meets_wcag_21_aa(new_page: Callable[..., Page], path: str, who: str | None) -> None:
    page = new_page(who)
    page.goto(path)
    wait_for_live_state(page)
    assert_accessible(page)
    # The title names the page in words (WCAG 2.4.2); markup in it means a block went astray.
    assert page.title().endswith("Pivotal") and "<" not in page.title(), page.title()


@pytest.mark.parametrize(("path", "who"), PAGES + MEMBERSHIP_PAGES)
def test_page_fits_a_320_px_phone_without_sideways_scrolling(
    new_page: Callable[..., Page], path: str, who: str | None
) -> None:
    page = new_page(who)
    page.set_viewport_size(PHONE)
    page.goto(path)
    wait_for_live_state(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
            .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className)"""
    )
    assert width <= PHONE["width"], f"{path} is {width} px wide at 320 px; too wide: {wide}"


def test_login_error_state_meets_wcag_21_aa(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b401\b")  # the refused login itself
    page = new_page()
    page.goto("/login")
    page.fill("#login-email", CITIZEN)
    page.fill("#login-password", "not the password")
    page.click("#login-form button[type=submit]")
    expect(page.locator(".error-box")).to_be_visible()
    assert_accessible(page)


def test_need_form_error_state_meets_wcag_21_aa(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b422\b")  # the refused post itself
    page = new_page(EMPLOYEE)
    page.goto("/projects/1")
    # A browser that does not check lengths itself: the server's messages stand by the fields.
    drop_length_checks(page, "need-form")
    page.fill("#need-title", "Ny")
    page.fill("#need-problem", "For kort")
    page.click("#need-form button[type=submit]")
    expect(page.locator("#need-form-title-error")).to_be_visible()
    wait_for_live_state(page)
    assert_accessible(page)


def test_project_form_error_state_meets_wcag_21_aa(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b422\b")  # the refused post itself
    page = new_page(PROCURER)
    fill_project_form(page, "V", title="Ny")
    page.click("#project-form button[type=submit]")
    expect(page.locator("#project-form-service_area-error")).to_be_visible()
    assert_accessible(page)


def test_axe_runs_under_the_strict_csp(browser: Browser, server_url: str) -> None:
    """The CSP blocks inline script, yet axe (injected via page.evaluate) runs and finds faults."""
    seen = PageProblems()  # not the `problems` fixture: this test breaks the CSP on purpose
    context = seen.watch(browser.new_context(base_url=server_url))
    try:
        page = context.new_page()
        response = page.goto("/login")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
            page.evaluate(
                """() => {
                    const s = document.createElement('script');
                    s.textContent = 'window.inlineScriptRan = true';
                    document.body.append(s);
                }"""
            )
        assert page.evaluate("window.inlineScriptRan") is None, "CSP did not block inline script"
        # The watcher every other browser test relies on reports the violation as an error.
        assert any("Content Security Policy" in e for e in seen.errors), seen.errors

        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        assert results.response["passes"], "axe ran no rules"
        page.evaluate(
            """() => {
                const img = document.createElement('img');
                img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
                document.querySelector('main').append(img);
            }"""
        )
        assert "image-alt" in {v["id"] for v in axe_violations(page)}
    finally:
        context.close()


def test_the_profiles_deletion_form_open_and_refused_meets_wcag_21_aa(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b422\b")  # the refused deletion itself
    page = new_page(CITIZEN)
    page.goto("/profile")
    page.click("#delete-heading + details summary")
    page.fill("#delete-password", "pivotal-demo")
    page.fill("#delete-confirm", "nei")
    page.click("#delete-form button[type=submit]")
    expect(page.locator("#delete-form-errors")).to_contain_text("SLETT")
    assert_accessible(page)


def test_the_retention_form_meets_wcag_21_aa(new_page: Callable[..., Page]) -> None:
    page = new_page(PROCURER)  # Trondheim's procurer administers Trondheim kommune
    page.goto("/organisations/1/people")
    page.fill("#retention-months", "36")
    page.click("#retention-form button[type=submit]")
    expect(page.locator("#retention-heading + p + p")).to_contain_text("36")
    assert_accessible(page)
    page.fill("#retention-months", "")
    page.click("#retention-form button[type=submit]")
    expect(page.locator("#retention-months")).to_have_value("")
