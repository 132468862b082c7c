"""Ids from outside that no row can have (beyond INTEGER, below zero): a 4xx, never a 500.

The routes are taken from the running app, so a new route with an id is covered by itself.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.main import app
from tests.conftest import World, login
from tests.helpers import EN, Api

# Just beyond PostgreSQL's INTEGER, just below SQLite's 64-bit integer, and a negative id.
HOSTILE_IDS = [2**31, -(2**63) - 1, -1]


def _id_routes() -> list[tuple[str, str, list[str]]]:
    """(method, path, its integer path parameters) of every HTTP route that takes an id."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        params = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
        for method in sorted(context.methods or ()):
            if params and method != "HEAD":
                found.append((method, str(context.path), params))
    return found


def _socket_routes() -> list[tuple[str, list[str]]]:
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIWebSocketRoute):
            params = [p.name for p in route.dependant.path_params]
            found.append((str(context.path), params))
    return found


ID_ROUTES = _id_routes()
SOCKET_ROUTES = _socket_routes()


def test_the_route_list_is_taken_from_the_app() -> None:
    assert len(ID_ROUTES) > 80
    assert ("GET", "/needs/{need_id}", ["need_id"]) in ID_ROUTES
    assert any(path == "/ws/needs/{need_id}" for path, _ in SOCKET_ROUTES)


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
@pytest.mark.parametrize(("method", "path", "params"), ID_ROUTES)
def test_an_id_no_row_can_have_is_refused_on_every_route(
    client: TestClient, world: World, method: str, path: str, params: list[str], hostile: int
) -> None:
    login(client, world.procurer)
    # Other path parameters (a figure's key) get a harmless word, so only the id is hostile.
    url = path.format_map(defaultdict(lambda: "word", dict.fromkeys(params, hostile)))
    response = client.request(method, url, headers=EN)
    assert response.status_code in (404, 422), (url, response.status_code, response.text[:300])


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
@pytest.mark.parametrize(("path", "params"), SOCKET_ROUTES)
def test_a_live_socket_for_an_id_no_row_can_have_is_closed_not_crashed(
    client: TestClient, world: World, path: str, params: list[str], hostile: int
) -> None:
    login(client, world.procurer)
    url = path.format(**dict.fromkeys(params, hostile))
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as socket:
        socket.receive_text()
    assert closed.value.code == 1008  # policy violation, as for any socket the viewer may not open


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/projects/{public}/proposals", {"title": "Forslag", "need_ids": ["HOSTILE"]}),
        ("/projects", {"title": "Prosjekt", "partner_org_ids": ["HOSTILE"]}),
        ("/projects", {"title": "Prosjekt", "owner_org_id": "HOSTILE"}),
        ("/needs/{need}/comments", {"body": "Svar.", "parent_id": "HOSTILE"}),
        ("/needs/{need}/status", {"status": "merged", "merged_into_id": "HOSTILE"}),
        ("/research/studies", {"title": "Studie", "project_ids": ["HOSTILE"]}),
        ("/events/{event}/attendance", {"user_ids": ["HOSTILE"]}),
    ],
)
def test_ids_in_a_json_body_are_bounded_too(
    api: Api, world: World, url: str, body: dict[str, object], hostile: int
) -> None:
    need = api.post_need(world.employee, world.public.id)  # type: ignore[arg-type]
    hostile_values = {"HOSTILE": hostile, ("HOSTILE",): [hostile]}
    filled = {
        key: hostile_values.get(tuple(value) if isinstance(value, list) else value, value)  # type: ignore[call-overload]
        for key, value in body.items()
    }
    target = url.format(public=world.public.id, need=need["id"], event=1)
    method = "PUT" if target.endswith("/status") else "POST"
    response = api.request(method, target, world.procurer, json=filled)
    assert response.status_code in (404, 422), response.text
    if response.status_code == 422:
        assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_ids_in_a_form_and_a_query_are_bounded_too(
    client: TestClient, api: Api, world: World, hostile: int
) -> None:
    need = api.post_need(world.employee, world.public.id)  # type: ignore[arg-type]
    login(client, world.procurer)
    for url, form in [
        (f"/needs/{need['id']}/comments", {"body": "Svar.", "parent_id": str(hostile)}),
        (f"/needs/{need['id']}/status", {"status": "merged", "merged_into_id": str(hostile)}),
        (f"/projects/{world.public.id}/proposals", {"title": "x", "need_ids": str(hostile)}),
    ]:
        response = client.post(url, data=form, headers=EN)
        assert response.status_code in (403, 404, 422), (url, response.text[:300])
    response = api.get(
        f"/projects/{world.public.id}/participation-events?after_id={hostile}", world.procurer
    )
    assert response.status_code == 422, response.text
