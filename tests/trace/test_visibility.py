"""Who sees which trace links: from a need, its readers see the requirements it led to only as
far as they may see them (never a draft's title); the requirement's page pushes new links live
to each viewer as they may see them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import World, login
from tests.helpers import ORIGIN, Api, push
from tests.trace.conftest import Scene, finalise, link

EN = {"Accept-Language": "en"}
USED_IN_DRAFT = "The procurers are using this need in drafting the specification."


def _need_page(client: TestClient, user: object, need: int) -> str:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    if user is not None:
        login(client, user)  # type: ignore[arg-type]
    page = client.get(f"/needs/{need}", headers=EN)
    assert page.status_code == 200
    return page.text


def test_a_need_shows_its_writers_the_draft_it_led_to_and_others_only_that_it_is_used(
    client: TestClient, api: Api, world: World, scene: Scene
) -> None:
    assert link(api, world.procurer, scene.requirement, "need", scene.need).status_code == 201
    href = f'href="/requirements/{scene.requirement}"'
    for writer in (world.procurer, world.employee):
        page = _need_page(client, writer, scene.need)
        assert href in page and "Tilsyn uten å vekke" in page
        assert USED_IN_DRAFT not in page
    for reader in (world.citizen, world.supplier, world.other_procurer, None):
        page = _need_page(client, reader, scene.need)
        assert href not in page and "Tilsyn uten å vekke" not in page
        assert USED_IN_DRAFT in page


def test_once_the_specification_is_final_the_needs_author_sees_the_requirement(
    client: TestClient, api: Api, world: World, scene: Scene
) -> None:
    assert link(api, world.procurer, scene.requirement, "need", scene.need).status_code == 201
    finalise(api, world.procurer, scene)
    page = _need_page(client, world.citizen, scene.need)
    assert f'href="/requirements/{scene.requirement}"' in page
    assert "Derived from" in page and USED_IN_DRAFT not in page
    links = api.get(f"/requirements/{scene.requirement}/links", world.citizen).json()
    assert [row["source_id"] for row in links] == [scene.need]


def test_a_need_without_links_shows_no_section(
    client: TestClient, world: World, scene: Scene
) -> None:
    page = _need_page(client, world.procurer, scene.need)
    assert "What this need led to" not in page


def test_a_new_link_reaches_the_requirement_page_of_another_writer_live(
    client: TestClient, api: Api, world: World, scene: Scene
) -> None:
    login(client, world.partner_procurer)
    url = f"/ws/requirements/{scene.requirement}"
    with client.websocket_connect(url, headers=ORIGIN) as ws:
        assert 'id="links"' in ws.receive_text()  # the resync
        rationale = "Behovet for ro om natten ga kravet."
        created = link(
            api, world.procurer, scene.requirement, "need", scene.need, rationale=rationale
        )
        assert created.status_code == 201
        pushed = push(ws, rationale)
        assert 'id="links"' in pushed and 'hx-swap-oob="true"' in pushed


def test_a_co_author_watching_never_gets_a_confidential_link_pushed(
    client: TestClient, api: Api, world: World, scene: Scene
) -> None:
    login(client, world.employee)
    url = f"/ws/requirements/{scene.requirement}"
    with client.websocket_connect(url, headers=ORIGIN) as ws:
        ws.receive_text()
        secret = "Fortrolig: radarens pris."
        assert (
            link(
                api,
                world.procurer,
                scene.requirement,
                "proposal",
                scene.hidden_proposal,
                rationale=secret,
            ).status_code
            == 201
        )
        opened = "Åpen kobling til behovet."
        assert (
            link(
                api, world.procurer, scene.requirement, "need", scene.need, rationale=opened
            ).status_code
            == 201
        )
        pushed = push(ws, opened)
        assert secret not in pushed


def test_an_edit_of_the_requirement_reaches_its_page_live(
    client: TestClient, api: Api, world: World, scene: Scene
) -> None:
    login(client, world.employee)
    with client.websocket_connect(f"/ws/requirements/{scene.requirement}", headers=ORIGIN) as ws:
        ws.receive_text()
        edited = api.request(
            "PATCH",
            f"/requirements/{scene.requirement}",
            world.procurer,
            json={"title": "Tilsyn som ikke vekker noen"},
        )
        assert edited.status_code == 200
        pushed = push(ws, "Tilsyn som ikke vekker noen")
        assert 'id="requirement"' in pushed
