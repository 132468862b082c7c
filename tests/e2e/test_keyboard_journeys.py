"""Keyboard-only journeys, one per role, on a wide screen and a phone.

Nothing is clicked or filled: the person presses Tab, Shift+Tab, Enter and Space (and the arrow
keys inside a radio group), and types. At every press the focused element must be visible,
inside the viewport, uncovered and drawn with a focus indicator (tests/e2e/keyboard.py), and
after every htmx swap the focus must still be on something, never dropped to <body>.
A mail's link is opened as a person opens it from their mail program: by its address.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Mailbox, body_of
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.keyboard import (
    assert_focus_visible,
    by_href,
    by_id,
    by_text,
    focus,
    in_form,
    press,
    settled_focus_visible,
    tab_to,
    tab_to_header_link,
    type_into,
)

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
HOME_CARE = "/projects/1"  # demo: in the needs phase, open to citizens and employees
CARE_HOMES = "/projects/3"  # demo: in the market dialogue, both suppliers registered
PROCURER = "innkjoper@trondheim.example"
SUPPLIER = "leverandor@klimalos.example"  # registered, no meeting booked yet
VERIFY_LINK = re.compile(r"https?://[^/\s]+(/verify-email/[\w-]+)")


@pytest.fixture(scope="module")
def server_url(mailed: tuple[str, Mailbox]) -> str:
    """This module's own demo server (its bookings and accounts stay here), mailing to a box."""
    return mailed[0]


@pytest.fixture
def keyboard_page(new_page: Callable[..., Page]) -> Iterator[Callable[[int], Page]]:
    """Factory: a fresh visitor's page `width` px wide."""

    def make(width: int) -> Page:
        page = new_page()
        page.set_viewport_size({"width": width, "height": 800})
        return page

    yield make


def unique(stem: str) -> str:
    """`stem` made unique for this run, so each width's journey leaves its own traces."""
    return f"{stem} {secrets.token_hex(3)}"


def skip_to_main(page: Page) -> None:
    """The first Tab reaches the skip link, shown on focus; Enter moves the focus into <main>."""
    link = tab_to(page, lambda f: True, limit=1)
    assert link.href == "#main", f"the first Tab should reach the skip link, not {link}"
    press(page, "Enter")
    assert focus(page).id == "main", "the skip link should move the focus to the main content"


def submit_and_wait_for_navigation(page: Page) -> None:
    """Enter on the focused link or button, then the next page."""
    with page.expect_navigation():
        press(page, "Enter")


def log_in_by_keyboard(page: Page, email: str) -> None:
    """Open the login form from the header and log in without the mouse."""
    page.goto("/")
    tab_to(page, by_href(r"^/login"))
    submit_and_wait_for_navigation(page)
    type_into(page, by_id("login-email"), email)
    type_into(page, by_id("login-password"), DEMO_PASSWORD)
    page.keyboard.press("Enter")  # Enter in a field submits its form
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    expect(page.locator("form[action='/logout']")).to_be_attached()


def register_by_keyboard(
    page: Page, mailed: tuple[str, Mailbox], name: str, email: str, *, employer: str = ""
) -> None:
    """From the front page to a confirmed account: the form, the mail, the confirm button.

    With `employer`, as its employee: the role by arrow key in its radio group, the employer
    picked in its list by typing its name."""
    page.goto("/")
    skip_to_main(page)
    tab_to_header_link(page, "/register", backwards=True)
    submit_and_wait_for_navigation(page)
    expect(page).to_have_url(re.compile(r"/register$"))

    type_into(page, by_id("reg-name"), name)
    type_into(page, by_id("reg-email"), email)
    type_into(page, by_id("reg-password"), DEMO_PASSWORD)
    tab_to(page, by_id("reg-role-citizen"))  # a radio group is one stop: the chosen one
    if employer:
        page.keyboard.press("ArrowDown")
        assert_focus_visible(page, "the employee radio button")
        expect(page.locator("#reg-role-employee")).to_be_checked()
        type_into(page, by_id("reg-org"), employer)
        expect(page.locator("#reg-org option:checked")).to_have_text(employer)
    tab_to(page, in_form("register-form"))
    submit_and_wait_for_navigation(page)
    expect(page).to_have_url(re.compile(r"/register/sent$"))

    _, mailbox = mailed
    found = VERIFY_LINK.search(body_of(mailbox.wait_for(email, timeout=20)))
    assert found, f"no confirmation link in the mail to {email}"
    page.goto(found.group(1))
    tab_to(page, in_form("verify-email-form"))
    submit_and_wait_for_navigation(page)


