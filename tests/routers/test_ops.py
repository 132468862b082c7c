"""Operations: probes, metrics, request ids, and a clear 503 while the database is away."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app import db
from app.config import get_settings
from tests.conftest import World

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=1"


def test_healthz_answers_while_the_process_is_up(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_database_and_bus(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "bus": "ok"}


def test_metrics_count_requests_and_live_sockets(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "metrics_token", "skrape-token-123")
    client.get("/")
    with client.websocket_connect(
        f"/ws/projects/{world.public.id}", headers={"origin": "http://testserver"}
    ) as ws:
        ws.receive_text()
        text = client.get("/metrics", headers={"Authorization": "Bearer skrape-token-123"}).text
        assert "pivotal_websockets_open 1.0" in text
    assert 'pivotal_http_requests_total{method="GET",route="/",status="200"}' in text
    assert "pivotal_http_request_duration_seconds_bucket" in text
    assert "pivotal_live_pushes_sent_total" in text


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    assert len(client.get("/").headers["x-request-id"]) == 32
    assert client.get("/", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"


def test_database_down_gives_503_not_500_and_recovers(
    client: TestClient, database_url: str
) -> None:
    db.use_database(UNREACHABLE)
    try:
        api = client.get("/api/v1/projects")
        assert api.status_code == 503
        assert api.json()["code"] == "unavailable"
        assert api.headers["retry-after"] == "5"
        page = client.get("/")
        assert page.status_code == 503
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
    finally:
        db.use_database(database_url)
    assert client.get("/api/v1/projects").status_code == 200
