"""The notifications page and API (newest first, keyset pages, marking read), the follow
buttons, and the person's own live channel with the unread count."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from tests.conftest import CSRF_RE, World, login
from tests.helpers import ORIGIN, Api, counted_queries, push


def _replies(api: Api, world: World, count: int) -> list[int]:
    """`count` replies to the citizen's comment, each a notification for the citizen."""
    need = api.post_need(world.employee, world.public.id)
    first = api.comment(world.citizen, need["id"], "Dette kjenner jeg igjen.")
    return [
        api.comment(world.procurer, need["id"], f"Svar nummer {n}.", parent_id=first["id"])["id"]
        for n in range(count)
    ]


def test_the_api_lists_newest_first_with_the_unread_count(api: Api, world: World) -> None:
    replies = _replies(api, world, 3)
    page = api.get("/me/notifications", world.citizen).json()
    assert page["unread_count"] == 3
    assert [item["object_id"] for item in page["items"]] == replies[::-1]
    item = page["items"][0]
    assert set(item) == {
        "id",
        "kind",
        "project_id",
        "maturity_round_id",
        "object_type",
        "object_id",
        "text",
        "url",
        "created_at",
        "read",
    }
    assert (item["kind"], item["object_type"], item["read"]) == ("reply", "comment", False)


def test_the_api_pages_by_keyset(api: Api, world: World) -> None:
    replies = _replies(api, world, 5)
    first = api.get("/me/notifications?limit=2", world.citizen).json()
    assert [i["object_id"] for i in first["items"]] == replies[:2:-1][:2]
    second = api.get(f"/me/notifications?limit=2&before={first['next_before']}", world.citizen)
    assert [i["object_id"] for i in second.json()["items"]] == [replies[2], replies[1]]
    rest = api.get(f"/me/notifications?before={second.json()['next_before']}", world.citizen)
    assert [i["object_id"] for i in rest.json()["items"]] == [replies[0]]
    assert rest.json()["next_before"] is None
    assert api.get("/me/notifications?limit=0", world.citizen).status_code == 422


def test_marking_given_ids_or_all_read(api: Api, world: World) -> None:
    _replies(api, world, 3)
    ids = [i["id"] for i in api.get("/me/notifications", world.citizen).json()["items"]]
    one = api.post("/me/notifications/read", world.citizen, json={"ids": [ids[0]]}).json()
    assert one["unread_count"] == 2
    assert [i["read"] for i in one["items"]] == [True, False, False]
    everything = api.post("/me/notifications/read", world.citizen, json={}).json()
    assert everything["unread_count"] == 0


def test_no_one_marks_or_reads_another_persons_notifications(api: Api, world: World) -> None:
    _replies(api, world, 1)
    ids = [i["id"] for i in api.get("/me/notifications", world.citizen).json()["items"]]
    api.post("/me/notifications/read", world.employee, json={"ids": ids})
    assert api.get("/me/notifications", world.citizen).json()["unread_count"] == 1
    assert api.get("/me/notifications", None).status_code == 401
    assert api.post("/me/notifications/read", None, json={}).status_code == 401