def post_need_by_keyboard(page: Page, title: str, *, anonymous: bool = False) -> None:
    """On the project page: the "New need" link leads to the form; fill it and send it."""
    skip_to_main(page)
    tab_to(page, by_href(r"#new-need-heading$"))
    press(page, "Enter")
    # The link moved the reading position to the form: the next Tab is its first field.
    assert tab_to(page, lambda f: True, limit=1).id == "need-title"
    page.keyboard.type(title)
    type_into(
        page, by_id("need-problem"), "Vi venter lenge på svar, og ingen vet hvem som har saken."
    )
    type_into(page, by_id("need-affected"), "Hjemmeboende og pårørende")
    if anonymous:
        tab_to(page, by_id("need-anonymous"))
        press(page, "Space")
        expect(page.locator("#need-anonymous")).to_be_checked()
    tab_to(page, in_form("need-form"))
    press(page, "Enter")
    expect(page.locator("#need-form .success")).to_be_visible()
    settled_focus_visible(page, "after posting a need")
    expect(page.locator("#need-title")).to_have_value("")


def open_own_need(page: Page, title: str) -> None:
    """Back from the form to the new need's card at the top of the list, and open it."""
    # The card comes with the live push of the new need: wait for it, so that the list is not
    # redrawn under the keyboard while it travels there.
    expect(page.locator("main a", has_text=title).first).to_be_attached(timeout=10_000)
    tab_to(page, by_text(re.escape(title)), backwards=True)
    submit_and_wait_for_navigation(page)
    expect(page.locator("h1")).to_have_text(title)


def comment_by_keyboard(page: Page, text: str) -> None:
    """Write a comment on the open need and send it; it appears, and the focus stays put."""
    type_into(page, by_id("comment-form-body"), text)
    tab_to(page, in_form("comment-form"))
    press(page, "Enter")
    expect(page.locator("#comments")).to_contain_text(text)
    expect(page.locator("#comment-form-body")).to_have_value("")
    settled_focus_visible(page, "after posting a comment")


