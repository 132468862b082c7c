"""What the HTTP edge promises every caller: zoned timestamps, error bodies as declared, the
Allow header, HSTS over https, no caching of private pages, and /metrics kept private."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import get_settings
from app.main import create_app
from app.models import Need
from tests.conftest import World, login
from tests.helpers import EN, NEED, Api

# ---- timestamps come back timezone-aware, in UTC, on both databases ---------------------------


def test_api_timestamps_carry_their_time_zone(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)  # type: ignore[arg-type]
    read = api.get(f"/needs/{need['id']}", world.employee).json()
    for moment in (need["created_at"], read["created_at"]):
        parsed = datetime.fromisoformat(moment)
        assert parsed.utcoffset() == timedelta(0), moment


def test_a_moment_stored_in_another_zone_reads_back_as_the_same_instant_in_utc(
    api: Api, world: World, session: Session
) -> None:
    need_id = api.post_need(world.employee, world.public.id)["id"]  # type: ignore[arg-type]
    oslo_summer = timezone(timedelta(hours=2))
    moment = datetime(2026, 6, 1, 14, 30, tzinfo=oslo_summer)
    need = session.get(Need, need_id)
    assert need is not None
    need.created_at = moment
    session.commit()
    session.expire_all()
    stored = session.get(Need, need_id)
    assert stored is not None
    assert stored.created_at == moment
    assert stored.created_at.tzinfo is UTC
    assert stored.created_at.hour == 12


# ---- a refusal's body is what the OpenAPI document declares ------------------------------------


def _declared_error_schema(client: TestClient, path: str, method: str) -> dict[str, object]:
    document = client.get("/api/v1/openapi.json").json()
    responses = document["paths"][path][method]["responses"]
    assert "422" not in responses  # FastAPI's own shape (detail: a list of objects) is gone
    schema = responses["4XX"]["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}


@pytest.mark.parametrize(
    "body",
    [{**NEED, "title": ""}, {}, {**NEED, "title": "x\u0000"}],
    ids=["one message", "several messages", "nul"],
)
def test_a_422_body_matches_the_declared_schema(
    client: TestClient, api: Api, world: World, body: dict[str, object]
) -> None:
    schema = _declared_error_schema(client, "/api/v1/projects/{project_id}/needs", "post")
    response = api.post(f"/projects/{world.public.id}/needs", world.employee, json=body)
    assert response.status_code == 422
    jsonschema.validate(response.json(), schema)


def test_the_declared_error_schema_names_no_unused_components(client: TestClient) -> None:
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "HTTPValidationError" not in components
    assert set(components["Problem"]["required"]) == {"detail", "code"}


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("supplier", 403), ("citizen", 404)])
def test_other_refusals_match_it_too(
    client: TestClient, api: Api, world: World, who: str | None, status: int
) -> None:
    schema = _declared_error_schema(client, "/api/v1/projects/{project_id}/needs", "post")
    user = getattr(world, who) if who else None
    project_id = 999_999 if status == 404 else world.public.id
    response = api.post(f"/projects/{project_id}/needs", user, json=NEED)
    assert response.status_code == status
    jsonschema.validate(response.json(), schema)


# ---- a method the address does not take: 405 with Allow ---------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("TRACE", "/", {"GET", "HEAD"}),
        ("DELETE", "/login", {"GET", "HEAD", "POST"}),
        ("TRACE", "/api/v1/projects", {"GET", "POST"}),
        ("PATCH", "/api/v1/projects", {"GET", "POST"}),
    ],
)
def test_a_method_not_allowed_names_the_allowed_ones(
    client: TestClient, method: str, url: str, allowed: set[str]
) -> None:
    response = client.request(method, url)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} >= allowed - {"HEAD"}


# ---- HSTS when the site is served over https ----------------------------------------------------


def test_no_hsts_over_plain_http(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/healthz").headers


def test_hsts_when_the_base_url_is_https(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "base_url", "https://pivotal.example.no")
    with TestClient(create_app(), base_url="https://pivotal.example.no") as secure:
        for url in ("/healthz", "/", "/api/v1/projects", "/no-such-page"):
            header = secure.get(url).headers.get("strict-transport-security", "")
            assert header.startswith("max-age=31536000"), url


# ---- private pages are not kept by caches ------------------------------------------------------


def test_pages_for_a_logged_in_user_are_not_stored_by_caches(
    client: TestClient, world: World
) -> None:
    login(client, world.procurer)
    for url in ("/", f"/projects/{world.public.id}", "/profile", "/api/v1/projects"):
        response = client.get(url, headers=EN)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-store", url


def test_answers_to_a_bearer_token_are_not_stored_by_caches(api: Api, world: World) -> None:
    response = api.get(f"/projects/{world.public.id}", world.procurer)
    assert response.headers["cache-control"] == "no-store"


def test_public_pages_and_static_files_may_be_cached(client: TestClient, world: World) -> None:
    assert "cache-control" not in client.get(f"/projects/{world.public.id}").headers
    login(client, world.procurer)
    assert client.get("/static/css/pivotal.css").headers.get("cache-control") != "no-store"


# ---- /metrics: the local machine, or the metrics token ----------------------------------------


def test_metrics_are_refused_to_a_caller_from_elsewhere(client: TestClient) -> None:
    response = client.get("/metrics", headers=EN)
    assert response.status_code == 403
    assert "pivotal_http_requests_total" not in response.text


@pytest.mark.parametrize("token", ["", "feil"])
def test_metrics_are_refused_without_the_right_token(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setattr(get_settings(), "metrics_token", "riktig-token")
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_metrics_are_served_with_the_token(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "metrics_token", "riktig-token")
    response = client.get("/metrics", headers={"Authorization": "Bearer riktig-token"})
    assert response.status_code == 200
    assert "pivotal_http_requests_total" in response.text


def test_metrics_are_served_to_the_machine_itself(database_url: str) -> None:
    from app.main import app

    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        response = local.get("/metrics")
    assert response.status_code == 200
    assert "pivotal_http_requests_total" in response.text
