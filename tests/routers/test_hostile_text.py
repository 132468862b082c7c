"""A NUL character in text from outside is refused at the edge with a clear 422, on every route.

PostgreSQL cannot store one in a text column (a 500) and SQLite would keep it; no person types
one. A file's contents may hold NUL bytes; the text fields sent with it may not.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Comment, Need
from tests.conftest import CSRF_RE, PASSWORD, World, login
from tests.helpers import EN, NEED, Api, count_rows

NUL = "\x00"
REFUSAL = "Text may not contain NUL characters."
PNG = (  # a 1×1 PNG: binary, full of NUL bytes
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def test_a_need_title_with_a_nul_is_refused_in_json_and_nothing_is_stored(
    api: Api, world: World, session: Session
) -> None:
    before = count_rows(session, Need)
    response = api.post(
        f"/projects/{world.public.id}/needs",
        world.employee,
        json={**NEED, "title": f"Trygge{NUL}nattbesøk"},
    )
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": REFUSAL, "code": "invalid"}
    assert count_rows(session, Need) == before


def test_a_nul_deep_in_a_json_body_is_refused(api: Api, world: World) -> None:
    response = api.post(
        "/research/studies",
        world.researcher,
        json={"title": "Studie", "institution": "Uni", "extra": {"nested": [f"a{NUL}"]}},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == REFUSAL


def test_a_comment_form_with_a_nul_is_refused_with_a_message(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)  # type: ignore[arg-type]
    login(client, world.citizen)
    before = count_rows(session, Comment)
    response = client.post(
        f"/needs/{need['id']}/comments", data={"body": f"Enig{NUL}!"}, headers=EN
    )
    assert response.status_code == 422
    assert REFUSAL in response.text
    assert count_rows(session, Comment) == before


def test_a_login_email_with_a_nul_is_refused_not_crashed(client: TestClient, world: World) -> None:
    token = CSRF_RE.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/login",
        data={"email": f"{world.citizen.email}{NUL}", "password": PASSWORD, "csrf_token": token},
        headers=EN,
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert REFUSAL in response.text


def test_the_token_endpoint_refuses_a_nul_too(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data={"username": f"{NUL}{world.citizen.email}", "password": PASSWORD},
        headers=EN,
    )
    assert response.status_code == 422
    assert response.json() == {"detail": REFUSAL, "code": "invalid"}


@pytest.mark.parametrize("url", ["/api/v1/projects", "/", "/login", "/api/v1/research/studies"])
def test_a_nul_in_a_query_string_is_refused_on_any_route(
    client: TestClient, world: World, url: str
) -> None:
    response = client.get(url, params={"q": f"x{NUL}y"}, headers=EN)
    assert response.status_code == 422
    assert REFUSAL in response.text


def test_an_uploaded_file_may_hold_nul_bytes_but_its_title_may_not(api: Api, world: World) -> None:
    url = f"/projects/{world.public.id}/documents"
    files = {"file": ("bilde.png", PNG, "application/octet-stream")}
    refused = api.post(url, world.procurer, data={"title": f"Bilde{NUL}"}, files=files)
    assert refused.status_code == 422
    assert refused.json()["detail"] == REFUSAL
    accepted = api.post(url, world.procurer, data={"title": "Bilde"}, files=files)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["content_type"] == "image/png"


def test_the_refusal_speaks_norwegian_by_default(api: Api, world: World) -> None:
    response = api.client.post(
        f"/api/v1/projects/{world.public.id}/needs",
        json={**NEED, "problem": NUL},
        headers=api.headers(world.employee) | {"Accept-Language": "nb"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Teksten kan ikke inneholde NUL-tegn."
