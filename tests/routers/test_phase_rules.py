"""The phase rules through the API: needs, supports and comments close with the dialogue."""

from __future__ import annotations

import pytest

from app.models.base import Phase
from app.services import permissions
from tests.conftest import World
from tests.helpers import NEED, Api

# ---- the rules in the existing services ----------------------------------------------------------


@pytest.mark.parametrize("phase", [Phase.needs, Phase.market_dialogue])
def test_needs_supports_and_comments_are_open_until_the_market_dialogue_ends(
    api: Api, world: World, phase: Phase
) -> None:
    api.advance(world.procurer, world.public.id, phase)
    need = api.post_need(world.employee, world.public.id)
    assert api.post(f"/needs/{need['id']}/supports", world.citizen).status_code == 201
    api.comment(world.citizen, need["id"])


@pytest.mark.parametrize("phase", [Phase.competition, Phase.closed, Phase.aborted])
def test_the_competition_closes_needs_supports_and_comments(
    api: Api, world: World, phase: Phase
) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.post(f"/needs/{need['id']}/supports", world.partner_employee)
    api.advance(world.procurer, world.public.id, phase)
    refusals = {
        "post": api.post(f"/projects/{world.public.id}/needs", world.employee, json=NEED),
        "support": api.post(f"/needs/{need['id']}/supports", world.citizen),
        "withdraw": api.delete(f"/needs/{need['id']}/supports", world.partner_employee),
        "comment": api.post(f"/needs/{need['id']}/comments", world.citizen, json={"body": "Hei"}),
    }
    assert {name: r.status_code for name, r in refusals.items()} == dict.fromkeys(refusals, 403)
    label = permissions.PHASE_LABELS[phase]
    for response in refusals.values():
        assert f"the project is now in the phase “{label}”" in response.json()["detail"]
    assert api.get(f"/needs/{need['id']}").json()["support_count"] == 1


def test_procurers_still_decide_on_needs_after_the_dialogue(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.advance(world.procurer, world.public.id, Phase.competition)
    response = api.set_status(world.procurer, need["id"], status="verified")
    assert response.status_code == 200
