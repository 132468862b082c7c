"""The self-assessment in a browser: a demo employee answers with the keyboard alone (Tab to
the first level, Space to choose it, arrow keys to change it, typing evidence), each answer is
saved at once and the saved status is announced in a polite live region; axe-core finds no
WCAG 2.1 A/AA violation on the answer form nor on the round's page, and neither scrolls
sideways at 320 px. A document of the municipality's projects is attached as evidence by
opening the list with Enter and ticking it with Space."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.helpers import EMPLOYEE, PROCURER, assert_accessible

pytestmark = pytest.mark.browser

TITLE = "Tastaturrunden"


def _auth(page: Page, email: str) -> dict[str, str]:
    token = page.request.post(
        "/api/v1/auth/token", form={"username": email, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _open_round(page: Page) -> int:
    """A round of the procurer's municipality with the demo employee invited by account."""
    procurer, employee = _auth(page, PROCURER), _auth(page, EMPLOYEE)
    me = page.request.get("/api/v1/auth/me", headers=procurer).json()
    employee_id = page.request.get("/api/v1/auth/me", headers=employee).json()["id"]
    deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat()
    opened = page.request.post(
        f"/api/v1/organisations/{me['organisation_id']}/maturity/rounds",
        headers=procurer,
        data={"title": TITLE, "deadline": deadline},
    )
    assert opened.status == 201, opened.text()
    round_id = int(opened.json()["id"])
    invited = page.request.post(
        f"/api/v1/maturity/rounds/{round_id}/respondents",
        headers=procurer,
        data={"user_id": employee_id, "unit": "service_area", "unit_detail": "Helse og velferd"},
    )
    assert invited.status == 201, invited.text()
    return round_id


def _fits(page: Page, width: int = 320) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


def _tab_to(page: Page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never got the focus by Tab")


def test_an_employee_answers_with_the_keyboard_and_hears_it_saved(
    new_page: Callable[..., Page],
) -> None:
    procurer = new_page(PROCURER)
    round_id = _open_round(procurer)
    procurer.goto(f"/maturity/rounds/{round_id}")
    expect(procurer.locator("#respondents-heading")).to_be_visible()
    expect(procurer.locator("#invite-form")).to_be_visible()
    assert_accessible(procurer)
    _fits(procurer)
    procurer.set_viewport_size({"width": 1280, "height": 900})
    closing = procurer.locator(f"a[href='/maturity/rounds/{round_id}/close']")
    closing.click()  # with JavaScript: the confirmation in a native dialog
    expect(procurer.locator("#close-dialog")).to_be_visible()
    expect(procurer.locator("#close-dialog-confirm")).to_be_visible()
    assert_accessible(procurer)
    procurer.keyboard.press("Escape")
    expect(procurer.locator("#close-dialog")).to_be_hidden()
    expect(closing).to_be_focused()
    procurer.goto(f"/maturity/rounds/{round_id}/close")  # the page the link leads to without it
    expect(procurer.locator("#close-confirm")).to_be_visible()
    assert_accessible(procurer)
    procurer.click(".site-nav a[href$='/maturity']")  # the header's link to the municipality's page
    expect(procurer.locator(f"#round-{round_id}")).to_contain_text(TITLE)
    assert_accessible(procurer)

    employee = new_page(EMPLOYEE)
    employee.goto(f"/maturity/rounds/{round_id}/answer")
    expect(employee.locator("#answer-progress")).to_contain_text("0 av 16")
    assert_accessible(employee)
    status = employee.locator("#indicator-need_discovery-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_attribute("role", "status")

    _tab_to(employee, "need_discovery-level-1")
    employee.keyboard.press("Space")
    expect(employee.locator("#need_discovery-level-1")).to_be_checked()
    expect(status).to_contain_text("Lagret", timeout=10_000)
    expect(employee.locator("#answer-progress")).to_contain_text("1 av 16")
    employee.keyboard.press("ArrowDown")
    employee.keyboard.press("ArrowDown")
    expect(employee.locator("#need_discovery-level-3")).to_be_checked()
    employee.keyboard.press("Tab")
    assert employee.evaluate("document.activeElement.id") == "need_discovery-evidence"
    employee.keyboard.type("Behovsnotat fra helse og velferd")
    status.evaluate("element => { element.textContent = '' }")
    employee.keyboard.press("Tab")  # leaving the field saves it
    expect(status).to_contain_text("Lagret", timeout=10_000)

    # A document of the municipality's projects as evidence: open the list, tick the first.
    assert employee.evaluate("document.activeElement.id") == "need_discovery-documents-summary"
    employee.keyboard.press("Enter")
    expect(employee.locator("#need_discovery-documents")).to_have_attribute("open", "")
    first = employee.locator("#need_discovery-documents input[type=checkbox]").first
    expect(first).to_be_visible()
    document_id = first.get_attribute("value")
    assert_accessible(employee)
    status.evaluate("element => { element.textContent = '' }")
    employee.keyboard.press("Tab")
    assert employee.evaluate("document.activeElement.type") == "checkbox"
    employee.keyboard.press("Space")
    expect(first).to_be_checked()
    expect(status).to_contain_text("Lagret", timeout=10_000)

    # "Don't know" on the next indicator, by arrow keys from its first level.
    _tab_to(employee, "market_dialogue-level-1", limit=100)
    employee.keyboard.press("ArrowUp")  # wraps round to the group's last choice
    expect(employee.locator("#market_dialogue-level-dont_know")).to_be_checked()
    expect(employee.locator("#indicator-market_dialogue-status")).to_contain_text(
        "Lagret", timeout=10_000
    )
    expect(employee.locator("#answer-progress")).to_contain_text("2 av 16")

    employee.reload()  # resuming shows what was saved
    expect(employee.locator("#need_discovery-level-3")).to_be_checked()
    expect(employee.locator("#need_discovery-evidence")).to_have_value(
        "Behovsnotat fra helse og velferd"
    )
    expect(employee.locator("#market_dialogue-level-dont_know")).to_be_checked()
    expect(employee.locator(f"#need_discovery-document-{document_id}")).to_be_checked()
    expect(employee.locator("#need_discovery-documents")).to_have_attribute("open", "")
    expect(employee.locator("#answer-progress")).to_contain_text("2 av 16")
    assert_accessible(employee)
    _fits(employee)

    procurer.goto(f"/maturity/rounds/{round_id}")
    expect(procurer.locator("table.respondents")).to_contain_text("2 av 16")
