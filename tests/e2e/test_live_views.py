"""Live views in a real browser: what one person posts appears for another without a reload."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.helpers import LIVE_TIMEOUT, assert_not_reloaded, open_live

pytestmark = pytest.mark.browser

EMPLOYEE = "ansatt@trondheim.example"
CITIZEN = "innbygger@example.org"
HOME_CARE = "/projects/1"
TWO_VIEWERS = re.compile(r"^\s*2\b")


def test_need_and_comment_reach_another_viewer_live(new_page: Callable[..., Page]) -> None:
    poster = new_page(EMPLOYEE)
    watcher = new_page(CITIZEN)
    title = f"Varsel når medisiner ikke er tatt {secrets.token_hex(3)}"
    comment = f"Dette skjer oss flere ganger i uka {secrets.token_hex(3)}."

    # Both on the project page: each sees that two people are viewing.
    open_live(watcher, HOME_CARE)
    open_live(poster, HOME_CARE)
    for page in (watcher, poster):
        expect(page.locator("#live-viewers")).to_have_text(TWO_VIEWERS, timeout=LIVE_TIMEOUT)

    # The employee posts a need through the htmx form.
    poster.fill("#need-title", title)
    poster.fill("#need-problem", "Hjemmeboende glemmer kveldsmedisinen, og ingen får vite det.")
    poster.fill("#need-affected", "Hjemmeboende med demens og pårørende")
    poster.click("#need-form button[type=submit]")

    # The citizen's list gains the card, pushed over the WebSocket.
    card = watcher.locator("#needs-list > li", has_text=title)
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(watcher.locator("#needs-list > li").first).to_contain_text(title)  # newest first
    assert_not_reloaded(watcher)
    assert_not_reloaded(poster)  # posting was an htmx request, not a form navigation
    need_path = card.locator("a").get_attribute("href")
    assert need_path is not None
    assert re.fullmatch(r"/needs/\d+", need_path)

    # Both open the new need; the counter follows them to the new topic.
    open_live(watcher, need_path)
    open_live(poster, need_path)
    expect(watcher.locator("h1")).to_have_text(title)
    for page in (watcher, poster):
        expect(page.locator("#live-viewers")).to_have_text(TWO_VIEWERS, timeout=LIVE_TIMEOUT)

    # The employee comments; the citizen reads it without reloading.
    poster.fill("#comment-form textarea[name=body]", comment)
    poster.click("#comment-form button[type=submit]")
    expect(watcher.locator("#comments")).to_contain_text(comment, timeout=LIVE_TIMEOUT)
    expect(watcher.locator("#comments > li", has_text=comment)).to_contain_text(
        "Tone Helsefagarbeider"
    )
    expect(poster.locator("#comments")).to_contain_text(comment, timeout=LIVE_TIMEOUT)
    assert_not_reloaded(watcher)
    assert_not_reloaded(poster)
    expect(poster.locator("#comment-form textarea[name=body]")).to_have_value("")


PROCURER = "innkjoper@trondheim.example"


def open_new_project(procurer: Page) -> str:
    """A public project of the test's own, so the other browser tests keep theirs in the needs
    phase; the procurer stays on its page. Returns its path."""
    procurer.goto("/projects/new")
    procurer.fill("#p-title", f"Smartere skoleskyss {secrets.token_hex(3)}")
    procurer.fill("#p-summary", "Færre tomme busser og tryggere skolevei.")
    procurer.fill("#p-area", "Oppvekst")
    procurer.fill("#p-ambition", "Fra faste ruter til skyss etter behov.")
    procurer.click("#project-form button[type=submit]")
    expect(procurer).to_have_url(re.compile(r"/projects/\d+$"))
    return "/" + procurer.url.split("/", 3)[3]


def move_to_market_dialogue(procurer: Page, rationale: str) -> None:
    """The procurer takes the gate decision through the htmx form on the project page."""
    procurer.select_option("#phase-to", "market_dialogue")
    procurer.fill("#phase-rationale", rationale)
    procurer.click("#phase-form button[type=submit]")
    procurer.click("#phase-ask [data-dialog-confirm]")  # a gate decision is confirmed first
    expect(procurer.locator("#project-phase-badge")).to_have_text("Fase: Markedsdialog")


def test_gate_decision_reaches_another_viewer_live(new_page: Callable[..., Page]) -> None:
    procurer = new_page(PROCURER)
    watcher = new_page(CITIZEN)
    rationale = f"Behovene er verifisert med de ansatte {secrets.token_hex(3)}."

    path = open_new_project(procurer)

    open_live(watcher, path)
    expect(watcher.locator("#project-phase-badge")).to_have_text("Fase: Behov")
    expect(watcher.locator("#live-viewers")).not_to_be_empty(timeout=LIVE_TIMEOUT)

    move_to_market_dialogue(procurer, rationale)

    # The citizen's page follows without a reload: the badge and the timeline's new entry.
    expect(watcher.locator("#project-phase-badge")).to_have_text(
        "Fase: Markedsdialog", timeout=LIVE_TIMEOUT
    )
    current = watcher.locator('#phase-timeline > li[aria-current="step"]')
    expect(current).to_contain_text("Markedsdialog")
    expect(current).to_contain_text(rationale)
    expect(current).to_contain_text("Ingrid Innkjøper")
    assert_not_reloaded(watcher)
    expect(watcher.locator("#phase-form")).to_have_count(0)


def test_the_dashboard_counts_a_new_need_without_a_reload(new_page: Callable[..., Page]) -> None:
    watcher = new_page(PROCURER)
    poster = new_page(EMPLOYEE)
    open_live(watcher, f"{HOME_CARE}/metrics")
    expect(watcher.locator("#metrics-body[data-live]")).to_be_attached(timeout=LIVE_TIMEOUT)
    employees = watcher.locator("#participation_by_role tbody tr", has_text="Ansatt")
    before = int(employees.locator("td").nth(1).inner_text())

    poster.goto(HOME_CARE)
    poster.fill("#need-title", f"Felles oversikt over hjelpemidler {secrets.token_hex(3)}")
    poster.fill("#need-problem", "Vi leter etter rullatorer og løftestoler hver uke.")
    poster.fill("#need-affected", "Hjemmetjenesten og brukerne")
    poster.click("#need-form button[type=submit]")

    expect(employees.locator("td").nth(1)).to_have_text(str(before + 1), timeout=LIVE_TIMEOUT)
    assert_not_reloaded(watcher)


def test_a_bokmal_page_gets_bokmal_pushes_when_its_socket_asks_for_english(
    browser: Browser, server_url: str, problems: PageProblems, new_page: Callable[..., Page]
) -> None:
    """The visitor's browser asks for English and has chosen English in another tab since this
    page was loaded in bokmål; what the page's socket pushes is still bokmål."""
    procurer = new_page(PROCURER)
    path = open_new_project(procurer)
    context = problems.watch(browser.new_context(base_url=server_url, locale="en-US"))
    watcher = context.new_page()
    watcher.route(
        f"**{path}",
        lambda route: route.continue_(
            headers={**route.request.headers, "accept-language": "nb-NO,nb;q=0.9"}
        ),
    )

    def switched_to_english_meanwhile(socket: WebSocketRoute) -> None:
        context.add_cookies([{"name": "lang", "value": "en", "url": server_url}])
        socket.connect_to_server()

    watcher.route_web_socket(re.compile(r"/ws/"), switched_to_english_meanwhile)
    try:
        open_live(watcher, path)
        expect(watcher.locator("html")).to_have_attribute("lang", "nb")
        expect(watcher.locator("#live-viewers")).not_to_be_empty(timeout=LIVE_TIMEOUT)
        expect(watcher.locator("#project-phase-badge")).to_have_text("Fase: Behov")  # resync

        move_to_market_dialogue(procurer, f"Behovene er godt nok beskrevet {secrets.token_hex(3)}.")
        expect(watcher.locator("#project-phase-badge")).to_have_text(
            "Fase: Markedsdialog", timeout=LIVE_TIMEOUT
        )
        assert_not_reloaded(watcher)
    finally:
        context.close()
