"""Trace links in a browser: a procurer accepts a suggested trace link on a requirement with one
click, and a co-author viewing the same requirement sees the link appear live, without a reload;
axe-core on the requirement page at 1280 and 390 px, and no sideways scrolling at 320 px."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    EMPLOYEE,
    LIVE_TIMEOUT,
    PROCURER,
    assert_accessible,
    assert_no_sideways_scroll,
    assert_not_reloaded,
    bearer,
    mark_document,
    wait_for_live_state,
)

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CARE_HOMES = "Trygge og energismarte omsorgsboliger"
REQUIREMENT = {
    "kind": "functional",
    "title": "Fallvarsling uten utstyr på kroppen",
    "text": "Løsningen skal varsle fall uten at beboeren må bære noe på kroppen.",
}


def _requirement(page: Page) -> int:
    """A new draft requirement in the demo's care-homes project, with the employee invited to
    co-author its specification."""
    auth = bearer(page, PROCURER)
    projects = page.request.get("/api/v1/projects", headers=auth).json()
    project = next(p["id"] for p in projects if p["title"] == CARE_HOMES)
    created = page.request.post(
        f"/api/v1/projects/{project}/requirements", data=REQUIREMENT, headers=auth
    )
    assert created.ok, created.text()
    employee = page.request.get("/api/v1/auth/me", headers=bearer(page, EMPLOYEE)).json()["id"]
    invited = page.request.post(
        f"/api/v1/projects/{project}/specification/co-authors",
        data={"user_id": employee},
        headers=auth,
    )
    assert invited.ok or invited.status == 409, invited.text()
    return int(created.json()["id"])


def test_an_accepted_suggestion_shows_live_for_the_co_author(
    new_page: Callable[..., Page],
) -> None:
    procurer = new_page(PROCURER)
    requirement = _requirement(procurer)
    co_author = new_page(EMPLOYEE)
    co_author.set_viewport_size(PHONE)
    co_author.goto(f"/requirements/{requirement}")
    wait_for_live_state(co_author)
    mark_document(co_author)
    expect(co_author.locator("#links")).to_contain_text("ikke sporet til noe innspill")

    procurer.set_viewport_size(WIDE)
    procurer.goto(f"/requirements/{requirement}")
    wait_for_live_state(procurer)
    assert_accessible(procurer)
    suggestion = procurer.locator(".trace-suggestion").filter(has_text="Fallvarsling").first
    expect(suggestion).to_be_visible()
    title = suggestion.locator("a").first.inner_text()
    suggestion.get_by_role("button", name="Godta koblingen").click()
    expect(procurer.locator("#links")).to_contain_text(title)
    expect(procurer.locator("#links")).to_contain_text("Utledet av")

    expect(co_author.locator("#links")).to_contain_text(title, timeout=LIVE_TIMEOUT)
    assert_not_reloaded(co_author)
    assert_accessible(co_author)

    procurer.set_viewport_size(PHONE)
    assert_accessible(procurer)
    assert_no_sideways_scroll(procurer, 320)
    assert_no_sideways_scroll(co_author, 320)
