"""The WebSocket live views: who may watch, resync on connect, pushes after commit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import World, bearer, login
from tests.helpers import ORIGIN, push, receive_until


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
        pushed = receive_until(ws, "Trygge nattbesøk")
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


# ---- what is pushed, and to whom ----------------------------------------------------------------


def _need(client: TestClient, world: World, **fields: object) -> dict:  # type: ignore[type-arg]
    body = {"title": "Trygge nattbesøk", "problem": "Brukerne våkner av tilsynet om natten."}
    response = client.post(
        f"/api/v1/projects/{world.public.id}/needs",
        json={**body, **fields},
        headers=bearer(client, world.employee),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_comment_is_pushed_to_a_need_page_viewer(client: TestClient, world: World) -> None:
    need = _need(client, world)
    with client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as ws:
        first = ws.receive_text()
        assert 'id="comments"' in first  # the resync of status, supports and thread
        response = client.post(
            f"/api/v1/needs/{need['id']}/comments",
            json={"body": "Dette kjenner jeg *godt* igjen."},
            headers=bearer(client, world.citizen),
        )
        assert response.status_code == 201
        pushed = push(ws, "kjenner jeg")
        assert 'hx-swap-oob="beforeend:#comments"' in pushed
        assert "<em>godt</em>" in pushed
        assert "Cecilie Citizen" in pushed


def test_reply_is_pushed_under_its_parent(client: TestClient, world: World) -> None:
    need = _need(client, world)
    headers = bearer(client, world.citizen)
    parent = client.post(
        f"/api/v1/needs/{need['id']}/comments", json={"body": "Spørsmål?"}, headers=headers
    ).json()
    with client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as ws:
        ws.receive_text()
        client.post(
            f"/api/v1/needs/{need['id']}/comments",
            json={"body": "Et svar.", "parent_id": parent["id"]},
            headers=bearer(client, world.employee),
        )
        pushed = push(ws, "Et svar.")
        assert f'hx-swap-oob="beforeend:#comment-{parent["id"]}-replies"' in pushed


def test_status_change_is_pushed_to_need_and_project_viewers(
    client: TestClient, world: World
) -> None:
    need = _need(client, world)
    with (
        client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as need_ws,
        client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as project_ws,
    ):
        need_ws.receive_text()
        project_ws.receive_text()
        response = client.put(
            f"/api/v1/needs/{need['id']}/status",
            json={"status": "rejected", "reason": "Dekkes av dagens avtale."},
            headers=bearer(client, world.procurer),
        )
        assert response.status_code == 200
        status = push(need_ws, f'id="need-{need["id"]}-status"')
        assert 'hx-swap-oob="true"' in status
        assert "status-rejected" in status
        assert "Dekkes av dagens avtale." in status
        card = push(project_ws, f'id="need-{need["id"]}-card"')
        assert "status-rejected" in card


def test_support_count_is_pushed(client: TestClient, world: World) -> None:
    need = _need(client, world)
    with client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as ws:
        ws.receive_text()
        client.post(f"/api/v1/needs/{need['id']}/supports", headers=bearer(client, world.citizen))
        pushed = push(ws, f'id="need-{need["id"]}-supports"')
        assert "1 " in pushed


def test_refused_write_pushes_nothing(client: TestClient, world: World) -> None:
    need = _need(client, world)
    with client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as ws:
        ws.receive_text()
        refused = client.put(
            f"/api/v1/needs/{need['id']}/status",
            json={"status": "rejected"},  # no reason
            headers=bearer(client, world.procurer),
        )
        assert refused.status_code == 422
        client.post(
            f"/api/v1/needs/{need['id']}/comments",
            json={"body": "Etter avslaget"},
            headers=bearer(client, world.citizen),
        )
        pushed = push(ws, "Etter avslaget")  # the next push is the comment, not a status
        assert "status-rejected" not in pushed


def test_anonymous_viewer_never_gets_the_author_of_an_anonymous_need(
    client: TestClient, world: World
) -> None:
    """Each viewer gets the card as they could load it: the author's name only for procurers."""
    with client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as anon_ws:
        anon_ws.receive_text()
        login(client, world.procurer)  # the next socket rides on the procurer's session
        with client.websocket_connect(
            f"/ws/projects/{world.public.id}", headers=ORIGIN
        ) as procurer_ws:
            procurer_ws.receive_text()
            _need(client, world, title="Mindre ensomhet", anonymous=True)
            seen_by_anonymous = push(anon_ws, "Mindre ensomhet")
            seen_by_procurer = push(procurer_ws, "Mindre ensomhet")
    assert "Emil Employee" not in seen_by_anonymous
    assert "Emil Employee" in seen_by_procurer


def test_resync_and_card_updates_hide_the_author_of_an_anonymous_need(
    client: TestClient, world: World
) -> None:
    need = _need(client, world, anonymous=True)
    client.post(
        f"/api/v1/needs/{need['id']}/supports", headers=bearer(client, world.partner_employee)
    )
    with client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as ws:
        first = ws.receive_text()
        assert "Trygge nattbesøk" in first
        assert "Emil Employee" not in first
        # a later change re-renders the card; still without the name
        client.post(f"/api/v1/needs/{need['id']}/supports", headers=bearer(client, world.citizen))
        card = push(ws, f'id="need-{need["id"]}-card"')
        assert "Emil Employee" not in card


def test_hidden_comment_is_pushed_without_its_body_to_participants(
    client: TestClient, world: World
) -> None:
    need = _need(client, world)
    comment = client.post(
        f"/api/v1/needs/{need['id']}/comments",
        json={"body": "Naboen min heter Kari og er syk"},
        headers=bearer(client, world.citizen),
    ).json()
    login(client, world.citizen)
    with client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as citizen_ws:
        citizen_ws.receive_text()
        login(client, world.procurer)
        with client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as procurer_ws:
            procurer_ws.receive_text()
            response = client.post(
                f"/comments/{comment['id']}/hide",
                data={"reason": "Personvern"},
                follow_redirects=False,
            )
            assert response.status_code == 303
            for_citizen = push(citizen_ws, f'id="comment-{comment["id"]}"')
            for_procurer = push(procurer_ws, f'id="comment-{comment["id"]}"')
    assert "Naboen min heter Kari" not in for_citizen
    assert "Personvern" in for_citizen
    assert "Naboen min heter Kari" in for_procurer


@pytest.mark.parametrize("viewer", ["citizen", "other_employee", "supplier"])
def test_outsiders_cannot_watch_an_internal_need_or_project(
    client: TestClient, world: World, viewer: str
) -> None:
    response = client.post(
        f"/api/v1/projects/{world.internal.id}/needs",
        json={"title": "Intern sak", "problem": "Dette skal bare ansatte se."},
        headers=bearer(client, world.employee),
    )
    need_id = response.json()["id"]
    login(client, getattr(world, viewer))
    for path in (f"/ws/needs/{need_id}", f"/ws/projects/{world.internal.id}"):
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(path, headers=ORIGIN) as ws,
        ):
            ws.receive_text()


def test_member_watches_an_internal_project(client: TestClient, world: World) -> None:
    login(client, world.partner_employee)
    with client.websocket_connect(f"/ws/projects/{world.internal.id}", headers=ORIGIN) as ws:
        assert 'id="needs-list"' in ws.receive_text()


def test_socket_without_origin_is_refused(client: TestClient, world: World) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/ws/projects/{world.public.id}") as ws,
    ):
        ws.receive_text()


def test_socket_for_an_impossible_id_is_refused(client: TestClient, world: World) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/ws/needs/{10**20}", headers=ORIGIN) as ws,
    ):
        ws.receive_text()
