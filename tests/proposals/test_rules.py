"""Submitting, withdrawing, publishing, assessing proposals and deciding claims: each rule and
each refusal, with the audit and participation entries they leave."""

from __future__ import annotations

from typing import Any

from app.models.base import Phase
from tests.conftest import World
from tests.helpers import Api
from tests.proposals.conftest import (
    JUSTIFICATION,
    SECRET_BODY,
    Market,
    attach,
    proposal_input,
)


def _submit(api: Api, market: Market, user: Any, **fields: Any) -> Any:
    return api.post(
        f"/projects/{market.project_id}/proposals",
        user,
        json=proposal_input(market.need_id, **fields),
    )


def _audit(api: Api, market: Market) -> list[dict[str, Any]]:
    response = api.get(f"/projects/{market.project_id}/audit-log", market.world.procurer)
    assert response.status_code == 200, response.text
    return response.json()


# ---- submitting --------------------------------------------------------------------------------


def test_registered_supplier_submits_a_proposal_with_a_claim(market: Market) -> None:
    body = market.proposal
    assert body["view"] == "full"
    assert body["status"] == "submitted"
    assert body["organisation_name"] == "Leverandør AS"
    assert body["need_ids"] == [market.need_id]
    assert body["body"] == SECRET_BODY
    assert body["summary_published"] is False
    [claim] = body["claims"]
    assert (claim["field"], claim["decision"]) == ("body", "pending")
    assert claim["justification"] == JUSTIFICATION


def test_submission_is_logged_as_participation_addressed_to_the_procurers(
    api: Api, market: Market
) -> None:
    event = api.events(market.world.procurer, market.project_id)[-1]
    assert (event["verb"], event["object_type"]) == ("proposed", "proposal")
    assert event["object_id"] == market.proposal_id
    assert (event["actor_role"], event["actor_org_kind"]) == ("supplier", "supplier")
    assert event["addressee_role"] == "procurer"
    assert event["phase"] == "market_dialogue"


def test_a_company_that_is_not_registered_cannot_submit(
    api: Api, market: Market, factory: Any
) -> None:
    from app.models.base import OrganisationKind, Role

    org = factory.org(OrganisationKind.supplier, name="Sen AS", org_number="923609016")
    late = factory.user(Role.supplier, org)
    response = _submit(api, market, late)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Register your company for the market dialogue before you submit a solution proposal."
    )


def test_only_suppliers_submit_proposals(api: Api, market: Market) -> None:
    for user in (market.world.procurer, market.world.employee, market.world.citizen):
        response = _submit(api, market, user)
        assert response.status_code == 403
        assert response.json()["detail"] == "Only suppliers can submit solution proposals."
    response = _submit(api, market, None)
    assert response.status_code == 401


def test_proposals_close_with_the_market_dialogue(api: Api, market: Market) -> None:
    api.advance(market.world.procurer, market.project_id, Phase.competition)
    response = _submit(api, market, market.supplier_b)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Solution proposals can only be submitted during the market dialogue; the project is "
        "now in the phase “Competition”."
    )


def test_linked_needs_must_belong_to_the_project(api: Api, market: Market) -> None:
    other = api.post_need(market.world.employee, market.world.internal.id)
    for need_ids in ([other["id"]], [market.need_id, other["id"]], [987654]):
        response = _submit(api, market, market.supplier_b, need_ids=need_ids)
        assert response.status_code == 422
        assert response.json()["detail"] == "Link the proposal to needs of this project."


def test_a_proposal_needs_at_least_one_need(api: Api, market: Market) -> None:
    response = _submit(api, market, market.supplier_b, need_ids=[])
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Choose at least one need of the project that the proposal answers."
    )


def test_a_claim_needs_a_justification_of_ten_characters(api: Api, market: Market) -> None:
    claims = [{"field": "body", "justification": "   hemmelig  "}]
    response = _submit(api, market, market.supplier_b, claims=claims)
    assert response.status_code == 422
    assert response.json()["detail"] == "Justification is not valid."


def test_a_claim_can_only_name_a_confidential_field(api: Api, market: Market) -> None:
    claims = [{"field": "title", "justification": JUSTIFICATION}]
    response = _submit(api, market, market.supplier_b, claims=claims)
    assert response.status_code == 422


def test_the_confidential_description_must_say_something(api: Api, market: Market) -> None:
    response = _submit(api, market, market.supplier_b, body="   kort   ")
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Describe the solution in the confidential description (at least 10 characters)."
    )


