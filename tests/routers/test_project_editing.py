"""Procurers edit a project's details; making a public project internal warns, needs a
confirmation, and shuts the live pages of those who lose access."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.websockets import WebSocketDisconnect

from app.models import AuditEntry
from tests.conftest import World, login
from tests.helpers import EN, ORIGIN, Api, next_message, push

NEW_TITLE = "Trygg oppfølging hjemme"


def patch(api: Api, project_id: int, user: Any, **body: Any):  # type: ignore[no-untyped-def]
    return api.request("PATCH", f"/projects/{project_id}", user, json=body)


def _closed_within(ws: Any) -> int:
    """The close code of the socket, failing (not hanging) if it stays open."""
    for _ in range(20):
        message = next_message(ws)
        if message["type"] == "websocket.close":
            return int(message["code"])
    raise AssertionError("the socket stayed open")


def test_a_procurer_edits_the_projects_details_and_the_audit_log_keeps_both(
    api: Api, world: World, session: Session
) -> None:
    response = patch(
        api,
        world.public.id,
        world.partner_procurer,
        title=NEW_TITLE,
        innovation_ambition="Fra faste besøk til besøk når det trengs.",
        partner_org_ids=[world.elsewhere.id],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == NEW_TITLE and body["partner_org_ids"] == [world.elsewhere.id]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "project_edited")).one()
    assert entry.before == {
        "title": "Offentlig prosjekt",
        "innovation_ambition": "Fra besøk etter liste til oppfølging etter behov.",
        "partners": "Partnerkommune",
    }
    assert entry.after is not None and entry.after["partners"] == "Annen kommune"
    verbs = [e["verb"] for e in api.events(world.procurer, world.public.id)]
    assert "edited_project" in verbs


@pytest.mark.parametrize("who", ["employee", "citizen", "other_procurer", "supplier"])
def test_only_the_projects_procurers_edit_it(api: Api, world: World, who: str) -> None:
    response = patch(api, world.public.id, world.member(who), title=NEW_TITLE)
    assert response.status_code == 403
    assert api.get(f"/projects/{world.public.id}", None).json()["title"] == "Offentlig prosjekt"


def test_an_internal_project_is_not_found_by_outsiders(api: Api, world: World) -> None:
    for who in (world.citizen, world.other_procurer, None):
        assert patch(api, world.internal.id, who, title=NEW_TITLE).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Ab"},
        {"summary": ""},
        {"innovation_ambition": "x" * 5001},
        {"visibility": "secret"},
        {"partner_org_ids": ["en"]},
        {"partner_org_ids": [0]},
        {"phase": "closed"},  # phases move through gate decisions only
        {"owner_org_id": 3},
    ],
)
def test_a_bad_project_edit_is_refused_with_422(
    api: Api, world: World, body: dict[str, Any]
) -> None:
    response = api.request("PATCH", f"/projects/{world.public.id}", world.procurer, json=body)
    assert response.status_code == 422, response.text


def test_partners_must_be_municipalities(api: Api, world: World) -> None:
    response = patch(api, world.public.id, world.procurer, partner_org_ids=[world.supplier_org.id])
    assert response.status_code == 422
    response = patch(api, world.public.id, world.procurer, partner_org_ids=[world.owner.id])
    assert response.status_code == 200 and response.json()["partner_org_ids"] == []


def test_making_a_project_internal_tells_who_loses_access_and_needs_confirming(
    api: Api, world: World
) -> None:
    need = api.post_need(world.citizen, world.public.id)
    api.comment(world.other_employee, need["id"])
    api.comment(world.employee, need["id"])  # the owner's staff keep access
    refused = patch(api, world.public.id, world.procurer, visibility="internal")
    assert refused.status_code == 409
    assert "shuts out 2 people" in refused.json()["detail"]
    assert api.get(f"/projects/{world.public.id}", world.citizen).status_code == 200
    done = patch(
        api, world.public.id, world.procurer, visibility="internal", confirm_access_loss=True
    )
    assert done.status_code == 200 and done.json()["visibility"] == "internal"
    assert api.get(f"/projects/{world.public.id}", world.citizen).status_code == 404
    assert api.get(f"/needs/{need['id']}", world.citizen).status_code == 404
    assert api.get(f"/projects/{world.public.id}", world.employee).status_code == 200


def test_a_citizens_open_sockets_close_when_the_project_turns_internal(
    client: TestClient, api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    login(client, world.citizen)
    with (
        client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as project_ws,
        client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as need_ws,
    ):
        project_ws.receive_text()
        need_ws.receive_text()
        done = patch(
            api, world.public.id, world.procurer, visibility="internal", confirm_access_loss=True
        )
        assert done.status_code == 200
        assert _closed_within(project_ws) == 1012  # reconnect, to be checked anew
        assert _closed_within(need_ws) == 1012
    for path in (f"/ws/projects/{world.public.id}", f"/ws/needs/{need['id']}"):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect(path, headers=ORIGIN) as ws,
        ):
            ws.receive_text()
        assert refused.value.code == 1008


def test_the_project_page_shows_the_new_title_live(
    client: TestClient, api: Api, world: World
) -> None:
    with client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as ws:
        ws.receive_text()
        assert patch(api, world.public.id, world.procurer, title=NEW_TITLE).status_code == 200
        pushed = push(ws, NEW_TITLE)
        assert f'id="project-{world.public.id}-header"' in pushed


# ---- the edit page -------------------------------------------------------------------------------


def test_the_edit_link_and_page_are_the_procurers(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.employee)
    page = client.get(f"/projects/{world.public.id}").text
    assert f'href="/projects/{world.public.id}/edit"' not in page
    assert client.get(f"/projects/{world.public.id}/edit").status_code == 403
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}").text
    assert f'href="/projects/{world.public.id}/edit"' in page
    form = client.get(f"/projects/{world.public.id}/edit", headers=EN)
    assert form.status_code == 200
    assert 'value="Offentlig prosjekt"' in form.text
    assert f'id="pe-partner-{world.partner.id}" name="partner_org_ids"' in form.text


def test_the_edit_page_warns_and_refuses_internal_without_the_box(
    client: TestClient, api: Api, world: World
) -> None:
    api.post_need(world.citizen, world.public.id)
    login(client, world.procurer)
    form = client.get(f"/projects/{world.public.id}/edit", headers=EN).text
    assert "shuts out 1 person who took part" in form
    fields = {
        "title": NEW_TITLE,
        "summary": "Bedre oppfølging hjemme.",
        "innovation_ambition": "Fra besøk etter liste til oppfølging etter behov.",
        "visibility": "internal",
        "partner_org_ids": [str(world.partner.id)],
    }
    refused = client.post(f"/projects/{world.public.id}/edit", data=fields, headers=EN)
    assert refused.status_code == 422
    assert 'id="project-edit-form-visibility-error"' in refused.text
    assert api.get(f"/projects/{world.public.id}", world.citizen).json()["title"] != NEW_TITLE
    done = client.post(
        f"/projects/{world.public.id}/edit",
        data={**fields, "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert api.get(f"/projects/{world.public.id}", world.citizen).status_code == 404
    assert api.get(f"/projects/{world.public.id}", world.partner_employee).json()["title"] == (
        NEW_TITLE
    )


def test_the_audit_log_page_reads_a_visibility_change_in_words(
    client: TestClient, api: Api, world: World
) -> None:
    done = patch(
        api, world.public.id, world.procurer, visibility="internal", confirm_access_loss=True
    )
    assert done.status_code == 200
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}/audit-log", headers=EN).text
    assert "Project details changed" in page
    assert "Public" in page and "Internal" in page
