"""A gate decision reaches everyone watching the project page, as they may see it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import World, bearer, login
from tests.helpers import EN, ORIGIN, RATIONALE, push


def _move(client: TestClient, world: World, to_phase: str) -> None:
    response = client.post(
        f"/api/v1/projects/{world.public.id}/phase",
        json={"to_phase": to_phase, "rationale": RATIONALE},
        headers=bearer(client, world.procurer),
    )
    assert response.status_code == 200, response.text


def test_a_phase_move_reaches_a_project_page_viewer(client: TestClient, world: World) -> None:
    client.cookies.set("lang", "en")
    with client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as ws:
        first = ws.receive_text()
        assert 'id="phase-timeline"' in first  # the resync carries the phase too
        _move(client, world, "market_dialogue")
        badge = push(ws, 'id="project-phase-badge"')
    assert 'hx-swap-oob="true"' in badge
    assert "Phase: Market dialogue" in badge
    assert 'id="phase-timeline"' in badge  # the new timeline entry comes with it
    timeline = badge.split('id="phase-timeline"', 1)[1]
    assert RATIONALE in timeline and "Petra Procurer" in timeline
    assert 'aria-current="step"' in timeline
    assert 'id="phase-form' not in badge  # the decision form is for procurers only


def test_procurer_viewer_gets_the_form_with_the_phases_now_possible(
    client: TestClient, world: World
) -> None:
    login(client, world.partner_procurer)
    with client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as ws:
        first = ws.receive_text()
        assert 'id="phase-form-box"' not in first  # a reconnect never wipes a rationale
        _move(client, world, "market_dialogue")
        pushed = push(ws, 'id="phase-form-box"')
    assert 'value="competition"' in pushed and 'value="aborted"' in pushed
    assert 'value="market_dialogue"' not in pushed
    assert "csrf_token" not in pushed  # htmx sends the page's token in a header


def test_a_refused_move_pushes_nothing(client: TestClient, world: World) -> None:
    with client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as ws:
        ws.receive_text()
        refused = client.post(
            f"/api/v1/projects/{world.public.id}/phase",
            json={"to_phase": "competition", "rationale": RATIONALE},
            headers={**bearer(client, world.procurer), **EN},
        )
        assert refused.status_code == 409
        _move(client, world, "aborted")
        pushed = push(ws, 'id="project-phase-badge"')  # the next push is the abort
    assert "Fase: Avbrutt" in pushed  # bokmål by default
