"""WCAG 2.1 A/AA in a real browser, in the states a plain visit does not reach: a refused login,
refused forms with their messages, an opened deletion form, a saved setting; and that axe-core
really runs under the strict CSP.

Every page as each role opens it (axe, the title, 320 px and 200 % zoom, the Nu HTML Checker, the
browser's errors) is tests/e2e/test_every_page.py's; the refused need form is checked with axe in
tests/e2e/test_forms.py, beside its messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PageProblems, fill_project_form
from tests.e2e.helpers import (
    CITIZEN,
    PROCURER,
    WCAG_21_AA,
    assert_accessible,
    axe,
    axe_violations,
)

pytestmark = pytest.mark.browser


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
