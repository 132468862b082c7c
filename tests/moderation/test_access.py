"""Who reports, who sees the queue and who decides: refusals that tell nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from app.models.base import Role
from tests.conftest import Factory, World, login
from tests.helpers import ORIGIN, Api
from tests.moderation.conftest import REASON, SECRET, Thread, decide, report


@pytest.mark.parametrize(
    ("reader", "status"),
    [("other_procurer", 403), ("supplier", 403), ("citizen", 403), ("employee", 403), (None, 401)],
)
def test_only_the_projects_moderators_see_its_queue(
    client: TestClient, api: Api, world: World, thread: Thread, reader: str | None, status: int
) -> None:
    report(api, world.employee, "comment", thread.comment)
    user = world.member(reader)
    listed = api.get(f"/projects/{world.public.id}/reports", user)
    assert listed.status_code == status
    assert SECRET not in listed.text
    if user is not None:
        login(client, user)
    page = client.get(f"/projects/{world.public.id}/reports")
    assert page.status_code == status
    assert SECRET not in page.text


def test_a_project_out_of_sight_has_no_queue_either(api: Api, world: World) -> None:
    for reader in (world.citizen, world.other_procurer):
        assert api.get(f"/projects/{world.internal.id}/reports", reader).status_code == 404


@pytest.mark.parametrize("reader", ["other_procurer", "supplier", "citizen", "employee"])
def test_a_decision_by_anyone_else_is_a_missing_report(
    api: Api, world: World, thread: Thread, reader: str
) -> None:
    filed = report(api, world.employee, "comment", thread.comment).json()
    refused = decide(api, world.member(reader), filed["id"], "hide", REASON)
    missing = decide(api, world.member(reader), filed["id"] + 100, "hide", REASON)
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert api.get(f"/needs/{thread.need}/comments", world.supplier).json()[-1]["body"] == SECRET


def test_platform_moderators_and_admins_work_every_visible_queue(
    api: Api, world: World, thread: Thread, factory: Factory, session: Session
) -> None:
    moderator = factory.user(Role.citizen, name="Mona Moderator")
    moderator.is_moderator = True
    session.add(moderator)
    session.commit()
    first = report(api, world.employee, "comment", thread.comment).json()
    assert api.get(f"/projects/{world.public.id}/reports", moderator).status_code == 200
    assert decide(api, moderator, first["id"], "dismiss").status_code == 200
    second = report(api, world.supplier, "comment", thread.comment).json()
    assert decide(api, world.admin, second["id"], "hide", REASON).status_code == 200
    # The internal project stays out of a platform moderator's sight.
    assert api.get(f"/projects/{world.internal.id}/reports", moderator).status_code == 404


def test_anonymous_visitors_cannot_report_and_nobody_reports_what_they_cannot_see(
    api: Api, world: World, thread: Thread
) -> None:
    assert report(api, None, "need", thread.need).status_code == 401
    need = api.post_need(world.employee, world.internal.id)["id"]
    hidden_from_citizen = report(api, world.citizen, "need", need)
    missing = report(api, world.citizen, "need", need + 1000)
    assert hidden_from_citizen.status_code == missing.status_code == 404
    assert hidden_from_citizen.json() == missing.json()


def test_hidden_content_cannot_be_reported_again(api: Api, world: World, thread: Thread) -> None:
    filed = report(api, world.employee, "comment", thread.comment).json()
    decide(api, world.procurer, filed["id"], "hide", REASON)
    assert report(api, world.supplier, "comment", thread.comment).status_code == 409


@pytest.mark.parametrize("reader", ["citizen", "supplier", "other_procurer", None])
def test_the_queues_live_channel_refuses_all_but_its_moderators(
    client: TestClient, world: World, reader: str | None
) -> None:
    user = world.member(reader)
    if user is not None:
        login(client, user)
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/ws/projects/{world.public.id}/reports", headers=ORIGIN) as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 1008
