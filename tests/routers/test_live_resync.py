"""The project page's resync (a socket's first message) is rendered once per audience and
content version: a reconnect after a change gets the new state, and no audience another's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.services.render_cache import fragments
from tests.conftest import World, bearer, login
from tests.helpers import ORIGIN


def _resync(client: TestClient, project_id: int) -> str:
    with client.websocket_connect(f"/ws/projects/{project_id}", headers=ORIGIN) as ws:
        return ws.receive_text()


def _need(client: TestClient, world: World, title: str, **fields: object) -> None:
    response = client.post(
        f"/api/v1/projects/{world.public.id}/needs",
        json={"title": title, "problem": "Brukerne våkner av tilsynet om natten.", **fields},
        headers=bearer(client, world.employee),
    )
    assert response.status_code == 201, response.text


def test_viewers_of_one_audience_share_one_resync_render(client: TestClient, world: World) -> None:
    first = _resync(client, world.public.id)
    built = fragments.misses
    assert _resync(client, world.public.id) == first
    assert fragments.misses == built


def test_a_reconnect_after_a_change_gets_the_new_state(client: TestClient, world: World) -> None:
    before = _resync(client, world.public.id)
    assert "Trygge nattbesøk" not in before
    _need(client, world, "Trygge nattbesøk")
    assert "Trygge nattbesøk" in _resync(client, world.public.id)


def test_a_cached_resync_never_reaches_another_audience(client: TestClient, world: World) -> None:
    """The procurer's resync names the author of an anonymous need; a visitor's, rendered
    after it for the same version, does not (and the procurer's still does)."""
    _need(client, world, "Mindre ensomhet", anonymous=True)
    visitor = TestClient(client.app, base_url=str(client.base_url))  # no cookies
    login(client, world.procurer)
    for_procurer = _resync(client, world.public.id)
    for_visitor = _resync(visitor, world.public.id)
    again_for_procurer = _resync(client, world.public.id)
    assert "Mindre ensomhet" in for_visitor
    assert "Emil Employee" in for_procurer
    assert "Emil Employee" not in for_visitor
    assert again_for_procurer == for_procurer