def test_the_page_lists_links_and_marks_one_read_without_javascript(
    api: Api, world: World, client: TestClient
) -> None:
    _replies(api, world, 2)
    login(client, world.citizen)
    page = client.get("/me/notifications")
    assert page.status_code == 200
    assert 'id="notification-count"' in page.text and ">2<" in page.text  # the header's count
    notification_id = api.get("/me/notifications", world.citizen).json()["items"][0]["id"]
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    marked = client.post(
        f"/me/notifications/{notification_id}/read",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    assert api.get("/me/notifications", world.citizen).json()["unread_count"] == 1
    htmx = client.post(
        "/me/notifications/read", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == "/me/notifications"
    assert api.get("/me/notifications", world.citizen).json()["unread_count"] == 0


def test_the_page_needs_a_login(client: TestClient) -> None:
    assert client.get("/me/notifications").status_code == 401


def test_the_project_and_need_pages_offer_to_follow(
    api: Api, world: World, client: TestClient, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)
    login(client, world.citizen)
    project_page = client.get(f"/projects/{world.public.id}")
    assert f'action="/projects/{world.public.id}/follow"' in project_page.text
    token = CSRF_RE.search(project_page.text).group(1)  # type: ignore[union-attr]
    followed = client.post(
        f"/projects/{world.public.id}/follow",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert followed.status_code == 200
    assert f'action="/projects/{world.public.id}/unfollow"' in followed.text
    need_page = client.get(f"/needs/{need['id']}")
    assert f'action="/needs/{need["id"]}/follow"' in need_page.text
    visitor = TestClient(client.app)
    assert "/follow" not in visitor.get(f"/projects/{world.public.id}").text


def test_following_twice_is_a_conflict_and_unfollowing_nothing_a_404(
    api: Api, world: World
) -> None:
    assert api.post(f"/projects/{world.public.id}/follow", world.citizen).status_code == 201
    assert api.post(f"/projects/{world.public.id}/follow", world.citizen).status_code == 409
    need = api.post_need(world.employee, world.public.id)
    assert api.delete(f"/needs/{need['id']}/follow", world.citizen).status_code == 404
    assert api.delete(f"/needs/{need['id']}/follow", world.employee).status_code == 204


# ---- the person's own live channel -------------------------------------------------------------


def test_the_unread_count_is_pushed_to_the_persons_own_socket(
    api: Api, world: World, client: TestClient
) -> None:
    login(client, world.citizen)
    with client.websocket_connect(f"/ws/people/{world.citizen.id}", headers=ORIGIN) as ws:
        first = ws.receive_text()
        assert 'id="notification-count"' in first and 'hx-swap-oob="true"' in first
        _replies(api, world, 1)
        pushed = push(ws, "badge count")
        assert ">1<" in pushed


def test_no_one_opens_another_persons_channel(world: World, client: TestClient) -> None:
    login(client, world.employee)
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/ws/people/{world.citizen.id}", headers=ORIGIN) as ws,
    ):
        ws.receive_text()


def test_a_visitor_has_no_channel(world: World, client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/ws/people/{world.citizen.id}", headers=ORIGIN) as ws,
    ):
        ws.receive_text()


def test_the_api_reads_and_changes_how_each_kind_is_mailed(api: Api, world: World) -> None:
    settings = api.get("/me/notifications/settings", world.citizen)
    assert settings.status_code == 200
    assert settings.json()["reply"] == "immediate"  # the defaults, before any choice
    assert settings.json()["followed_need"] == "digest"
    changed = api.request(
        "PATCH", "/me/notifications/settings", world.citizen, json={"reply": "off"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["reply"] == "off" and changed.json()["followed_need"] == "digest"
    assert api.get("/me/notifications/settings", world.citizen).json()["reply"] == "off"
    # Each person's own: the employee's stay the defaults.
    assert api.get("/me/notifications/settings", world.employee).json()["reply"] == "immediate"
    wrong = api.request(
        "PATCH", "/me/notifications/settings", world.citizen, json={"reply": "sometimes"}
    )
    assert wrong.status_code == 422
    assert api.get("/me/notifications/settings").status_code == 401


def test_the_headers_unread_count_is_checked_once_while_the_unread_stay_the_same(
    api: Api, world: World, client: TestClient
) -> None:
    for n in range(12):  # twelve needs of the employee, each told of a status change
        need = api.post_need(world.employee, world.public.id, title=f"Behov nummer {n}")
        assert api.set_status(world.procurer, need["id"], status="under_review").is_success
    login(client, world.employee)
    client.get("/me")  # the count is checked subject by subject here, then kept
    with counted_queries() as kept:
        page = client.get("/account/sessions")
    assert page.status_code == 200
    assert len(kept) <= 4, kept  # the session, the page's own list, one count of the unread
    assert api.set_status(world.procurer, need["id"], status="verified").is_success
    with counted_queries() as changed:  # a new unread one: checked again
        assert client.get("/account/sessions").status_code == 200
    assert len(changed) > len(kept)
