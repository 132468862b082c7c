"""The proposal pages work as plain forms (CSRF token in the form) and with htmx (header)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import CSRF_RE, login
from tests.helpers import Api
from tests.proposals.conftest import JUSTIFICATION, PDF, SECRET_BODY, SUMMARY, Market, attach

HTMX = {"HX-Request": "true"}


def _form(market: Market, token: str, **extra: Any) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "need_ids": [str(market.need_id)],
        "title": "Sensorgulv",
        "summary": SUMMARY,
        "body": SECRET_BODY,
        "claim_body": "true",
        "justification": JUSTIFICATION,
        "file_justification": "",
        **extra,
    }


def _plain(client: TestClient, market: Market) -> tuple[TestClient, str]:
    """A logged-in browser without JavaScript: no CSRF header, only the form's token."""
    page = client.get(f"/projects/{market.project_id}/proposals")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    client.headers.pop("X-CSRF-Token", None)
    return client, token


def test_a_registered_supplier_submits_with_a_plain_form_and_a_file(
    client: TestClient, market: Market
) -> None:
    login(client, market.supplier_b)
    page = client.get(f"/projects/{market.project_id}/proposals")
    assert 'id="proposal-form"' in page.text
    client, token = _plain(client, market)
    response = client.post(
        f"/projects/{market.project_id}/proposals",
        data=_form(market, token, file_justification=JUSTIFICATION),
        files={"file": ("tilbud.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert SECRET_BODY in page.text
    assert "tilbud.pdf" in page.text
    assert page.text.count("Krevd unntatt som forretningshemmelighet") == 2  # body and file


def test_an_empty_file_field_is_no_attachment(client: TestClient, market: Market) -> None:
    login(client, market.supplier_b)
    client, token = _plain(client, market)
    response = client.post(
        f"/projects/{market.project_id}/proposals",
        data=_form(market, token, claim_body=""),
        files={"file": ("", b"", "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_a_form_without_the_token_is_refused(client: TestClient, market: Market) -> None:
    login(client, market.supplier_b)
    client, _token = _plain(client, market)
    response = client.post(f"/projects/{market.project_id}/proposals", data=_form(market, "forged"))
    assert response.status_code == 403


def test_htmx_errors_land_in_the_forms_error_box(client: TestClient, market: Market) -> None:
    login(client, market.supplier_b)
    response = client.post(
        f"/projects/{market.project_id}/proposals",
        data=_form(market, "", justification=" "),
        headers={**HTMX, "HX-Trigger": "proposal-form"},
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#proposal-form-errors"
    assert "Gi en begrunnelse for kravet om forretningshemmelighet." in response.text


def test_the_form_is_offered_only_to_registered_suppliers(
    api: Api, market: Market, client: TestClient
) -> None:
    for user in (market.world.procurer, market.world.citizen, None):
        page = client.get(f"/projects/{market.project_id}/proposals", headers=api.headers(user))
        assert 'id="proposal-form"' not in page.text


def test_procurer_decides_a_claim_and_sets_the_status_with_htmx(
    client: TestClient, market: Market, api: Api
) -> None:
    login(client, market.world.procurer)
    page = client.get(f"/proposals/{market.proposal_id}")
    assert 'id="proposal-status-form"' in page.text
    claim_id = market.proposal["claims"][0]["id"]
    response = client.post(
        f"/claims/{claim_id}/decision", data={"decision": "accepted"}, headers=HTMX
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/proposals/{market.proposal_id}#claim-{claim_id}"
    response = client.post(
        f"/proposals/{market.proposal_id}/status",
        data={"status": "not_relevant", "reason": "Løser et annet behov."},
        headers=HTMX,
    )
    assert response.status_code == 204
    body = api.get(f"/proposals/{market.proposal_id}", market.world.procurer).json()
    assert (body["status"], body["claims"][0]["decision"]) == ("not_relevant", "accepted")


def test_company_publishes_and_withdraws_from_its_page(
    client: TestClient, market: Market, api: Api
) -> None:
    login(client, market.colleague)
    page = client.get(f"/proposals/{market.proposal_id}")
    assert 'id="publish-form"' in page.text and 'id="withdraw-proposal-form"' in page.text
    assert 'id="proposal-status-form"' not in page.text
    assert client.post(f"/proposals/{market.proposal_id}/publish-summary").status_code == 200
    withdrawn = client.post(f"/proposals/{market.proposal_id}/withdraw", data={"confirm": "yes"})
    assert withdrawn.status_code == 200
    body = api.get(f"/proposals/{market.proposal_id}", market.world.procurer).json()
    assert body["summary_published"] and body["status"] == "withdrawn"
    page = client.get(f"/proposals/{market.proposal_id}")
    assert 'id="withdraw-proposal-form"' not in page.text


def test_the_project_page_links_to_the_proposals(client: TestClient, market: Market) -> None:
    page = client.get(f"/projects/{market.project_id}")
    assert f'href="/projects/{market.project_id}/proposals"' in page.text


def test_a_proposal_s_attachment_is_described_in_words(
    client: TestClient, api: Api, market: Market
) -> None:
    attach(api, market, market.world.supplier)
    login(client, market.world.supplier)
    page = client.get(f"/proposals/{market.proposal_id}").text
    assert f"(PDF-dokument, {len(PDF)} byte)" in page
    assert "application/pdf" not in page and " B)" not in page
