"""Irreversible actions from the pages: a form sent without `confirm=yes` is refused with a clear
message and changes nothing; the confirmation page names what cannot be undone."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.models.base import Phase
from tests.conftest import World, login
from tests.helpers import EN, RATIONALE, Api
from tests.routers.test_project_tabs import market_dialogue


def test_withdrawing_a_proposal_without_confirmation_is_refused(
    client: TestClient, api: Api, world: World
) -> None:
    proposal = market_dialogue(api, world)
    login(client, world.supplier)
    refused = client.post(f"/proposals/{proposal['id']}/withdraw", headers=EN)
    assert refused.status_code == 422
    assert "Tick the box to confirm that the proposal should be withdrawn for good." in refused.text
    assert api.get(f"/proposals/{proposal['id']}", world.supplier).json()["status"] == "submitted"


def test_the_withdrawal_confirmation_page_names_the_proposal_and_holds_the_form(
    client: TestClient, api: Api, world: World
) -> None:
    proposal = market_dialogue(api, world)
    login(client, world.supplier)
    page = client.get(f"/proposals/{proposal['id']}/withdraw", headers=EN).text
    assert '<h1 id="withdraw-proposal-title">Withdraw the proposal “Radar i taket”?</h1>' in page
    assert "This cannot be undone." in page
    assert f'action="/proposals/{proposal["id"]}/withdraw"' in page
    assert 'name="confirm" type="checkbox" value="yes" required' in page
    assert 'class="danger"' in page and f'href="/proposals/{proposal["id"]}"' in page
    confirmed = client.post(
        f"/proposals/{proposal['id']}/withdraw", data={"confirm": "yes"}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert api.get(f"/proposals/{proposal['id']}", world.supplier).json()["status"] == "withdrawn"
    again = client.get(f"/proposals/{proposal['id']}/withdraw", headers=EN)
    assert again.status_code == 409


def test_publishing_an_answer_without_confirmation_is_refused(
    client: TestClient, api: Api, world: World
) -> None:
    market_dialogue(api, world)
    asked = api.post(
        f"/projects/{world.public.id}/questions",
        world.supplier,
        json={"body": "Hvor mange beboere gjelder det i alt?"},
    )
    assert asked.status_code == 201, asked.text
    question_id = asked.json()["id"]
    login(client, world.procurer)
    form = {"public_question": "Hvor mange beboere gjelder det?", "answer": "Omtrent 40."}
    refused = client.post(f"/questions/{question_id}/publish", data=form, headers=EN)
    assert refused.status_code == 422
    assert "it cannot be taken back" in refused.text
    assert api.get(f"/projects/{world.public.id}/questions", world.citizen).json() == []
    # A draft needs no confirmation.
    saved = client.post(f"/questions/{question_id}/answer", data=form, follow_redirects=False)
    assert saved.status_code == 303


def test_publishing_minutes_without_confirmation_is_refused_and_saving_them_is_not(
    client: TestClient, api: Api, world: World
) -> None:
    api.advance(world.procurer, world.public.id, Phase.market_dialogue)
    event = api.post(
        f"/projects/{world.public.id}/events",
        world.procurer,
        json={
            "kind": "conference",
            "title": "Dialogkonferanse",
            "description": "Vi presenterer behovene.",
            "location": "Rådhuset",
            "starts_at": "2027-03-01T09:00:00+01:00",
            "ends_at": "2027-03-01T12:00:00+01:00",
            "capacity": 10,
        },
    ).json()
    login(client, world.procurer)
    minutes = {"minutes": "# Referat\nVi lærte mye."}
    refused = client.post(
        f"/events/{event['id']}/minutes", data={**minutes, "publish": "1"}, headers=EN
    )
    assert refused.status_code == 422
    assert "published minutes cannot be taken back" in refused.text
    body = api.get(f"/events/{event['id']}", world.procurer).json()
    assert body.get("minutes_published_at") is None
    saved = client.post(f"/events/{event['id']}/minutes", data=minutes, follow_redirects=False)
    assert saved.status_code == 303
    published = client.post(
        f"/events/{event['id']}/minutes",
        data={**minutes, "publish": "1", "confirm": "yes"},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert api.get(f"/events/{event['id']}", world.procurer).json()["minutes_published_at"]


def test_the_gate_decision_form_asks_before_it_acts(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert 'data-confirm-submit="phase-ask"' in page and '<dialog id="phase-ask"' in page
    assert "A gate decision cannot be undone" in page
    refused = client.post(
        f"/projects/{world.public.id}/phase",
        data={"to_phase": "aborted", "rationale": RATIONALE},
        headers=EN,
    )
    assert refused.status_code == 422
    assert "Phase: Needs" in client.get(f"/projects/{world.public.id}", headers=EN).text


def test_withdrawing_a_question_without_confirmation_is_refused(
    client: TestClient, api: Api, world: World
) -> None:
    market_dialogue(api, world)
    asked = api.post(
        f"/projects/{world.public.id}/questions",
        world.supplier,
        json={"body": "Hvor mange beboere gjelder det i alt?"},
    )
    question_id = asked.json()["id"]
    login(client, world.supplier)
    page = client.get(f"/projects/{world.public.id}/questions", headers=EN).text
    assert f'id="withdraw-question-{question_id}"' in page and 'name="csrf_token"' in page
    refused = client.post(f"/questions/{question_id}/withdraw", headers=EN)
    assert refused.status_code == 422
    assert "Tick the box to confirm that the question should be withdrawn." in refused.text
    assert api.get(f"/questions/{question_id}", world.supplier).json()["status"] != "withdrawn"
    confirmed = client.post(
        f"/questions/{question_id}/withdraw", data={"confirm": "yes"}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert api.get(f"/questions/{question_id}", world.supplier).json()["status"] == "withdrawn"
