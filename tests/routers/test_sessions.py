"""Browser sessions live on the server: logout ends them, and one can see and end one's own."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.websockets import WebSocketDisconnect

from app.main import app
from app.models import LoginSession
from app.models.base import utcnow
from tests.conftest import CSRF_RE, World, login
from tests.helpers import EN, ORIGIN, close_codes

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)


def _me(client: TestClient) -> int:
    return client.get("/api/v1/auth/me", headers=EN).status_code


def _browser(user_agent: str) -> TestClient:
    return TestClient(app, headers={"User-Agent": user_agent})


def _copy_of(client: TestClient) -> TestClient:
    """Another browser holding a copy of the client's cookies (a stolen cookie)."""
    thief = TestClient(app)
    thief.cookies.update(client.cookies)
    return thief


def _csrf(client: TestClient, path: str = "/account/sessions") -> str:
    match = CSRF_RE.search(client.get(path).text)
    assert match
    return match.group(1)


def test_logout_ends_the_session_for_a_copied_cookie_too(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    thief = _copy_of(client)
    assert _me(thief) == 200
    response = client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    assert response.status_code == 200
    assert _me(client) == 401
    assert _me(thief) == 401


def test_the_cookie_holds_a_random_key_and_not_the_user(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    payload = client.cookies["pivotal_session"].split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert "uid" not in data
    assert len(data["sid"]) >= 40
    assert str(world.citizen.id) not in data.values()


def test_the_session_table_keeps_only_a_hash_of_the_key(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.citizen)
    payload = client.cookies["pivotal_session"].split(".")[0]
    key = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))["sid"]
    stored = session.exec(select(LoginSession)).all()
    assert [s.user_id for s in stored] == [world.citizen.id]
    assert stored[0].key_hash != key and key not in stored[0].key_hash


def test_sessions_page_lists_ones_own_sessions_and_marks_this_one(
    client: TestClient, world: World
) -> None:
    laptop, phone = _browser(FIREFOX), _browser(CHROME_ANDROID)
    login(laptop, world.citizen)
    login(phone, world.citizen)
    login(client, world.employee)  # someone else's session is not listed
    page = laptop.get("/account/sessions", headers=EN)
    assert page.status_code == 200
    assert "Firefox / Linux" in page.text
    assert "Chrome / Android" in page.text
    assert page.text.count('class="card stack" id="session-') == 2
    assert page.text.count('<span class="status">This browser</span>') == 1
    marked = page.text.index('<span class="status">This browser</span>')
    assert page.text.rfind("Firefox / Linux", 0, marked) > page.text.rfind("Chrome", 0, marked)
    assert "Log out everywhere else" in page.text


def test_profile_links_to_sessions_and_tokens(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    profile = client.get("/profile").text
    assert 'href="/account/sessions"' in profile
    assert 'href="/account/tokens"' in profile


def test_logging_out_another_session_from_the_page(
    client: TestClient, session: Session, world: World
) -> None:
    laptop, phone = _browser(FIREFOX), _browser(CHROME_ANDROID)
    login(laptop, world.citizen)
    login(phone, world.citizen)
    phone_id = session.exec(
        select(LoginSession.id).where(LoginSession.label == "Chrome / Android")
    ).one()
    response = laptop.post(
        f"/account/sessions/{phone_id}/end",
        data={"csrf_token": _csrf(laptop)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _me(phone) == 401
    assert _me(laptop) == 200


def test_nobody_can_end_someone_elses_session(
    client: TestClient, other_client: TestClient, session: Session, world: World
) -> None:
    login(client, world.citizen)
    login(other_client, world.employee)
    citizens = session.exec(
        select(LoginSession.id).where(LoginSession.user_id == world.citizen.id)
    ).one()
    response = other_client.post(
        f"/account/sessions/{citizens}/end", data={"csrf_token": _csrf(other_client)}, headers=EN
    )
    assert response.status_code == 404
    assert _me(client) == 200


def test_log_out_everywhere_else_asks_for_confirmation_then_keeps_only_this_one(
    client: TestClient, world: World
) -> None:
    laptop, phone, tablet = _browser(FIREFOX), _browser(CHROME_ANDROID), TestClient(app)
    for browser in (laptop, phone, tablet):
        login(browser, world.citizen)
    unconfirmed = laptop.post(
        "/account/sessions/end-others", data={"csrf_token": _csrf(laptop)}, headers=EN
    )
    assert unconfirmed.status_code == 422
    assert "confirm" in unconfirmed.text
    assert _me(phone) == 200
    confirmed = laptop.post(
        "/account/sessions/end-others",
        data={"csrf_token": _csrf(laptop), "confirm": "yes"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert (_me(laptop), _me(phone), _me(tablet)) == (200, 401, 401)


def test_logging_out_this_session_from_the_page_logs_out(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.citizen)
    mine = session.exec(select(LoginSession.id)).one()
    response = client.post(
        f"/account/sessions/{mine}/end", data={"csrf_token": _csrf(client)}, follow_redirects=False
    )
    assert response.headers["location"] == "/"
    assert _me(client) == 401


def test_sessions_and_tokens_pages_need_a_login(client: TestClient, world: World) -> None:
    for path in ("/account/sessions", "/account/tokens"):
        assert client.get(path, headers=EN).status_code == 401


def test_csrf_still_guards_the_session(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    client.headers.pop("X-CSRF-Token")
    response = client.post("/account/sessions/end-others", data={"confirm": "yes"}, headers=EN)
    assert response.status_code == 403


def test_a_logged_out_sessions_socket_reconnects_as_a_visitor(
    client: TestClient, world: World
) -> None:
    login(client, world.procurer)
    path = f"/ws/projects/{world.internal.id}"  # only the municipality's people may watch
    with client.websocket_connect(path, headers=ORIGIN) as ws:
        assert 'id="needs-list"' in ws.receive_text()
    thief = _copy_of(client)
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    with pytest.raises(WebSocketDisconnect), thief.websocket_connect(path, headers=ORIGIN) as ws:
        ws.receive_text()


def test_logout_closes_the_open_sockets_of_the_session(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    with client.websocket_connect(f"/ws/projects/{world.internal.id}", headers=ORIGIN) as ws:
        assert 'id="needs-list"' in ws.receive_text()
        client.post("/logout", data={"csrf_token": _csrf(client, "/")})
        assert close_codes(ws) == [1008]  # without the close, the socket would stay open


def test_a_session_idle_longer_than_the_max_age_ends(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.citizen)
    stored = session.exec(select(LoginSession)).one()
    stored.last_seen_at = utcnow() - timedelta(days=15)
    session.add(stored)
    session.commit()
    assert _me(client) == 401
    login(client, world.citizen)  # a new login forgets the idle one
    session.expire_all()
    assert len(session.exec(select(LoginSession)).all()) == 1
