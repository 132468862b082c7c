"""Shared set-up of the specification workspace's tests: a project in the market dialogue."""

from __future__ import annotations

from typing import Any

import pytest

from app.models.base import Phase, id_of
from tests.conftest import World
from tests.helpers import Api

TEXT = "Løsningen skal varsle pårørende når brukeren ikke har stått opp innen klokken ni."


@pytest.fixture
def spec(api: Api, world: World) -> int:
    """The public project, moved on to the market dialogue, where the workspace opens."""
    api.advance(world.procurer, id_of(world.public), Phase.market_dialogue)
    return id_of(world.public)


def draft(api: Api, user: Any, project_id: int, **fields: Any) -> Any:
    """Post a requirement as this user (the response, accepted or not)."""
    body = {"kind": "functional", "title": "Varsling", "text": TEXT} | fields
    return api.post(f"/projects/{project_id}/requirements", user, json=body)


def drafted(api: Api, user: Any, project_id: int, **fields: Any) -> dict[str, Any]:
    """A requirement this user drafted (asserting it was accepted)."""
    response = draft(api, user, project_id, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def patch(api: Api, user: Any, requirement_id: int, **fields: Any) -> Any:
    """Edit a requirement as this user (the response)."""
    return api.request("PATCH", f"/requirements/{requirement_id}", user, json=fields)
