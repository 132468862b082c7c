"""The queue's counts and items, and the replaced content on the need page, go out live."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import World, login
from tests.helpers import ORIGIN, Api, push
from tests.moderation.conftest import REASON, SECRET, Thread, decide, report


def test_the_queue_counts_a_new_report_and_marks_a_decision_live(
    client: TestClient, api: Api, world: World, thread: Thread
) -> None:
    login(client, world.procurer)
    with client.websocket_connect(f"/ws/projects/{world.public.id}/reports", headers=ORIGIN) as ws:
        assert "Ingenting venter på avgjørelse." in ws.receive_text()
        filed = report(api, world.employee, "comment", thread.comment, "Navn på en nabo").json()
        added = push(ws, "1 sak venter på avgjørelse")
        assert 'hx-swap-oob="beforeend:#queue-list"' in added
        assert SECRET in added and "Navn på en nabo" in added
        report(api, world.supplier, "comment", thread.comment, "Helseopplysninger")
        again = push(ws, "Helseopplysninger")
        assert f'id="queue-item-comment-{thread.comment}"' in again
        assert "beforeend" not in again  # the same item, drawn again in its place
        decide(api, world.procurer, filed["id"], "hide", REASON)
        done = push(ws, "Avgjort: Skjult")
        assert "Ingenting venter på avgjørelse." in done


def test_other_viewers_of_the_need_see_the_comment_replaced_when_the_queue_hides_it(
    client: TestClient, api: Api, world: World, thread: Thread
) -> None:
    filed = report(api, world.employee, "comment", thread.comment).json()
    login(client, world.supplier)
    with client.websocket_connect(f"/ws/needs/{thread.need}", headers=ORIGIN) as ws:
        assert SECRET in ws.receive_text()
        decide(api, world.procurer, filed["id"], "hide", REASON)
        replaced = push(ws, f'id="comment-{thread.comment}"')
    assert SECRET not in replaced
    assert f"Skjult av moderator: {REASON}" in replaced


def test_a_hidden_need_is_replaced_live_and_comes_back_when_shown_again(
    client: TestClient, api: Api, world: World, thread: Thread
) -> None:
    login(client, world.supplier)
    with client.websocket_connect(f"/ws/needs/{thread.need}", headers=ORIGIN) as ws:
        ws.receive_text()
        filed = report(api, world.citizen, "need", thread.need).json()
        decide(api, world.procurer, filed["id"], "hide", REASON)
        hidden = push(ws, f'id="need-{thread.need}-text"')
        assert "Skjult behov" in hidden and "Brukerne våkner" not in hidden
        body = {"object_type": "need", "object_id": thread.need, "reason": "Saklig."}
        review = api.post("/reviews", world.employee, json=body).json()
        decide(api, world.procurer, review["id"], "restore")
        shown = push(ws, f'id="need-{thread.need}-text"')
        assert "Brukerne våkner" in shown


def test_an_approved_first_comment_joins_the_thread_of_other_viewers_live(
    client: TestClient, api: Api, world: World, thread: Thread
) -> None:
    login(client, world.procurer)
    client.post(f"/projects/{world.public.id}/moderation", data={"hold_first": "true"})
    first = api.comment(world.supplier, thread.need, "Et nytt innspill fra en leverandør.")
    [held] = api.get(f"/projects/{world.public.id}/reports", world.procurer).json()
    login(client, world.employee)
    with client.websocket_connect(f"/ws/needs/{thread.need}", headers=ORIGIN) as ws:
        assert "Et nytt innspill" not in ws.receive_text()
        decide(api, world.procurer, held["id"], "restore")
        joined = push(ws, "Et nytt innspill fra en leverandør.")
    assert f'id="comment-{first["id"]}"' in joined
    assert "beforeend:#comments" in joined
