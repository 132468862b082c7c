"""Employees come to exist in a real browser: by a proven address in Trondheim's domain, and by
the Trondheim procurer's approval; the new pages pass axe. Mail goes to a real SMTP server on
loopback that this module starts and hands to its own demo server."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Mailbox, body_of, smtp_on_loopback
from tests.e2e.conftest import DEMO_PASSWORD, PageProblems, demo_server, log_in
from tests.e2e.helpers import assert_accessible

pytestmark = pytest.mark.browser

PROCURER = "innkjoper@trondheim.example"  # administers Trondheim kommune in the demo
TRONDHEIM = 1  # the demo's first organisation
LINK_RE = re.compile(r"https?://[^/\s]+(/(?:verify-email|invitations)/[\w-]+)")


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[str, Mailbox]]:
    """A real SMTP server on loopback for this module's demo server."""
    with smtp_on_loopback() as (url, box):
        yield url, box


@pytest.fixture(scope="module")
def server_url(demo_folder: Path, mailbox: tuple[str, Mailbox]) -> Iterator[str]:
    """The demo server of this module, mailing through the module's SMTP server."""
    url, _ = mailbox
    env = {"PIVOTAL_SMTP_URL": url, "PIVOTAL_MAIL_INTERVAL": "0.5"}
    with demo_server(demo=demo_folder, extra_env=env) as site:
        yield site


def _link_in_mail(mailbox: tuple[str, Mailbox], address: str) -> str:
    _, box = mailbox
    found = LINK_RE.search(body_of(box.wait_for(address, timeout=20)))
    assert found, f"no link in the mail to {address}"
    return found.group(1)


def _register_as_employee(page: Page, name: str, email: str) -> None:
    page.goto("/register")
    page.fill("#reg-name", name)
    page.fill("#reg-email", email)
    page.fill("#reg-password", DEMO_PASSWORD)
    page.check("#reg-role-employee")
    page.select_option("#reg-org", label="Trondheim kommune")
    page.click("#register-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/register/sent$"))


def _open_internal_project(new_page: Callable[..., Page]) -> tuple[str, str]:
    """The Trondheim procurer opens an internal project; its path and title."""
    title = f"Intern vaktplan {secrets.token_hex(3)}"
    page = new_page(PROCURER)
    page.goto("/projects/new")
    page.fill("#p-title", title)
    page.fill("#p-summary", "Vaktplanen skal bli enklere å bytte i.")
    page.fill("#p-area", "Helse og omsorg")
    page.fill("#p-ambition", "Fra papirlister til bytter ansatte gjør selv.")
    page.check("#p-vis-internal")
    page.click("#project-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    return urlsplit(page.url).path, title


def test_an_employee_by_domain_confirms_the_address_and_sees_the_internal_project(
    new_page: Callable[..., Page], mailbox: tuple[str, Mailbox], problems: PageProblems
) -> None:
    problems.expect_error(r"\b404\b")  # the internal project before the address is proven
    path, title = _open_internal_project(new_page)
    email = f"kari.{secrets.token_hex(3)}@trondheim.example"
    page = new_page()
    _register_as_employee(page, "Kari Domene", email)
    assert_accessible(page)
    link = _link_in_mail(mailbox, email)

    log_in(page, email)
    assert page.goto(path).status == 404  # not yet: the address is not proven
    page.goto(link)
    page.click("main form button[type=submit]")
    page.goto(path)
    expect(page.locator("h1")).to_have_text(title)


def test_an_employee_by_approval_sees_the_internal_project_once_the_procurer_approves(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b404\b")  # the internal project before the approval
    path, title = _open_internal_project(new_page)
    email = f"ola.{secrets.token_hex(3)}@epost.example"
    applicant = new_page()
    _register_as_employee(applicant, "Ola Søker", email)
    log_in(applicant, email)
    assert applicant.goto(path).status == 404

    procurer = new_page(PROCURER)
    procurer.goto(f"/organisations/{TRONDHEIM}/people")
    assert_accessible(procurer)
    request = procurer.locator("#pending-heading ~ ul li", has_text=email)
    request.get_by_role("button", name=re.compile("Godkjenn")).click()
    expect(procurer.locator("#pending-heading ~ ul li", has_text=email)).to_have_count(0)

    applicant.goto(path)
    expect(applicant.locator("h1")).to_have_text(title)


def test_an_invitation_is_accepted_with_a_new_account(
    new_page: Callable[..., Page], mailbox: tuple[str, Mailbox]
) -> None:
    email = f"nina.{secrets.token_hex(3)}@epost.example"
    procurer = new_page(PROCURER)
    procurer.goto(f"/organisations/{TRONDHEIM}/people")
    procurer.fill("#invite-email", email)
    procurer.select_option("#invite-role", "procurer")
    procurer.click("#invite-form button[type=submit]")
    link = _link_in_mail(mailbox, email)

    page = new_page()
    page.goto(link)
    assert_accessible(page)
    page.fill("#inv-name", "Nina Invitert")
    page.fill("#inv-password", DEMO_PASSWORD)
    page.click("#invitation-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/profile/memberships$"))
    expect(page.locator(".who")).to_contain_text("Nina Invitert")
    assert_accessible(page)
