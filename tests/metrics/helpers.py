"""What the metrics tests share: reading figures, and a market dialogue ready for proposals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.models.base import Phase
from tests.conftest import World
from tests.helpers import Api
from tests.proposals.conftest import proposal_input


def figure(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The figure of that key in a metrics answer."""
    return next(f for f in body["figures"] if f["key"] == key)


def rows(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The rows of the figure of that key in a metrics answer."""
    return figure(body, key)["rows"]


def open_market_dialogue(api: Api, world: World) -> Callable[[], None]:
    """The public project with an employee's need, in the market dialogue with the supplier
    registered; returns how the supplier submits an (unpublished) proposal for the need."""
    project = world.public.id
    need = api.post_need(world.employee, project)
    api.advance(world.procurer, project, Phase.market_dialogue)
    assert api.post(f"/projects/{project}/suppliers", world.supplier).status_code == 201

    def submit() -> None:
        response = api.post(
            f"/projects/{project}/proposals", world.supplier, json=proposal_input(need["id"])
        )
        assert response.status_code == 201, response.text

    return submit