def test_a_refused_submission_leaves_nothing_behind(api: Api, market: Market) -> None:
    before = api.get(f"/projects/{market.project_id}/proposals", market.world.procurer).json()
    _submit(api, market, market.supplier_b, need_ids=[market.need_id, 987654])
    after = api.get(f"/projects/{market.project_id}/proposals", market.world.procurer).json()
    assert after == before


# ---- attachments -------------------------------------------------------------------------------


def test_company_attaches_a_file_typed_by_its_content_with_a_claim(
    api: Api, market: Market
) -> None:
    response = attach(api, market, market.colleague, justification=JUSTIFICATION)
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert attachment["content_type"] == "application/pdf"  # not the name's text/plain
    assert attachment["filename"] == "pris.pdf"  # the extension its content shows
    full = api.get(f"/proposals/{market.proposal_id}", market.world.procurer).json()
    assert [a["id"] for a in full["attachments"]] == [attachment["id"]]
    claim = next(c for c in full["claims"] if c["attachment_id"] == attachment["id"])
    assert claim["decision"] == "pending"


def test_only_the_company_attaches_files(api: Api, market: Market) -> None:
    response = attach(api, market, market.world.procurer)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the company that submitted the proposal can do this."
    assert attach(api, market, market.supplier_b).status_code == 404  # out of its sight


def test_an_attachment_claim_needs_a_real_justification(api: Api, market: Market) -> None:
    response = attach(api, market, market.world.supplier, justification="kort")
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "The justification for a business-secret claim must be 10 to 2000 characters."
    )


