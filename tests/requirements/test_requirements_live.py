"""A requirement drafted or edited reaches the open workspace pages of its writers, no one else."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.models import User
from tests.conftest import World, login
from tests.helpers import ORIGIN, Api, push
from tests.requirements.conftest import drafted, patch


def _socket(client: TestClient, user: User | None, project_id: int) -> Any:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    if user is not None:
        login(client, user)
    return client.websocket_connect(f"/ws/projects/{project_id}/specification", headers=ORIGIN)


def test_a_new_and_an_edited_requirement_reach_a_watching_procurer(
    client: TestClient, api: Api, world: World, spec: int
) -> None:
    with ExitStack() as stack:
        ws = stack.enter_context(_socket(client, world.partner_procurer, spec))
        assert 'id="requirements-list"' in ws.receive_text()  # the resync
        body = drafted(api, world.procurer, spec, title="Varsling om natten")
        pushed = push(ws, "Varsling om natten")
        assert 'id="requirements-list" hx-swap-oob="true"' in pushed
        patch(api, world.procurer, body["id"], title="Varsling døgnet rundt")
        assert "Varsling døgnet rundt" in push(ws, "Varsling døgnet rundt")


@pytest.mark.parametrize("who", ["employee", "citizen", "supplier", None])
def test_people_who_may_not_open_the_workspace_get_no_socket(
    client: TestClient, world: World, spec: int, who: str | None
) -> None:
    user = getattr(world, who) if who else None
    with pytest.raises(WebSocketDisconnect) as refused, _socket(client, user, spec) as ws:
        ws.receive_text()
    assert refused.value.code == 1008
