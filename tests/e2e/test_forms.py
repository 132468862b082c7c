"""Forms that end on another page really get there in a browser (htmx and redirects together)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageProblems, fill_project_form
from tests.e2e.helpers import assert_accessible, wait_for_live_state

pytestmark = pytest.mark.browser

PROCURER = "innkjoper@trondheim.example"
EMPLOYEE = "ansatt@trondheim.example"
HOME_CARE = "/projects/1"  # demo: in the needs phase, open to the municipality's employees
# A browser that does not check lengths itself sends what the server must refuse.
DROP_LENGTH_CHECKS = (
    "document.querySelectorAll('#need-form [minlength]')"
    ".forEach(field => field.removeAttribute('minlength'))"
)


def test_registering_through_the_form_ends_on_the_check_your_mail_page(
    new_page: Callable[..., Page],
) -> None:
    """The answer is the same for a taken address, so it cannot log anyone in (issue 10)."""
    page = new_page()
    page.goto("/register")
    page.fill("#reg-name", "Nora Ny")
    page.fill("#reg-email", f"nora.{secrets.token_hex(3)}@example.org")
    page.fill("#reg-password", "et langt nok passord")
    page.click("#register-form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/register/sent$"))
    expect(page.locator("h1")).to_have_text("Sjekk e-posten din")
    expect(page.locator("#register-form")).to_have_count(0)  # a page, not a page in the form
    expect(page.locator("body form[action='/logout']")).to_have_count(0)


def test_procurer_opens_a_project_through_the_form(new_page: Callable[..., Page]) -> None:
    title = f"Smartere snørydding {secrets.token_hex(3)}"
    page = new_page(PROCURER)
    page.goto("/projects/new")
    page.fill("#p-title", title)
    page.fill("#p-summary", "Brøyting når og der det trengs, ikke etter fast rute.")
    page.fill("#p-area", "Veg og trafikk")
    page.fill("#p-ambition", "Fra faste ruter til brøyting styrt av målinger og meldinger.")
    page.click("#project-form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#project-form")).to_have_count(0)
    expect(page.locator("#live-viewers")).not_to_be_empty(timeout=10_000)  # its live view works


def test_a_refused_need_form_shows_each_message_beside_its_field(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b422\b")  # the refused post itself
    page = new_page(EMPLOYEE)
    page.goto(HOME_CARE)
    page.evaluate(DROP_LENGTH_CHECKS)
    page.fill("#need-title", "Ny")
    page.fill("#need-problem", "For kort")
    page.click("#need-form button[type=submit]")

    title = page.locator("#need-title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_attribute("aria-describedby", "need-form-title-error")
    expect(page.locator("#need-form-title-error")).to_have_text("Tittel må ha minst 3 tegn.")
    expect(page.locator("#need-form-problem-error")).to_have_text(
        "Hva må bli bedre må ha minst 10 tegn."
    )
    expect(title).to_have_value("Ny")  # what was typed stays
    expect(page.locator("#need-form-errors li")).to_have_count(2)  # one sentence each
    expect(page.locator("#need-form-fields")).to_have_count(1)
    wait_for_live_state(page)
    assert_accessible(page)  # WCAG 2.1 AA with the messages shown, too


def test_a_refused_project_form_keeps_what_was_typed_beside_the_message(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b422\b")  # the refused post itself
    page = new_page(PROCURER)
    fill_project_form(page, "V")
    page.check("#p-vis-internal")
    page.click("#project-form button[type=submit]")

    area = page.locator("#p-area")
    expect(area).to_have_attribute("aria-invalid", "true")
    expect(area).to_have_attribute("aria-describedby", "project-form-service_area-error")
    expect(page.locator("#project-form-service_area-error")).to_have_text(
        "Tjenesteområde må ha minst 2 tegn."
    )
    expect(area).to_have_value("V")
    expect(page.locator("#p-title")).to_have_value("Smartere snørydding")
    expect(page.locator("#p-vis-internal")).to_be_checked()
    expect(page.locator("#project-form-errors li")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/projects/new$"))


def test_a_refused_registration_keeps_the_name_but_not_the_password(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b422\b")
    page = new_page()
    page.goto("/register")
    page.evaluate("document.getElementById('register-form').noValidate = true")
    page.fill("#reg-name", "Nora Ny")
    page.fill("#reg-email", "ikke-en-adresse")
    page.fill("#reg-password", "et langt nok passord")
    page.click("#register-form button[type=submit]")

    email = page.locator("#reg-email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#register-form-email-error")).to_have_text("E-post er ikke gyldig.")
    expect(email).to_have_value("ikke-en-adresse")
    expect(page.locator("#reg-name")).to_have_value("Nora Ny")
    expect(page.locator("#reg-password")).to_have_value("")
