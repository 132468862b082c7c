"""Accounts: login and logout, API tokens (registration: tests/routers/test_registration.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CSRF_RE, PASSWORD, World, login
from tests.helpers import EN


def _form_token(client: TestClient, path: str) -> str:
    match = CSRF_RE.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _me(client: TestClient):
    return client.get("/api/v1/auth/me", headers=EN)


# ---- login and logout -----------------------------------------------------------------------


def test_login_form_starts_a_session(client: TestClient, world: World) -> None:
    login(client, world.employee)
    assert _me(client).json()["id"] == world.employee.id


def test_login_ignores_the_case_of_the_email(client: TestClient, world: World) -> None:
    token = _form_token(client, "/login")
    response = client.post(
        "/login",
        data={"email": world.employee.email.upper(), "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_wrong_password_and_unknown_email_get_one_and_the_same_401(
    client: TestClient, world: World
) -> None:
    for email, password in [
        (world.employee.email, "not the password"),
        ("nobody@example.org", PASSWORD),
    ]:
        token = _form_token(client, "/login")
        response = client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
            headers=EN,
        )
        assert response.status_code == 401
        assert "Wrong e-mail or password." in response.text
    assert _me(client).status_code == 401


def test_login_follows_a_same_site_next(client: TestClient, world: World) -> None:
    token = _form_token(client, f"/login?next=/projects/{world.public.id}")
    response = client.post(
        "/login",
        data={
            "email": world.employee.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": f"/projects/{world.public.id}",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/projects/{world.public.id}"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/steal",
        "https://evil.example/steal",
        "/\\evil.example/steal",  # browsers read the backslash as a slash
        "/\t/evil.example/steal",  # and drop the tab
        "/\n/evil.example/steal",
        "evil.example",
    ],
)
def test_login_never_sends_the_browser_off_site(
    client: TestClient, world: World, target: str
) -> None:
    token = _form_token(client, "/login")
    response = client.post(
        "/login",
        data={
            "email": world.employee.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": target,
        },
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    # htmx would follow a 303 silently and swap the next page into the form: it gets HX-Redirect.
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/"  # htmx follows this one unencoded


def test_logout_ends_the_session(client: TestClient, world: World) -> None:
    login(client, world.employee)
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303
    assert _me(client).status_code == 401


# ---- API tokens ------------------------------------------------------------------------------


def test_token_endpoint_gives_a_bearer_token_for_me(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": world.procurer.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "id": world.procurer.id,
        "display_name": "Petra Procurer",
        "role": "procurer",
        "organisation_id": world.owner.id,
    }


def test_token_endpoint_refuses_a_wrong_password_with_json(
    client: TestClient, world: World
) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data={"username": world.procurer.email, "password": "not the password"},
        headers=EN,
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong e-mail or password.", "code": "not_authenticated"}


def test_token_endpoint_needs_both_fields(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": world.procurer.email}, headers=EN
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_me_without_credentials_is_401(client: TestClient) -> None:
    response = _me(client)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_forged_token_is_401(client: TestClient, world: World) -> None:
    response = client.get(
        "/api/v1/auth/me", headers={"Authorization": "Bearer forged.token.value", **EN}
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "The token is not valid.", "code": "not_authenticated"}
