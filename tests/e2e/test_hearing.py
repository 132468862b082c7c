"""The hearing in a browser: a supplier selects a passage of a requirement and comments on it, and
the procurer's open hearing page shows the new highlight live without a reload (with the
supplier's company), while the other supplier's shows it as "A supplier"; axe-core on the page at
1280 and 390 px, and no sideways scrolling at 320 px."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.helpers import (
    LIVE_TIMEOUT,
    PROCURER,
    SUPPLIER,
    assert_accessible,
    assert_not_reloaded,
    open_live,
    wait_for_live_state,
)

pytestmark = pytest.mark.browser

RIVAL = "leverandor@klimalos.example"
PASSAGE = "uten ekstra kostnad"
COMMENT = "Hva regnes som ekstra kostnad: gjelder det også timer til uttrekk?"
WIDE, PHONE, NARROW = (
    {"width": 1280, "height": 900},
    {"width": 390, "height": 844},
    {"width": 320, "height": 700},
)
# Select `quote` in the text of a requirement, as a reader dragging over it would.
SELECT = """([selector, quote]) => {
  const box = document.querySelector(selector);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  let seen = 0, node, start = null, end = null;
  const at = box.textContent.indexOf(quote), stop = at + quote.length;
  while ((node = walker.nextNode())) {
    const length = node.textContent.length;
    if (start === null && at < seen + length) { start = [node, at - seen]; }
    if (start !== null && stop <= seen + length) { end = [node, stop - seen]; break; }
    seen += length;
  }
  const range = document.createRange();
  range.setStart(...start);
  range.setEnd(...end);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def _hearing(page: Page) -> tuple[str, int]:
    """The demo's open hearing (its page) and the data-ownership requirement's id in it."""
    token = page.request.post(
        "/api/v1/auth/token", form={"username": PROCURER, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    projects = page.request.get("/api/v1/projects?limit=100", headers=auth).json()
    items = projects["items"] if isinstance(projects, dict) else projects
    project = next(p["id"] for p in items if p["title"].startswith("Trygge og energismarte"))
    [hearing] = page.request.get(f"/api/v1/projects/{project}/hearings", headers=auth).json()
    requirements = page.request.get(f"/api/v1/projects/{project}/requirements", headers=auth)
    data = next(
        r["id"] for r in requirements.json() if r["title"].startswith("Kommunen eier dataene")
    )
    return f"/hearings/{hearing['id']}", data


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page is {width} px wide at {NARROW['width']} px"


def test_a_suppliers_passage_comment_shows_live_for_the_procurer(
    new_page: Callable[..., Page],
) -> None:
    procurer = new_page(PROCURER)
    path, requirement = _hearing(procurer)
    procurer.set_viewport_size(WIDE)
    open_live(procurer, path)
    wait_for_live_state(procurer)
    assert_accessible(procurer)
    rival = new_page(RIVAL)
    rival.set_viewport_size(PHONE)
    open_live(rival, path)
    wait_for_live_state(rival)
    assert_accessible(rival)

    supplier = new_page(SUPPLIER)
    supplier.set_viewport_size(NARROW)
    supplier.goto(path)
    wait_for_live_state(supplier)
    no_sideways_scroll(supplier)
    button = supplier.locator(f'[data-passage-button="{requirement}"]')
    expect(button).to_be_hidden()
    supplier.evaluate(SELECT, [f"#hearing-text-{requirement}", PASSAGE])
    expect(button).to_be_visible()
    expect(button).to_have_text("Kommenter utvalgt tekst")
    button.click()
    form = supplier.locator(f"#hearing-comment-form-{requirement}")
    expect(form.locator('input[name="passage"]')).to_have_value(PASSAGE)
    expect(form.locator("textarea")).to_be_focused()
    form.locator("textarea").fill(COMMENT)
    form.get_by_role("button", name="Send kommentar").click()
    own = supplier.locator(f"#hearing-text-{requirement} mark", has_text=PASSAGE)
    expect(own).to_have_attribute("data-count", "1")

    mark = procurer.locator(f"#hearing-text-{requirement} mark", has_text=PASSAGE)
    expect(mark).to_have_attribute("data-count", "1", timeout=LIVE_TIMEOUT)
    comments = procurer.locator(f"#hearing-heard-{requirement} .hearing-comments")
    expect(comments).to_contain_text(COMMENT)
    expect(comments).to_contain_text("Helsetek AS")
    assert_not_reloaded(procurer)
    seen = rival.locator(f"#hearing-heard-{requirement}")
    expect(seen).to_contain_text(COMMENT, timeout=LIVE_TIMEOUT)
    expect(seen).not_to_contain_text("Helsetek")
    expect(seen).to_contain_text("En leverandør")
    assert_not_reloaded(rival)

    assert_accessible(procurer)
    assert_accessible(rival)
    assert_accessible(supplier)
    no_sideways_scroll(supplier)
