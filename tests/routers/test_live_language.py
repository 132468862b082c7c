"""A live socket speaks the language of the page that opened it, whatever its handshake says.

A browser's WebSocket handshake may carry another Accept-Language than the page's requests did
(Chromium sends the machine's), and the language cookie may change after the page was rendered;
the pushes must still match the page around them.
"""

from __future__ import annotations

import html
import itertools
import re

import pytest
from fastapi.testclient import TestClient

from app import i18n
from app.models.base import PHASE_LABELS, Phase
from tests.conftest import World, bearer
from tests.helpers import ORIGIN, RATIONALE, receive_until

SOCKET_RE = re.compile(r'ws-connect="([^"]+)"')
LANGUAGE_PAIRS = list(itertools.permutations(i18n.LANGUAGES, 2))


def _phase_badge(lang: str, phase: Phase) -> str:
    with i18n.use_language(lang):
        return f"{i18n.gettext('Phase')}: {i18n.gettext(PHASE_LABELS[phase])}"


def _socket_of(client: TestClient, path: str, lang: str) -> str:
    page = client.get(path, headers={"Accept-Language": lang})
    assert page.status_code == 200, page.text
    assert f'<html lang="{lang}">' in page.text
    found = SOCKET_RE.search(page.text)
    assert found, f"{path} has no live socket"
    return html.unescape(found.group(1))


@pytest.mark.parametrize(("page_lang", "handshake_lang"), LANGUAGE_PAIRS)
def test_pushes_come_in_the_pages_language_not_the_handshakes(
    client: TestClient, world: World, page_lang: str, handshake_lang: str
) -> None:
    socket = _socket_of(client, f"/projects/{world.public.id}", page_lang)
    client.cookies.set("lang", handshake_lang)  # switched in another tab since
    handshake = {**ORIGIN, "Accept-Language": handshake_lang}
    with client.websocket_connect(socket, headers=handshake) as ws:
        first = ws.receive_text()
        assert _phase_badge(page_lang, Phase.needs) in html.unescape(first)  # the resync
        moved = client.post(
            f"/api/v1/projects/{world.public.id}/phase",
            json={"to_phase": "market_dialogue", "rationale": RATIONALE},
            headers=bearer(client, world.procurer),
        )
        assert moved.status_code == 200, moved.text
        pushed = html.unescape(receive_until(ws, 'id="project-phase-badge"'))
    assert _phase_badge(page_lang, Phase.market_dialogue) in pushed
    assert _phase_badge(handshake_lang, Phase.market_dialogue) not in pushed


def test_a_reconnect_resyncs_in_the_pages_language(client: TestClient, world: World) -> None:
    socket = _socket_of(client, f"/projects/{world.public.id}", "nb")
    for _attempt in range(2):  # htmx reconnects to the same address
        with client.websocket_connect(socket, headers={**ORIGIN, "Accept-Language": "en"}) as ws:
            assert _phase_badge("nb", Phase.needs) in html.unescape(ws.receive_text())


def test_without_the_pages_language_the_cookie_then_the_handshake_decide(
    client: TestClient, world: World
) -> None:
    url = f"/ws/projects/{world.public.id}"
    for query, cookie, expected in (("?lang=xx", None, "en"), ("", "nb", "nb"), ("", None, "en")):
        client.cookies.clear()
        if cookie:
            client.cookies.set("lang", cookie)
        with client.websocket_connect(
            url + query, headers={**ORIGIN, "Accept-Language": "en"}
        ) as ws:
            assert _phase_badge(expected, Phase.needs) in html.unescape(ws.receive_text())


def test_every_live_page_names_its_language_in_its_socket(client: TestClient, world: World) -> None:
    project = world.public.id
    need = client.post(
        f"/api/v1/projects/{project}/needs",
        json={"title": "Trygge nattbesøk", "problem": "Brukerne våkner av tilsynet om natten."},
        headers=bearer(client, world.employee),
    )
    assert need.status_code == 201, need.text
    pages = [
        f"/projects/{project}",
        f"/needs/{need.json()['id']}",
        f"/projects/{project}/metrics",
        f"/projects/{project}/questions",
        f"/projects/{project}/documents",
        f"/projects/{project}/events",
        f"/projects/{project}/proposals",
    ]
    for path, lang in itertools.product(pages, i18n.LANGUAGES):
        socket = _socket_of(client, path, lang)
        assert socket.endswith(f"?{i18n.PAGE_LANGUAGE_PARAM}={lang}"), (path, socket)
