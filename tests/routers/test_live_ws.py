"""The WebSocket live views: who may watch, resync on connect, pushes after commit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import World, bearer

ORIGIN = {"origin": "http://testserver"}


def _receive_until(ws, needle: str, limit: int = 6) -> str:  # noqa: ANN001
    for _ in range(limit):
        message = ws.receive_text()
        if needle in message:
            return message
    raise AssertionError(f"{needle!r} not received in {limit} messages")


def test_second_viewer_receives_new_need_fragment(client: TestClient, world: World) -> None:
    headers = bearer(client, world.employee)
    with client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as ws:
        first = ws.receive_text()
        assert 'id="needs-list"' in first  # the resync of the whole list
        response = client.post(
            f"/api/v1/projects/{world.public.id}/needs",
            json={"title": "Trygge nattbesøk", "problem": "Brukerne våkner av tilsynet om natten."},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        pushed = _receive_until(ws, "Trygge nattbesøk")
        assert 'hx-swap-oob="afterbegin:#needs-list"' in pushed


def test_socket_from_another_origin_is_refused(client: TestClient, world: World) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(
            f"/ws/projects/{world.public.id}", headers={"origin": "https://evil.example"}
        ) as ws,
    ):
        ws.receive_text()


def test_anonymous_cannot_watch_internal_project(client: TestClient, world: World) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/ws/projects/{world.internal.id}", headers=ORIGIN) as ws,
    ):
        ws.receive_text()
