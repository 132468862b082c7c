"""Who sees what of a proposal: the full proposal only for the project's procurers and the
supplier's own company; published summaries for everyone else who may view the project — alike in
the API, pages, attachment downloads, lists, counts and live pushes."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from tests.conftest import login
from tests.helpers import ORIGIN, Api, push
from tests.proposals.conftest import (
    JUSTIFICATION,
    PDF,
    SECRET_BODY,
    SUMMARY,
    Market,
    attach,
    proposal_input,
)

FULL = ["procurer", "partner_procurer", "admin", "supplier", "colleague"]
OTHERS = [
    "other_procurer",
    "supplier_b",
    "employee",
    "citizen",
    "researcher",
    "anonymous",
]


def _who(market: Market, name: str) -> Any:
    if name == "anonymous":
        return None
    if name == "colleague":
        return market.colleague
    if name == "supplier_b":
        return market.supplier_b
    return getattr(market.world, name)


def _publish(api: Api, market: Market) -> None:
    response = api.post(f"/proposals/{market.proposal_id}/publish-summary", market.world.supplier)
    assert response.status_code == 200, response.text


def _page(api: Api, url: str, user: Any) -> Any:
    return api.client.get(url, headers=api.headers(user))


# ---- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FULL)
def test_procurers_and_the_company_read_the_full_proposal(
    api: Api, market: Market, name: str
) -> None:
    response = api.get(f"/proposals/{market.proposal_id}", _who(market, name))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["view"] == "full"
    assert body["body"] == SECRET_BODY
    assert body["claims"][0]["justification"] == JUSTIFICATION


@pytest.mark.parametrize("name", OTHERS)
def test_others_cannot_know_an_unpublished_proposal_exists(
    api: Api, market: Market, name: str
) -> None:
    user = _who(market, name)
    response = api.get(f"/proposals/{market.proposal_id}", user)
    assert response.status_code == 404
    assert response.json()["detail"] == "No such proposal."
    assert api.get(f"/projects/{market.project_id}/proposals", user).json() == []


@pytest.mark.parametrize("name", OTHERS)
def test_others_see_only_the_published_summary(api: Api, market: Market, name: str) -> None:
    attach(api, market, market.world.supplier, justification=JUSTIFICATION)
    _publish(api, market)
    user = _who(market, name)
    body = api.get(f"/proposals/{market.proposal_id}", user).json()
    assert body == {
        "view": "summary",
        "id": market.proposal_id,
        "project_id": market.project_id,
        "organisation_name": "Leverandør AS",  # the company consented to publishing
        "title": "Radar som ser uten kamera",
        "summary": SUMMARY,
        "need_ids": [market.need_id],
        "summary_published_at": body["summary_published_at"],
    }
    listed = api.get(f"/projects/{market.project_id}/proposals", user).json()
    assert listed == [body]


def test_supplier_b_never_sees_supplier_as_unpublished_proposal_but_its_own(
    api: Api, market: Market
) -> None:
    own = api.post(
        f"/projects/{market.project_id}/proposals",
        market.supplier_b,
        json=proposal_input(market.need_id, title="Konkurrentens forslag"),
    ).json()
    seen_by_b = api.get(f"/projects/{market.project_id}/proposals", market.supplier_b).json()
    assert [p["id"] for p in seen_by_b] == [own["id"]]
    seen_by_a = api.get(f"/projects/{market.project_id}/proposals", market.colleague).json()
    assert [p["id"] for p in seen_by_a] == [market.proposal_id]
    seen_by_procurer = api.get(f"/projects/{market.project_id}/proposals", market.world.procurer)
    assert {p["id"] for p in seen_by_procurer.json()} == {market.proposal_id, own["id"]}


def test_a_withdrawn_summary_leaves_the_public_view(api: Api, market: Market) -> None:
    _publish(api, market)
    api.post(f"/proposals/{market.proposal_id}/withdraw", market.world.supplier)
    assert api.get(f"/proposals/{market.proposal_id}", market.world.citizen).status_code == 404
    assert api.get(f"/projects/{market.project_id}/proposals", None).json() == []
    assert api.get(f"/proposals/{market.proposal_id}", market.world.procurer).status_code == 200


def test_a_supplier_cannot_see_proposals_of_an_internal_project(api: Api, market: Market) -> None:
    response = api.get(f"/projects/{market.world.internal.id}/proposals", market.world.supplier)
    assert response.status_code == 404


# ---- attachment downloads -----------------------------------------------------------------------


@pytest.mark.parametrize("name", FULL)
def test_full_viewers_download_attachments_as_files(api: Api, market: Market, name: str) -> None:
    url = attach(api, market, market.world.supplier).json()["url"]
    response = api.client.get(url, headers=api.headers(_who(market, name)))
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert 'filename="pris.pdf"' in response.headers["content-disposition"]
    assert "no-store" in response.headers["cache-control"]


@pytest.mark.parametrize("name", OTHERS)
def test_others_never_download_attachments_even_after_publication(
    api: Api, market: Market, name: str
) -> None:
    url = attach(api, market, market.world.supplier).json()["url"]
    _publish(api, market)
    response = api.client.get(url, headers=api.headers(_who(market, name)))
    assert response.status_code == 404


def test_an_attachment_of_another_proposal_is_not_found(api: Api, market: Market) -> None:
    attachment = attach(api, market, market.world.supplier).json()
    other = api.post(
        f"/projects/{market.project_id}/proposals",
        market.supplier_b,
        json=proposal_input(market.need_id),
    ).json()
    url = f"/api/v1/proposals/{other['id']}/attachments/{attachment['id']}"
    response = api.client.get(url, headers=api.headers(market.supplier_b))
    assert response.status_code == 404


# ---- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FULL)
def test_the_proposal_page_shows_everything_to_full_viewers(
    api: Api, market: Market, name: str
) -> None:
    attach(api, market, market.world.supplier, justification=JUSTIFICATION)
    page = _page(api, f"/proposals/{market.proposal_id}", _who(market, name))
    assert page.status_code == 200
    assert SECRET_BODY in page.text
    assert JUSTIFICATION in page.text
    assert "pris.pdf" in page.text


@pytest.mark.parametrize("name", OTHERS)
def test_the_proposal_page_shows_others_only_the_published_summary(
    api: Api, market: Market, name: str
) -> None:
    attach(api, market, market.world.supplier, justification=JUSTIFICATION)
    user = _who(market, name)
    assert _page(api, f"/proposals/{market.proposal_id}", user).status_code == 404
    listing = _page(api, f"/projects/{market.project_id}/proposals", user)
    assert "0 proposals are shown." in listing.text
    assert "Radar som ser uten kamera" not in listing.text
    _publish(api, market)
    page = _page(api, f"/proposals/{market.proposal_id}", user)
    assert page.status_code == 200
    assert SUMMARY in page.text and "Leverandør AS" in page.text
    for secret in (SECRET_BODY, JUSTIFICATION, "pris.pdf", "Submitted"):
        assert secret not in page.text
    listing = _page(api, f"/projects/{market.project_id}/proposals", user)
    assert "1 proposal is shown." in listing.text
    assert SECRET_BODY not in listing.text


def test_the_company_sees_its_unpublished_proposal_apart_from_the_public_list(
    api: Api, market: Market
) -> None:
    page = _page(api, f"/projects/{market.project_id}/proposals", market.colleague)
    assert "0 proposals are shown." in page.text  # the live list is the public one
    assert "Your company's proposals" in page.text
    assert "Radar som ser uten kamera" in page.text


def test_procurers_count_every_proposal(api: Api, market: Market) -> None:
    page = _page(api, f"/projects/{market.project_id}/proposals", market.world.procurer)
    assert "1 proposal is shown." in page.text
    assert "Not published" in page.text


# ---- live pushes --------------------------------------------------------------------------------


def _quiet(ws: Any, needle: str, seconds: float = 1.0) -> None:
    """Nothing containing `needle` arrives within `seconds`."""

    async def next_message() -> dict[str, Any]:
        with anyio.fail_after(seconds):
            return await ws._send_rx.receive()  # type: ignore[no-any-return]

    while True:
        try:
            message = ws.portal.call(next_message)
        except TimeoutError:
            return
        assert needle not in message.get("text", ""), message


def _watch(client: TestClient, market: Market) -> Any:
    return client.websocket_connect(f"/ws/projects/{market.project_id}/proposals", headers=ORIGIN)


def test_a_new_submission_is_pushed_to_procurers_only(
    client: TestClient, api: Api, market: Market
) -> None:
    client.cookies.set("lang", "en")
    with _watch(client, market) as public_ws:
        assert "0 proposals are shown." in public_ws.receive_text()
        login(client, market.world.partner_procurer)  # the next socket is the procurer's
        with _watch(client, market) as procurer_ws:
            assert "Radar som ser uten kamera" in procurer_ws.receive_text()  # resync
            api.post(
                f"/projects/{market.project_id}/proposals",
                market.supplier_b,
                json=proposal_input(market.need_id, title="Konkurrentens forslag"),
            )
            pushed = push(procurer_ws, "Konkurrentens forslag")
            assert 'hx-swap-oob="true"' in pushed
            assert SECRET_BODY not in pushed  # the list carries summaries, never bodies
            _quiet(public_ws, "Konkurrentens forslag")


def test_a_published_summary_reaches_everyone_watching(
    client: TestClient, api: Api, market: Market
) -> None:
    with _watch(client, market) as public_ws:
        assert "Radar som ser uten kamera" not in public_ws.receive_text()
        login(client, market.supplier_b)
        with _watch(client, market) as rival_ws:
            assert "Radar som ser uten kamera" not in rival_ws.receive_text()
            _publish(api, market)
            for ws in (rival_ws, public_ws):
                pushed = push(ws, SUMMARY)
                assert "Leverandør AS" in pushed
                assert SECRET_BODY not in pushed and JUSTIFICATION not in pushed


def test_the_companys_own_socket_does_not_carry_its_unpublished_proposal(
    client: TestClient, market: Market
) -> None:
    """Sockets are shared per audience: a colleague's push must suit supplier B alike."""
    login(client, market.colleague)
    with _watch(client, market) as ws:
        assert "Radar som ser uten kamera" not in ws.receive_text()


def test_nobody_without_sight_of_the_project_may_watch(client: TestClient, market: Market) -> None:
    from starlette.websockets import WebSocketDisconnect

    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(
            f"/ws/projects/{market.world.internal.id}/proposals", headers=ORIGIN
        ) as ws,
    ):
        ws.receive_text()
