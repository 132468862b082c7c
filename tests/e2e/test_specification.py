"""The specification workspace in a browser: a procurer drafts a requirement and edits it, and the
co-author's open workspace shows both live without a reload; axe-core on the workspace and the
requirement page, and no sideways scrolling at 320 px."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.helpers import (
    EMPLOYEE,
    LIVE_TIMEOUT,
    PROCURER,
    assert_accessible,
    assert_not_reloaded,
    mark_document,
    wait_for_live_state,
)
from tests.helpers import docx_text, pdf_text

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 700}
PROJECT = {
    "title": "Kravspesifikasjon for nattilsyn",
    "summary": "Digitalt nattilsyn i hjemmetjenesten.",
    "service_area": "Helse",
    "innovation_ambition": "Tilsyn uten å vekke beboerne.",
}
RATIONALE = "Behovene er verifisert, og markedet skal få si sitt om løsningene."


def _auth(page: Page, email: str) -> dict[str, str]:
    token = page.request.post(
        "/api/v1/auth/token", form={"username": email, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _workspace(page: Page) -> int:
    """A new project of the procurer's in the market dialogue, with the employee as co-author."""
    auth = _auth(page, PROCURER)
    created = page.request.post("/api/v1/projects", data=PROJECT, headers=auth)
    assert created.ok, created.text()
    project = created.json()["id"]
    moved = page.request.post(
        f"/api/v1/projects/{project}/phase",
        data={"to_phase": "market_dialogue", "rationale": RATIONALE},
        headers=auth,
    )
    assert moved.ok, moved.text()
    employee = page.request.get("/api/v1/auth/me", headers=_auth(page, EMPLOYEE)).json()["id"]
    invited = page.request.post(
        f"/api/v1/projects/{project}/specification/co-authors",
        data={"user_id": employee},
        headers=auth,
    )
    assert invited.ok, invited.text()
    return project


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page is {width} px wide at {NARROW['width']} px"


def test_a_drafted_and_edited_requirement_shows_live_for_the_co_author(
    new_page: Callable[..., Page],
) -> None:
    procurer = new_page(PROCURER)
    project = _workspace(procurer)
    co_author = new_page(EMPLOYEE)
    co_author.set_viewport_size(NARROW)
    co_author.goto(f"/projects/{project}/specification")
    wait_for_live_state(co_author)
    mark_document(co_author)
    no_sideways_scroll(co_author)

    procurer.set_viewport_size(NARROW)
    procurer.goto(f"/projects/{project}/specification")
    wait_for_live_state(procurer)
    assert_accessible(procurer)
    no_sideways_scroll(procurer)
    procurer.select_option("#new-requirement-kind", "award_criterion")
    procurer.fill("#new-requirement-title", "Pris")
    procurer.fill("#new-requirement-text", "Laveste pris over fire år.")
    procurer.fill("#new-requirement-weight", "40")
    procurer.get_by_role("button", name="Legg til kravet").click()
    expect(procurer.locator("h1")).to_have_text("Pris")

    listed = co_author.locator("#requirements-list")
    expect(listed).to_contain_text("Pris", timeout=LIVE_TIMEOUT)
    expect(listed).to_contain_text("40 %")

    procurer.fill("#edit-requirement-title", "Pris og livsløpskostnad")
    procurer.fill("#edit-requirement-text", "Laveste pris over seks år.")
    procurer.get_by_role("button", name="Lagre endringene").click()
    expect(procurer.locator("h1")).to_have_text("Pris og livsløpskostnad")
    expect(listed).to_contain_text("Pris og livsløpskostnad", timeout=LIVE_TIMEOUT)
    assert_not_reloaded(co_author)

    procurer.get_by_role("button", name="Sammenlign").click()
    expect(procurer.locator("#diff del")).to_have_text("fire")
    expect(procurer.locator("#diff ins")).to_have_text("seks")
    assert_accessible(procurer)
    no_sideways_scroll(procurer)
    assert_accessible(co_author)


def test_a_procurer_downloads_the_specification_as_pdf_and_docx(
    new_page: Callable[..., Page],
) -> None:
    procurer = new_page(PROCURER)
    project = _workspace(procurer)
    drafted = procurer.request.post(
        f"/api/v1/projects/{project}/requirements",
        data={"kind": "functional", "title": "Varsling på natt", "text": "Varsle **straks**."},
        headers=_auth(procurer, PROCURER),
    )
    assert drafted.ok, drafted.text()
    procurer.goto(f"/projects/{project}/specification")
    assert_accessible(procurer)
    procurer.set_viewport_size({"width": 390, "height": 800})
    no_sideways_scroll_at(procurer, 390)
    for name, read in (("Last ned som PDF", pdf_text), ("Last ned som Word (DOCX)", docx_text)):
        with procurer.expect_download() as started:
            procurer.get_by_role("link", name=name).click()
        download = started.value
        assert download.suggested_filename.startswith("Kravspesifikasjon - ")
        text = read(Path(download.path()).read_bytes())
        assert "Kravspesifikasjon" in text and "Varsling på natt" in text
        assert "UTKAST – ikke endelig" in text


def no_sideways_scroll_at(page: Page, width: int) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page is {scrolled} px wide at {width} px"