def test_a_program_is_not_accepted_as_an_attachment(api: Api, market: Market) -> None:
    response = api.post(
        f"/proposals/{market.proposal_id}/attachments",
        market.world.supplier,
        files={"file": ("pris.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "application/pdf")},
    )
    assert response.status_code == 422
    assert "This kind of file is not accepted" in response.json()["detail"]


# ---- withdrawal and publication -----------------------------------------------------------------


def test_supplier_withdraws_for_good_and_the_record_stays(api: Api, market: Market) -> None:
    response = api.post(f"/proposals/{market.proposal_id}/withdraw", market.colleague)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    again = api.post(f"/proposals/{market.proposal_id}/withdraw", market.world.supplier)
    assert again.status_code == 409
    assert again.json()["detail"] == "The proposal has already been withdrawn."
    kept = api.get(f"/proposals/{market.proposal_id}", market.world.procurer).json()
    assert kept["status"] == "withdrawn" and kept["body"] == SECRET_BODY
    event = api.events(market.world.procurer, market.project_id)[-1]
    assert event["verb"] == "withdrew_proposal"
    entry = _audit(api, market)[-1]
    assert entry["action"] == "proposal_status_changed"
    assert (entry["before"]["status"], entry["after"]["status"]) == ("submitted", "withdrawn")


def test_a_withdrawn_proposal_takes_no_attachment_and_no_publication(
    api: Api, market: Market
) -> None:
    api.post(f"/proposals/{market.proposal_id}/withdraw", market.world.supplier)
    response = attach(api, market, market.world.supplier)
    assert response.status_code == 409
    message = "The proposal has been withdrawn and can no longer change."
    assert response.json()["detail"] == message
    response = api.post(f"/proposals/{market.proposal_id}/publish-summary", market.world.supplier)
    assert (response.status_code, response.json()["detail"]) == (409, message)


def test_only_the_company_withdraws_or_publishes(api: Api, market: Market) -> None:
    for action in ("withdraw", "publish-summary"):
        response = api.post(f"/proposals/{market.proposal_id}/{action}", market.world.procurer)
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "Only the company that submitted the proposal can do this."
        )
        response = api.post(f"/proposals/{market.proposal_id}/{action}", market.supplier_b)
        assert response.status_code == 404


def test_publishing_the_summary_is_audited_once(api: Api, market: Market) -> None:
    response = api.post(f"/proposals/{market.proposal_id}/publish-summary", market.world.supplier)
    assert response.status_code == 200, response.text
    assert response.json()["summary_published"] is True
    assert response.json()["summary_published_at"]
    entry = _audit(api, market)[-1]
    assert (entry["action"], entry["object_id"]) == ("summary_published", market.proposal_id)
    assert entry["after"] == {"summary_published": True}
    again = api.post(f"/proposals/{market.proposal_id}/publish-summary", market.world.supplier)
    assert again.status_code == 409
    assert again.json()["detail"] == "The summary is already published."


# ---- the procurer's assessment ------------------------------------------------------------------


def test_procurer_marks_a_proposal_considered_with_an_audit_entry(api: Api, market: Market) -> None:
    for status in ("acknowledged", "considered"):
        response = api.put(
            f"/proposals/{market.proposal_id}/status",
            market.world.partner_procurer,
            json={"status": status, "reason": "Tas med i arbeidet med kravspesifikasjonen."},
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    entry = _audit(api, market)[-1]
    assert entry["action"] == "proposal_status_changed"
    assert (entry["before"]["status"], entry["after"]["status"]) == ("acknowledged", "considered")
    assert entry["rationale"] == "Tas med i arbeidet med kravspesifikasjonen."
    event = api.events(market.world.procurer, market.project_id)[-1]
    assert (event["verb"], event["addressee_role"]) == ("assessed_proposal", "supplier")


def test_only_the_projects_procurers_assess(api: Api, market: Market) -> None:
    url = f"/proposals/{market.proposal_id}/status"
    response = api.put(url, market.world.supplier, json={"status": "considered"})
    assert response.status_code == 403
    assert (
        response.json()["detail"] == "Only the project's procurers can assess solution proposals."
    )
    assert api.put(url, market.world.other_procurer, json={"status": "considered"}).status_code == (
        404
    )


def test_status_cannot_be_set_to_withdrawn_or_unknown(api: Api, market: Market) -> None:
    url = f"/proposals/{market.proposal_id}/status"
    for status in ("withdrawn", "submitted", "great"):
        response = api.put(url, market.world.procurer, json={"status": status})
        assert response.status_code == 422


def test_a_withdrawn_proposal_keeps_its_status(api: Api, market: Market) -> None:
    api.post(f"/proposals/{market.proposal_id}/withdraw", market.world.supplier)
    response = api.put(
        f"/proposals/{market.proposal_id}/status",
        market.world.procurer,
        json={"status": "considered"},
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The supplier has withdrawn this proposal; its status can no longer change."
    )


def test_procurer_accepts_a_claim_and_the_decision_is_audited(api: Api, market: Market) -> None:
    claim_id = market.proposal["claims"][0]["id"]
    response = api.put(
        f"/claims/{claim_id}/decision", market.world.procurer, json={"decision": "accepted"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["decision"] == "accepted"
    assert response.json()["decided_at"]
    entry = _audit(api, market)[-1]
    assert (entry["action"], entry["object_type"], entry["object_id"]) == (
        "claim_decided",
        "secrecy_claim",
        claim_id,
    )
    assert (entry["before"]["decision"], entry["after"]["decision"]) == ("pending", "accepted")
    seen = api.get(f"/proposals/{market.proposal_id}", market.world.supplier).json()
    assert seen["claims"][0]["decision"] == "accepted"  # the supplier reads the outcome


def test_rejecting_a_claim_needs_a_reason(api: Api, market: Market) -> None:
    url = f"/claims/{market.proposal['claims'][0]['id']}/decision"
    response = api.put(url, market.world.procurer, json={"decision": "rejected", "reason": "  "})
    assert response.status_code == 422
    assert response.json()["detail"] == "Give a reason when you reject a business-secret claim."
    reason = "Prisen er allerede offentlig i en annen kommunes avtale."
    response = api.put(url, market.world.procurer, json={"decision": "rejected", "reason": reason})
    assert response.status_code == 200
    assert response.json()["decision_reason"] == reason
    assert _audit(api, market)[-1]["rationale"] == reason


def test_only_the_projects_procurers_decide_claims(api: Api, market: Market) -> None:
    url = f"/claims/{market.proposal['claims'][0]['id']}/decision"
    response = api.put(url, market.world.supplier, json={"decision": "accepted"})
    assert response.status_code == 403
    assert (
        response.json()["detail"] == "Only the project's procurers can assess solution proposals."
    )
    for outsider in (market.supplier_b, market.world.other_procurer, market.world.employee):
        response = api.put(url, outsider, json={"decision": "accepted"})
        assert response.status_code == 404
        assert response.json()["detail"] == "No such claim."


def test_claims_and_status_are_decided_in_any_phase(api: Api, world: World, market: Market) -> None:
    api.advance(world.procurer, market.project_id, Phase.competition)
    url = f"/claims/{market.proposal['claims'][0]['id']}/decision"
    assert api.put(url, world.procurer, json={"decision": "accepted"}).status_code == 200
    response = api.put(
        f"/proposals/{market.proposal_id}/status", world.procurer, json={"status": "considered"}
    )
    assert response.status_code == 200
