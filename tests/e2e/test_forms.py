"""Forms that end on another page really get there in a browser (htmx and redirects together)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PROCURER = "innkjoper@trondheim.example"


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
