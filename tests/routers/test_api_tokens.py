"""API tokens are stored as hashes, named, listed, and end when revoked or expired."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import ApiToken
from app.models.base import utcnow
from tests.conftest import CSRF_RE, World, bearer, login
from tests.helpers import EN


def _me(client: TestClient, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/auth/me", headers={**headers, **EN})


def test_password_login_token_is_listed_and_can_be_revoked(
    client: TestClient, world: World
) -> None:
    headers = bearer(client, world.supplier)
    listed = client.get("/api/v1/auth/tokens", headers=headers)
    assert listed.status_code == 200
    [token] = listed.json()
    assert token["name"] == "API login"
    assert token["active"] is True
    assert "access_token" not in token
    revoked = client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=headers)
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    refused = _me(client, headers)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "The token has been revoked."


def test_a_named_token_is_shown_once_and_works(client: TestClient, world: World) -> None:
    headers = bearer(client, world.researcher)
    created = client.post(
        "/api/v1/auth/tokens",
        json={"name": "Eksportskript", "expires_in_days": 30},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    issued = created.json()
    assert issued["access_token"].startswith("pvt_")
    assert issued["name"] == "Eksportskript"
    own = {"Authorization": f"Bearer {issued['access_token']}"}
    assert _me(client, own).json()["id"] == world.researcher.id
    listed = client.get("/api/v1/auth/tokens", headers=own).text
    assert "Eksportskript" in listed
    assert issued["access_token"] not in listed


def test_only_the_hash_of_a_token_is_stored(
    client: TestClient, world: World, session: Session
) -> None:
    token = bearer(client, world.citizen)["Authorization"].removeprefix("Bearer ")
    [row] = session.exec(select(ApiToken)).all()
    assert token not in (row.token_hash, row.name)
    assert row.user_id == world.citizen.id


def test_an_expired_token_gets_401(client: TestClient, world: World, session: Session) -> None:
    headers = bearer(client, world.citizen)
    row = session.exec(select(ApiToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    refused = _me(client, headers)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "The token has expired; ask for a new one."


def test_a_made_up_token_gets_401(client: TestClient, world: World) -> None:
    assert _me(client, {"Authorization": "Bearer pvt_not-a-real-token"}).status_code == 401


def test_nobody_lists_or_revokes_someone_elses_tokens(client: TestClient, world: World) -> None:
    citizen = bearer(client, world.citizen)
    supplier = bearer(client, world.supplier)
    [citizens] = client.get("/api/v1/auth/tokens", headers=citizen).json()
    assert [t["id"] for t in client.get("/api/v1/auth/tokens", headers=supplier).json()] != [
        citizens["id"]
    ]
    refused = client.delete(f"/api/v1/auth/tokens/{citizens['id']}", headers={**supplier, **EN})
    assert refused.status_code == 404
    assert _me(client, citizen).status_code == 200


def test_token_endpoints_need_a_caller(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/auth/tokens").status_code == 401
    assert client.post("/api/v1/auth/tokens", json={"name": "x"}).status_code == 401
    assert client.delete("/api/v1/auth/tokens/1").status_code == 401


def test_a_token_needs_a_name_and_a_sensible_lifetime(client: TestClient, world: World) -> None:
    headers = {**bearer(client, world.citizen), **EN}
    for body in ({"name": ""}, {"name": "x", "expires_in_days": 0}, {"name": "x" * 81}):
        assert client.post("/api/v1/auth/tokens", json=body, headers=headers).status_code == 422


def test_tokens_page_creates_shows_once_and_revokes(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    created = client.post(
        "/account/tokens", data={"name": "Kommunens rapport", "expires_in_days": "7"}, headers=EN
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    token = created.text.split('id="issued-token-value" type="text" readonly value="')[1]
    token = token.split('"')[0]
    assert token.startswith("pvt_")
    assert _me(client, {"Authorization": f"Bearer {token}"}).status_code == 200
    page = client.get("/account/tokens", headers=EN).text
    assert "Kommunens rapport" in page
    assert token not in page
    token_id = page.split('action="/account/tokens/')[1].split("/")[0]
    csrf = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    unconfirmed = client.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}, headers=EN
    )
    assert unconfirmed.status_code == 422
    assert _me(client, {"Authorization": f"Bearer {token}"}).status_code == 200
    revoked = client.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert "Revoked" in client.get("/account/tokens", headers=EN).text
    client.cookies.clear()
    assert _me(client, {"Authorization": f"Bearer {token}"}).status_code == 401