def support_another_need_by_keyboard(page: Page) -> None:
    """From the need back to the project, into another need, and support it."""
    tab_to(page, by_href(rf"^{HOME_CARE}$"), backwards=True)
    submit_and_wait_for_navigation(page)
    tab_to(page, by_text("^Færre unødvendige nattbesøk$"))
    submit_and_wait_for_navigation(page)
    support = tab_to(page, in_form("support-form"))
    assert "Støtt" in support.text
    press(page, "Enter")
    expect(page.locator("#support-form button")).to_have_attribute("aria-pressed", "true")
    now = settled_focus_visible(page, "after supporting")
    assert now.form == "support-form", f"the focus should stay on the support button, not {now}"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_citizen_registers_posts_comments_and_supports_by_keyboard(
    keyboard_page: Callable[[int], Page], mailed: tuple[str, Mailbox], width: int
) -> None:
    page = keyboard_page(width)
    email = f"kari.{secrets.token_hex(4)}@epost.example"
    register_by_keyboard(page, mailed, "Kari Tastatur", email)
    log_in_by_keyboard(page, email)

    page.goto(HOME_CARE)
    title = unique("Svar på søknader om trygghetsalarm")
    post_need_by_keyboard(page, title)
    open_own_need(page, title)
    comment_by_keyboard(page, unique("Det gjelder særlig dem som bor alene."))
    support_another_need_by_keyboard(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_employee_registers_with_the_employer_and_posts_without_the_name_by_keyboard(
    keyboard_page: Callable[[int], Page], mailed: tuple[str, Mailbox], width: int
) -> None:
    page = keyboard_page(width)
    # An address in Trondheim's verified domain: confirmed, the person is its employee.
    email = f"per.{secrets.token_hex(4)}@trondheim.example"
    register_by_keyboard(page, mailed, "Per Tastatur", email, employer="Trondheim kommune")
    log_in_by_keyboard(page, email)
    expect(page.locator(".who")).to_contain_text("Ansatt")

    page.goto(HOME_CARE)
    title = unique("Nøkkelbokser som ikke virker om natta")
    post_need_by_keyboard(page, title, anonymous=True)
    open_own_need(page, title)
    comment_by_keyboard(page, unique("Nattevakten har meldt dette flere ganger."))
    support_another_need_by_keyboard(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_supplier_asks_and_books_and_the_procurer_answers_by_keyboard(
    keyboard_page: Callable[[int], Page], width: int
) -> None:
    supplier = keyboard_page(width)
    log_in_by_keyboard(supplier, SUPPLIER)

    # The question, from the project page through its Q&A link.
    supplier.goto(CARE_HOMES)
    tab_to(supplier, by_href(rf"^{CARE_HOMES}/questions$"))
    submit_and_wait_for_navigation(supplier)
    question = unique("Kan løsningen leveres som tjeneste med norsk datalagring?")
    type_into(supplier, by_id("question-body"), question)
    tab_to(supplier, in_form("question-form"))
    submit_and_wait_for_navigation(supplier)
    expect(supplier.locator("main .success")).to_be_visible()
    expect(supplier.locator("main")).to_contain_text(question)

    # A one-to-one meeting: book the first free slot, then give it back.
    supplier.goto(CARE_HOMES)
    tab_to(supplier, by_href(rf"^{CARE_HOMES}/events$"))
    submit_and_wait_for_navigation(supplier)
    tab_to(supplier, by_text("^En-til-en-møter med leverandører$"))
    submit_and_wait_for_navigation(supplier)
    tab_to(supplier, in_form(r"book-\d+"))
    submit_and_wait_for_navigation(supplier)
    expect(supplier.locator("form[id^=unbook-]")).to_have_count(1)
    tab_to(supplier, in_form(r"unbook-\d+"))
    submit_and_wait_for_navigation(supplier)
    expect(supplier.locator("form[id^=unbook-]")).to_have_count(0)

    # The procurer answers the question, saves the draft, then publishes it to all suppliers.
    procurer = keyboard_page(width)
    log_in_by_keyboard(procurer, PROCURER)
    procurer.goto(f"{CARE_HOMES}/questions")
    item = procurer.locator("#question-queue > li", has_text=question)
    qid = (item.get_attribute("id") or "").removeprefix("question-")
    assert qid.isdigit(), "the question is in the procurer's queue"
    type_into(procurer, by_id(f"answer-{qid}-question"), "Kan løsningen leveres som en tjeneste?")
    type_into(procurer, by_id(f"answer-{qid}-answer"), "Ja, med data lagret i Norge.")
    tab_to(procurer, by_id(f"answer-{qid}-save"))
    submit_and_wait_for_navigation(procurer)
    publish_button = in_form(f"answer-{qid}")
    tab_to(procurer, lambda f: publish_button(f) and f.id != f"answer-{qid}-save")
    press(procurer, "Enter")
    # Publishing is final, so a dialog asks first, with the focus on its button; Enter confirms.
    expect(procurer.locator("dialog[open] [data-dialog-confirm]")).to_be_focused()
    assert_focus_visible(procurer, "in the confirmation dialog")
    press(procurer, "Enter")
    # The page goes to the published answer (the same page: its address only gains #qa-…);
    # the question leaves the queue and the answer joins the list, pushed live.
    expect(procurer.locator(f"#question-{qid}")).to_have_count(0)
    expect(procurer.locator("#qa-list")).to_contain_text("Ja, med data lagret i Norge.")
    settled_focus_visible(procurer, "after publishing, with the question gone from the queue")
