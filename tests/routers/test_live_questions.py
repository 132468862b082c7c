"""The Q&A page live: an answer reaches everyone at once, a new question only the procurers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import World, login
from tests.helpers import ORIGIN, PUSH_TIMEOUT, Api, next_message
from tests.questions import ANONYMISED, ANSWER, ORIGINAL, Cast, asked_question, publish_question

VIEWERS = ["procurer", "colleague_a", "supplier_b", "citizen", None]
OUTSIDERS = ["supplier_b", "citizen", None]


@pytest.fixture
def cast(api: Api, world: World, factory: Any) -> Cast:
    return Cast(api, world, factory)


def _until(ws: Any, needle: str, timeout: float = PUSH_TIMEOUT) -> str:
    """Every message up to and including the one containing `needle`, joined."""
    seen = []
    for _ in range(20):
        message = next_message(ws, timeout)
        if message["type"] == "websocket.close":
            raise AssertionError(f"socket closed before {needle!r} arrived")
        seen.append(message.get("text", ""))
        if needle in seen[-1]:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not received in 20 messages")


@contextmanager
def _watching(client: TestClient, cast: Cast) -> Iterator[dict[str | None, tuple[Any, str]]]:
    """A socket on the Q&A page for each viewer, with the resync each got on connect."""
    sockets: dict[str | None, tuple[Any, str]] = {}
    with ExitStack() as stack:
        for who in VIEWERS:
            client.cookies.clear()
            client.headers.pop("X-CSRF-Token", None)
            if who:
                login(client, getattr(cast, who))
            ws = stack.enter_context(
                client.websocket_connect(
                    f"/ws/projects/{cast.project_id}/questions", headers=ORIGIN
                )
            )
            sockets[who] = (ws, ws.receive_text())
        yield sockets


def _traces(cast: Cast) -> tuple[str, ...]:
    return ("Leverandør AS", cast.supplier_a.display_name, "SoveVakt", ORIGINAL)


def test_resync_shows_each_viewer_what_they_may_load(
    client: TestClient, api: Api, cast: Cast
) -> None:
    question = asked_question(api, cast)
    with _watching(client, cast) as sockets:
        procurer = sockets["procurer"][1]
        assert 'id="qa-list"' in procurer and ORIGINAL in procurer
        assert f'id="question-{question["id"]}"' in procurer
        colleague = sockets["colleague_a"][1]
        assert ORIGINAL in colleague and f'id="my-question-{question["id"]}"' in colleague
        assert 'id="question-queue"' not in colleague
        for who in OUTSIDERS:
            first = sockets[who][1]
            assert 'id="qa-list"' in first
            assert 'id="question-queue"' not in first
            # Supplier B gets its own company's (empty) list; others none.
            assert ('id="my-questions"' in first) == (who == "supplier_b")
            for trace in _traces(cast):
                assert trace not in first


def test_published_answer_reaches_everyone_at_once_without_the_asker(
    client: TestClient, api: Api, cast: Cast
) -> None:
    question = asked_question(api, cast)
    with _watching(client, cast) as sockets:
        assert publish_question(api, cast, question["id"]).status_code == 200
        pushed = {who: _until(ws, ANSWER) for who, (ws, _first) in sockets.items()}
    for html in pushed.values():
        assert ANONYMISED in html and 'hx-swap-oob="afterbegin:#qa-list"' in html
    assert f'id="question-{question["id"]}" hx-swap-oob="delete"' in pushed["procurer"]
    assert f'id="my-question-{question["id"]}" hx-swap-oob="delete"' in pushed["colleague_a"]
    for who in OUTSIDERS:
        for trace in (*_traces(cast), f"question-{question['id']}"):
            assert trace not in pushed[who], (who, trace)


def test_a_new_question_reaches_only_the_procurers(
    client: TestClient, api: Api, cast: Cast
) -> None:
    earlier = asked_question(api, cast, body="Et tidligere spørsmål som snart får et svar.")
    with _watching(client, cast) as sockets:
        asked = asked_question(api, cast)
        queued = _until(sockets["procurer"][0], ORIGINAL)
        assert 'hx-swap-oob="beforeend:#question-queue"' in queued
        assert f'id="question-{asked["id"]}"' in queued and "Leverandør AS" in queued
        # The next push for everyone is a publication; nothing about the new question before it.
        assert publish_question(api, cast, earlier["id"]).status_code == 200
        for who in ("colleague_a", *OUTSIDERS):
            before_answer = _until(sockets[who][0], ANSWER)
            assert ORIGINAL not in before_answer, who
            assert f"question-{asked['id']}" not in before_answer, who


def test_a_saved_draft_reaches_only_the_procurers(client: TestClient, api: Api, cast: Cast) -> None:
    question = asked_question(api, cast)
    other = asked_question(api, cast, body="Et annet spørsmål som publiseres etter utkastet.")
    with _watching(client, cast) as sockets:
        draft = {"public_question": ANONYMISED, "answer": "Utkast som ingen leverandør skal se."}
        response = api.put(f"/questions/{question['id']}/answer", cast.procurer, json=draft)
        assert response.status_code == 200
        status = _until(sockets["procurer"][0], f'id="question-{question["id"]}-status"')
        assert 'hx-swap-oob="true"' in status
        assert publish_question(api, cast, other["id"]).status_code == 200
        for who in ("colleague_a", *OUTSIDERS):
            assert "Utkast som ingen" not in _until(sockets[who][0], ANSWER), who


def test_outsiders_cannot_watch_an_internal_projects_questions(
    client: TestClient, world: World
) -> None:
    login(client, world.supplier)
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(
            f"/ws/projects/{world.internal.id}/questions", headers=ORIGIN
        ) as ws,
    ):
        ws.receive_text()
