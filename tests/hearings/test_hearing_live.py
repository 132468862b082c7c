"""A hearing comment reaches the open hearing pages of those heard, each as they may see it: the
project's procurers with the supplier's company, other suppliers with "A supplier"."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.models import User
from tests.conftest import World, login
from tests.hearings.conftest import ALARMS, Heard, comment, on_passage
from tests.helpers import ORIGIN, Api, push

COMPANY = "Leverandør AS"


def _socket(client: TestClient, user: User | None, hearing: int) -> Any:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    if user is not None:
        login(client, user)
    return client.websocket_connect(f"/ws/hearings/{hearing}", headers=ORIGIN)


def test_a_passage_comment_and_its_mark_reach_other_viewers_each_as_they_may_see_it(
    client: TestClient, api: Api, world: World, heard: Heard
) -> None:
    with ExitStack() as stack:
        procurer = stack.enter_context(_socket(client, world.procurer, heard.hearing))
        rival = stack.enter_context(_socket(client, heard.rival, heard.hearing))
        for ws in (procurer, rival):
            assert f'id="hearing-heard-{heard.alarms}"' in ws.receive_text()  # the resync
        passage = on_passage(ALARMS, "nattevakten", version=2)
        made = comment(api, world.supplier, heard.hearing, heard.alarms, body="Fra A.", **passage)
        assert made.status_code == 201, made.text
        seen_by_procurer = push(procurer, "Fra A.")
        seen_by_rival = push(rival, "Fra A.")
    mark = '<mark class="passage passage-1" data-count="1">nattevakten</mark>'
    assert mark in seen_by_procurer and mark in seen_by_rival
    assert 'hx-swap-oob="true"' in seen_by_rival
    assert COMPANY in seen_by_procurer
    assert COMPANY not in seen_by_rival and "En leverandør" in seen_by_rival
    assert "csrf_token" not in seen_by_rival  # the forms are the page's, never pushed
    # The contents list's count follows, out of band.
    count = f'<span id="hearing-count-{heard.alarms}" class="hearing-count" hx-swap-oob="true">'
    assert count + "(1 kommentar)</span>" in seen_by_rival


@pytest.mark.parametrize("who", ["other_employee", "researcher", "other_procurer", None])
def test_people_outside_the_hearing_get_no_socket(
    client: TestClient, world: World, heard: Heard, who: str | None
) -> None:
    user = getattr(world, who) if who else None
    with pytest.raises(WebSocketDisconnect) as refused, _socket(client, user, heard.hearing) as ws:
        ws.receive_text()
    assert refused.value.code == 1008
