"""The design system in a real browser: a pasted 300-character URL or a long option widens no
page at 320 or 390 px, the header is compact (one row for an admin at 1280 px, at most 64 px tall
on a phone) and its menu opens without JavaScript, focus is visible, and reduced motion is
respected."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LOCALE
from tests.e2e.helpers import PROCURER, assert_accessible, bearer, wait_for_live_state

pytestmark = pytest.mark.browser

ADMIN = "admin@pivotal.example"
URL = "https://example.org/" + "a1b2c3d4e5" * 28  # 300 characters without a break
WORD = "Ordvegg" * 28  # 196 letters: the longest word a title takes
PROJECT = {
    "title": "Lange ord",
    "summary": "Et prosjekt der noen limer inn lange lenker.",
    "service_area": "Helse",
    "innovation_ambition": "Siden holder seg innenfor skjermen.",
}


@pytest.fixture(scope="module")
def long_content(browser: Browser, server_url: str) -> dict[str, int]:
    """A project of the procurer's with a need, a comment, a decision and a document whose
    words are longer than any phone is wide."""
    context = browser.new_context(base_url=server_url)
    page = context.new_page()
    auth = bearer(page, PROCURER)
    project = page.request.post("/api/v1/projects", data=PROJECT, headers=auth)
    assert project.ok, project.text()
    project_id = project.json()["id"]
    need = {"title": WORD, "problem": f"Se {URL} for detaljer.", "affected": URL}
    posted = page.request.post(f"/api/v1/projects/{project_id}/needs", data=need, headers=auth)
    assert posted.ok, posted.text()
    need_id = posted.json()["id"]
    comment = page.request.post(
        f"/api/v1/needs/{need_id}/comments", data={"body": f"Lenke: {URL}"}, headers=auth
    )
    assert comment.ok, comment.text()
    decided = page.request.put(
        f"/api/v1/needs/{need_id}/status",
        data={"status": "rejected", "reason": f"Allerede dekket av {URL}"},
        headers=auth,
    )
    assert decided.ok, decided.text()
    document = page.request.post(
        f"/api/v1/projects/{project_id}/documents",
        multipart={
            "file": {"name": "notat.txt", "mimeType": "text/plain", "buffer": b"Et notat.\n"},
            "title": WORD,
        },
        headers=auth,
    )
    assert document.ok, document.text()
    context.close()
    return {"project": project_id, "need": need_id}


def assert_fits(page: Page, path: str) -> None:
    """`path` shows without sideways scrolling at 320 and 390 px."""
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(path)
        found = page.evaluate("document.documentElement.scrollWidth")
        assert found <= width, f"{path} is {found} px wide at {width} px"


def test_long_words_widen_no_page_on_a_phone(
    new_page: Callable[..., Page], long_content: dict[str, int]
) -> None:
    page = new_page(PROCURER)
    project, need = long_content["project"], long_content["need"]
    for path in (
        f"/needs/{need}",
        f"/projects/{project}",
        f"/projects/{project}/documents",
        f"/projects/{project}/audit-log",
        f"/projects/{project}/metrics",
        "/me",
    ):
        assert_fits(page, path)


def test_long_options_do_not_widen_the_documents_page(
    new_page: Callable[..., Page], long_content: dict[str, int]
) -> None:
    page = new_page(PROCURER)
    assert_fits(page, f"/projects/{long_content['project']}/documents")
    page.set_viewport_size({"width": 320, "height": 800})
    # The longest label a select may come to hold (a document's or a need's title).
    page.evaluate(
        "document.querySelectorAll('main select')"
        f".forEach(s => s.add(new Option('{WORD}', 'long'), 0))"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # The upload form's and each document's audience, read at one moment (a live push may
    # redraw the list between two reads).
    rights = page.evaluate(
        "[...document.querySelectorAll('main select')]"
        ".filter(s => s.getClientRects().length)"
        ".map(s => s.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= 320, rights


def test_admin_header_is_one_row_at_1280(new_page: Callable[..., Page]) -> None:
    page = new_page(ADMIN)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    tops = page.evaluate(
        "[...document.querySelectorAll('.site-bar > *, .site-nav li')]"
        ".filter(e => e.getClientRects().length)"
        ".map(e => e.getBoundingClientRect())"
        ".map(r => Math.round(r.top + r.height / 2))"
    )
    assert max(tops) - min(tops) <= 4, f"the header's items sit at heights {tops}"
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    expect(page.get_by_role("link", name="Nytt prosjekt")).to_be_visible()
    expect(page.locator("#site-search-q")).to_be_visible()


def test_phone_header_is_compact_and_its_menu_holds_the_links(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(ADMIN)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/projects/1")
    wait_for_live_state(page)
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    expect(page.locator("#notification-count")).to_be_visible()
    expect(page.get_by_role("link", name="Organisasjoner")).to_be_hidden()
    page.locator(".site-menu summary").click()
    for name in ("Prosjekter", "Nytt prosjekt", "Mine bidrag", "Søk", "Organisasjoner"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


def test_header_menu_opens_without_javascript(browser: Browser, server_url: str) -> None:
    context = browser.new_context(
        base_url=server_url,
        java_script_enabled=False,
        viewport={"width": 320, "height": 700},
        locale=LOCALE,
    )
    page = context.new_page()
    page.goto("/")
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    page.locator(".site-menu summary").click()
    expect(page.get_by_role("link", name="Registrer deg")).to_be_visible()
    expect(page.get_by_label("Språk")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_focus_ring_is_three_pixels_and_motion_can_be_turned_off(
    browser: Browser, server_url: str
) -> None:
    context = browser.new_context(base_url=server_url, reduced_motion="reduce", locale=LOCALE)
    page = context.new_page()
    page.goto("/login")
    page.locator("#login-email").focus()
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; })()"
    )
    assert ring == ["solid", "3px"]
    moving = page.evaluate(
        "getComputedStyle(document.querySelector('#login-form button')).transitionDuration"
    )
    assert moving == "0s"
    context.close()
