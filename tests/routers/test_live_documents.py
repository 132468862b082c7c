"""A published document reaches the documents page of everyone who may see it, and no one else."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models import User
from app.models.base import OrganisationKind, Phase, Role
from tests.conftest import Factory, World, login
from tests.helpers import ORIGIN, Api, published, push, uploaded


def _watch(stack: ExitStack, client: TestClient, user: User | None, project_id: int) -> Any:
    """Open the documents socket as this user (on the app's own loop, as the hub needs)."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    if user is not None:
        login(client, user)
    ws = stack.enter_context(
        client.websocket_connect(f"/ws/projects/{project_id}/documents", headers=ORIGIN)
    )
    first = ws.receive_text()
    assert 'id="documents-list"' in first  # the resync: the whole list as this viewer sees it
    return ws


def _publish(api: Api, document: dict[str, Any], user: User) -> None:
    response = api.post(f"/documents/{document['id']}/publish", user)
    assert response.status_code == 200, response.text


def test_a_public_document_reaches_everyone_watching(
    client: TestClient, api: Api, world: World
) -> None:
    draft = uploaded(api, world.procurer, world.public.id, audience="public", title="Åpent notat")
    with ExitStack() as stack:
        watchers = [
            _watch(stack, client, user, world.public.id)
            for user in (None, world.citizen, world.supplier, world.procurer)
        ]
        _publish(api, draft, world.procurer)
        for ws in watchers:
            pushed = push(ws, "Åpent notat")
            assert 'id="documents-list" class="card-list" hx-swap-oob="true"' in pushed


def test_a_participants_document_reaches_participants_only(
    client: TestClient, api: Api, world: World, factory: Factory
) -> None:
    api.advance(world.procurer, world.public.id, Phase.market_dialogue)
    assert api.post(f"/projects/{world.public.id}/suppliers", world.supplier).status_code == 201
    unregistered = factory.user(Role.supplier, factory.org(OrganisationKind.supplier))
    secret = uploaded(api, world.procurer, world.public.id, title="Utkast til høring")
    later = uploaded(api, world.procurer, world.public.id, audience="public", title="Kunngjøring")
    with ExitStack() as stack:
        insiders = [
            _watch(stack, client, user, world.public.id)
            for user in (world.supplier, world.employee, world.partner_procurer)
        ]
        outsiders = [
            _watch(stack, client, user, world.public.id)
            for user in (None, unregistered, world.citizen, world.other_procurer, world.researcher)
        ]
        _publish(api, secret, world.procurer)
        for ws in insiders:
            assert "Utkast til høring" in push(ws, 'id="documents-list"')
        _publish(api, later, world.procurer)
        for ws in outsiders:
            pushed = push(ws, 'id="documents-list"')  # the next list is the public one
            assert "Kunngjøring" in pushed
            assert "Utkast til høring" not in pushed


def test_an_upload_reaches_only_procurers_and_with_their_buttons(
    client: TestClient, api: Api, world: World
) -> None:
    with ExitStack() as stack:
        procurer = _watch(stack, client, world.partner_procurer, world.public.id)
        citizen = _watch(stack, client, world.citizen, world.public.id)
        uploaded(api, world.procurer, world.public.id, audience="public", title="Kladd")
        pushed = push(procurer, "Kladd")
        assert "/publish" in pushed and "csrf_token" not in pushed  # htmx sends the header
        public = uploaded(api, world.procurer, world.public.id, audience="public", title="Ferdig")
        _publish(api, public, world.procurer)
        pushed = push(citizen, 'id="documents-list"')
        assert "Ferdig" in pushed and "Kladd" not in pushed and "/publish" not in pushed


def test_narrowing_the_audience_takes_the_document_off_outsiders_pages(
    client: TestClient, api: Api, world: World
) -> None:
    document = published(api, world.procurer, world.public.id, audience="public", title="Notat")
    with ExitStack() as stack:
        visitor = _watch(stack, client, None, world.public.id)
        response = api.put(
            f"/documents/{document['id']}/audience", world.procurer, json={"audience": "procurers"}
        )
        assert response.status_code == 200
        pushed = push(visitor, 'id="documents-list"')
        assert "Notat" not in pushed


def test_outsiders_cannot_watch_an_internal_projects_documents(
    client: TestClient, world: World
) -> None:
    from starlette.websockets import WebSocketDisconnect

    for user in (None, world.other_procurer, world.supplier):
        client.cookies.clear()
        client.headers.pop("X-CSRF-Token", None)
        if user is not None:
            login(client, user)
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(
                f"/ws/projects/{world.internal.id}/documents", headers=ORIGIN
            ) as ws,
        ):
            ws.receive_text()
