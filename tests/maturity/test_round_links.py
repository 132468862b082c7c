"""The self-assessment's pages lead to one another: the round to its results, actions and
export for those who may open them; the results' measures to a prefilled action; the
organisation's record names rounds and actions by their titles, linked."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import MaturityRound
from app.models.maturity import ActionCreate
from app.services import permissions
from app.services.maturity import actions
from tests.conftest import Factory, World, login
from tests.maturity.conftest import AnsweredRound, answered_round, invite_member


def _links(round_id: int | None) -> dict[str, str]:
    base = f"/maturity/rounds/{round_id}"
    return {
        "results": f'href="{base}/results"',
        "actions": f'href="{base}/actions"',
        "export": f'href="{base}/export.csv"',
    }


def test_the_owner_of_a_round_finds_its_results_actions_and_export_on_its_page(
    client: TestClient, world: World, maturity_round: MaturityRound
) -> None:
    login(client, world.procurer)
    page = client.get(f"/maturity/rounds/{maturity_round.id}").text
    assert all(link in page for link in _links(maturity_round.id).values())
    listing = client.get(f"/organisations/{world.owner.id}/maturity").text
    assert _links(maturity_round.id)["results"] in listing


def test_a_respondent_is_told_the_results_come_at_the_close_and_gets_no_links_before(
    client: TestClient, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    page = client.get(f"/maturity/rounds/{maturity_round.id}").text
    assert not any(link in page for link in _links(maturity_round.id).values())
    assert "Resultatene vises her når runden er lukket." in page
    listing = client.get(f"/organisations/{world.owner.id}/maturity").text
    assert _links(maturity_round.id)["results"] not in listing


def test_after_the_close_a_respondent_reaches_results_and_actions_but_not_the_export(
    client: TestClient, session: Session, world: World, factory: Factory
) -> None:
    answered: AnsweredRound = answered_round(session, world, factory)
    login(client, world.employee)
    page = client.get(f"/maturity/rounds/{answered.round.id}").text
    links = _links(answered.round.id)
    assert links["results"] in page and links["actions"] in page
    assert links["export"] not in page
    results = client.get(f"/maturity/rounds/{answered.round.id}/results").text
    assert "Gjør dette til et tiltak" not in results


def test_a_suggested_measure_links_to_the_action_form_prefilled(
    client: TestClient, session: Session, world: World, factory: Factory
) -> None:
    answered = answered_round(session, world, factory)
    login(client, world.procurer)
    results = client.get(f"/maturity/rounds/{answered.round.id}/results").text
    start = results.index(f"/maturity/rounds/{answered.round.id}/actions?dimension=")
    href = results[start : results.index('"', start)].replace("&amp;", "&")
    form = client.get(href)
    assert form.status_code == 200
    assert 'id="add-action-form"' in form.text and "selected" in form.text


def test_the_organisations_record_names_rounds_and_actions_by_title(
    client: TestClient, session: Session, world: World, factory: Factory
) -> None:
    answered = answered_round(session, world, factory)
    rel = permissions.round_relation(session, world.procurer, answered.round.id or 0)
    data = ActionCreate(
        title="Dialogkonferanse i mars",
        indicator="market_dialogue",
        owner_id=world.procurer.id,
        due=date(2030, 3, 1),
    )
    actions.add_action(session, rel=rel, data=data)
    session.commit()
    login(client, world.admin)  # the record is the administrators'
    record = client.get(f"/organisations/{world.owner.id}/audit").text
    assert f'href="/maturity/rounds/{answered.round.id}"' in record
    assert answered.round.title in record
    assert "Dialogkonferanse i mars" in record
    assert "Dialog med markedet" in record  # the indicator's title, not its key
    assert "market_dialogue" not in record
    assert world.procurer.display_name in record  # the action's owner by name
    assert f'href="/maturity/rounds/{answered.round.id}/actions"' in record
