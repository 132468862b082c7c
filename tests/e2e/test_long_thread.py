"""A need's long thread in the browser: the first page, a comment arriving live, "load more" in
place without repeating the live one; and "Show more" of one's own comments in place."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from app.services.editing import OWN_COMMENT_PAGE
from app.services.threads import COMMENT_PAGE
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.helpers import PROCURER, assert_not_reloaded, mark_document, wait_for_live_state

pytestmark = pytest.mark.browser


def test_load_more_comments_in_place_after_one_came_live(new_page: Callable[..., Page]) -> None:
    page = new_page(PROCURER)
    token = page.request.post(
        "/api/v1/auth/token", form={"username": PROCURER, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    need = {"title": "En lang tråd", "problem": "Mange har noe å si om dette."}
    need_id = page.request.post("/api/v1/projects/1/needs", data=need, headers=auth).json()["id"]
    for n in range(COMMENT_PAGE + 3):
        posted = page.request.post(
            f"/api/v1/needs/{need_id}/comments", data={"body": f"Innspill {n}"}, headers=auth
        )
        assert posted.ok, posted.text()

    page.goto(f"/needs/{need_id}")
    wait_for_live_state(page)
    mark_document(page)
    comments = page.locator("#comments > li.comment")
    expect(comments).to_have_count(COMMENT_PAGE)

    live = {"body": "Kom mens tråden var åpen"}
    assert page.request.post(f"/api/v1/needs/{need_id}/comments", data=live, headers=auth).ok
    expect(page.get_by_text("Kom mens tråden var åpen")).to_have_count(1)

    page.get_by_role("link", name="Vis flere kommentarer").click()
    expect(comments).to_have_count(COMMENT_PAGE + 4)
    expect(page.locator("#comments-more")).to_have_count(0)
    expect(page.get_by_text("Kom mens tråden var åpen")).to_have_count(1)  # not repeated
    expect(comments.last).to_contain_text("Kom mens tråden var åpen")  # still last
    assert_not_reloaded(page)


def test_show_more_of_ones_own_comments_in_place(new_page: Callable[..., Page]) -> None:
    page = new_page(PROCURER)
    token = page.request.post(
        "/api/v1/auth/token", form={"username": PROCURER, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    need = {"title": "Mange egne innspill", "problem": "Jeg har mye å si om dette."}
    need_id = page.request.post("/api/v1/projects/1/needs", data=need, headers=auth).json()["id"]
    for n in range(OWN_COMMENT_PAGE + 3):
        posted = page.request.post(
            f"/api/v1/needs/{need_id}/comments", data={"body": f"Eget {n}"}, headers=auth
        )
        assert posted.ok, posted.text()

    page.goto(f"/needs/{need_id}")
    wait_for_live_state(page)
    mark_document(page)
    own = page.locator(".own-comments li.card")
    expect(own).to_have_count(OWN_COMMENT_PAGE)
    expect(own.first).to_contain_text(f"Eget {OWN_COMMENT_PAGE + 2}")  # newest first

    page.locator("#own-comments-more a").click()
    expect(own).to_have_count(OWN_COMMENT_PAGE + 3)
    expect(page.locator("#own-comments-more")).to_have_count(0)
    expect(own.last).to_contain_text("Eget 0")
    assert_not_reloaded(page)
