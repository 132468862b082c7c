"""Development actions: chosen from a round's results, owned, followed up, and shown to the next
round; only those who run the round add or change them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.maturity.model import load_model
from app.models import AuditEntry, MaturityAction, MaturityRound
from app.models.base import utcnow
from app.models.maturity import ActionCreate, ActionStatus, ActionUpdate
from app.services import permissions
from app.services.errors import Forbidden, Invalid, NotFound
from app.services.maturity import actions
from tests.conftest import World, login
from tests.helpers import Api, count_rows, without_javascript
from tests.maturity.conftest import close, invite_member, open_round

DUE = date.today() + timedelta(days=90)


def _add(session: Session, world: World, round_: MaturityRound, **fields: Any) -> MaturityAction:
    """An action added by the round's procurer (on market dialogue, owned by the employee)."""
    data = {"title": "Dialogkonferanse", "indicator": "market_dialogue", "due": DUE}
    data |= {"owner_id": world.employee.id, **fields}
    rel = permissions.round_relation(session, world.procurer, round_.id or 0)
    action = actions.add_action(session, rel=rel, data=ActionCreate.model_validate(data))
    session.commit()
    return action


def _audit(session: Session, action: str) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        ).all()
    )


# ---- the service -------------------------------------------------------------------------------


def test_a_procurer_turns_a_suggested_measure_into_an_audited_action(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    measure = load_model(1).indicator("market_dialogue").measures[0].en
    action = _add(session, world, maturity_round, title=measure)
    assert action.dimension_key == "need_and_dialogue"  # the indicator's own dimension
    assert action.organisation_id == world.owner.id
    assert action.status == ActionStatus.planned
    [entry] = _audit(session, "maturity_action_added")
    assert entry.organisation_id == world.owner.id
    assert entry.object_type == "maturity_action"
    assert entry.after is not None
    assert entry.after["title"] == measure
    assert entry.after["owner_id"] == world.employee.id


def test_a_change_is_audited_with_only_what_changed_and_a_no_op_with_nothing(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    action = _add(session, world, maturity_round)
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    change = ActionUpdate(status=ActionStatus.done, outcome=" Holdt i mars, 14 leverandører ")
    actions.change_action(session, rel=rel, action=action, data=change)
    actions.change_action(session, rel=rel, action=action, data=ActionUpdate(status="done"))
    session.commit()
    [entry] = _audit(session, "maturity_action_changed")
    assert entry.before == {"status": "planned", "outcome": None}
    assert entry.after == {"status": "done", "outcome": "Holdt i mars, 14 leverandører"}


@pytest.mark.parametrize(
    "topic",
    [
        {"indicator": "no_such_indicator"},
        {"dimension": "no_such_dimension"},
        {"dimension": "anchoring", "indicator": "market_dialogue"},  # not that dimension's
        {},
    ],
)
def test_an_action_must_develop_a_dimension_or_indicator_of_the_rounds_model(
    session: Session, world: World, maturity_round: MaturityRound, topic: dict[str, str]
) -> None:
    data = ActionCreate(title="Noe", owner_id=world.employee.id or 0, due=DUE, **topic)
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    with pytest.raises(Invalid):
        actions.add_action(session, rel=rel, data=data)
    session.rollback()
    assert count_rows(session, MaturityAction) == 0


def test_a_whole_dimension_may_be_the_topic(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    action = _add(session, world, maturity_round, indicator=None, dimension="participation")
    assert (action.dimension_key, action.indicator_key) == ("participation", None)


@pytest.mark.parametrize("who", ["citizen", "other_employee", "partner_employee", "supplier"])
def test_the_owner_must_be_an_active_member_of_the_municipality(
    session: Session, world: World, maturity_round: MaturityRound, who: str
) -> None:
    with pytest.raises(Invalid):
        _add(session, world, maturity_round, owner_id=getattr(world, who).id)
    session.rollback()
    action = _add(session, world, maturity_round)
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    with pytest.raises(Invalid):
        actions.change_action(
            session, rel=rel, action=action, data=ActionUpdate(owner_id=getattr(world, who).id)
        )


def test_a_respondent_neither_adds_nor_changes_actions(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    action = _add(session, world, maturity_round)
    invite_member(session, world, maturity_round, world.employee)
    rel = permissions.round_relation(session, world.employee, maturity_round.id or 0)
    data = ActionCreate(title="Eget", indicator="roles", owner_id=world.employee.id or 0, due=DUE)
    with pytest.raises(Forbidden):
        actions.add_action(session, rel=rel, data=data)
    with pytest.raises(NotFound):  # the open round's actions are not theirs to see yet
        actions.find_action(session, user=world.employee, action_id=action.id or 0)
    close(session, world, maturity_round)
    found, rel = actions.find_action(session, user=world.employee, action_id=action.id or 0)
    with pytest.raises(Forbidden):
        actions.change_action(session, rel=rel, action=found, data=ActionUpdate(status="done"))


def test_a_deactivated_municipality_takes_no_new_actions(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    world.owner.deactivated_at = utcnow()
    session.add(world.owner)
    session.commit()
    with pytest.raises(NotFound):  # its memberships stopped counting: the procurer is out
        _add(session, world, maturity_round)
    rel = permissions.round_relation(session, world.admin, maturity_round.id or 0)
    data = ActionCreate(
        title="Dialogkonferanse", indicator="market_dialogue", owner_id=world.employee.id, due=DUE
    )
    with pytest.raises(Invalid):  # a platform administrator still sees it, but adds nothing
        actions.add_action(session, rel=rel, data=data)


def test_respondents_see_the_actions_without_owners_once_the_round_closed(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _add(session, world, maturity_round)
    invite_member(session, world, maturity_round, world.employee)
    as_respondent = permissions.round_relation(session, world.employee, maturity_round.id or 0)
    assert actions.actions_of_round(session, rel=as_respondent) == []
    close(session, world, maturity_round)
    as_respondent = permissions.round_relation(session, world.employee, maturity_round.id or 0)
    [seen] = actions.actions_of_round(session, rel=as_respondent)
    assert (seen.title, seen.owner_name) == ("Dialogkonferanse", None)
    as_owner = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    [seen] = actions.actions_of_round(session, rel=as_owner)
    assert seen.owner_name == "Emil Employee"


def test_the_next_round_shows_what_was_done_in_earlier_rounds(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    action = _add(session, world, maturity_round)
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    done = ActionUpdate(status="done", outcome="Konferanse holdt")
    actions.change_action(session, rel=rel, action=action, data=done)
    close(session, world, maturity_round)
    next_round = open_round(session, world)
    rel = permissions.round_relation(session, world.procurer, next_round.id or 0)
    [earlier] = actions.earlier_actions(session, rel=rel)
    assert (earlier.title, earlier.status, earlier.outcome) == (
        "Dialogkonferanse",
        ActionStatus.done,
        "Konferanse holdt",
    )
    assert earlier.round_title == maturity_round.title
    assert actions.actions_of_round(session, rel=rel) == []
    first = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    assert actions.earlier_actions(session, rel=first) == []


# ---- the JSON API ------------------------------------------------------------------------------


def test_the_api_adds_lists_and_changes_actions(
    api: Api, world: World, maturity_round: MaturityRound
) -> None:
    body = {
        "title": "Dialogkonferanse",
        "indicator": "market_dialogue",
        "owner_id": world.employee.id,
        "due": DUE.isoformat(),
    }
    added = api.post(f"/maturity/rounds/{maturity_round.id}/actions", world.procurer, json=body)
    assert added.status_code == 201, added.text
    assert added.json()["owner_name"] == "Emil Employee"
    listed = api.get(f"/maturity/rounds/{maturity_round.id}/actions", world.procurer).json()
    assert [a["title"] for a in listed] == ["Dialogkonferanse"]
    change = {"status": "in_progress", "outcome": "Invitasjon sendt"}
    changed = api.request(
        "PATCH", f"/maturity/actions/{added.json()['id']}", world.procurer, json=change
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["outcome"]) == (
        "in_progress",
        "Invitasjon sendt",
    )


def test_the_api_refuses_an_unknown_indicator_and_an_outside_owner_with_422(
    api: Api, world: World, maturity_round: MaturityRound
) -> None:
    url = f"/maturity/rounds/{maturity_round.id}/actions"
    body = {"title": "X", "indicator": "nope", "owner_id": world.employee.id, "due": "2030-01-01"}
    assert api.post(url, world.procurer, json=body).status_code == 422
    body |= {"indicator": "roles", "owner_id": world.citizen.id}
    assert api.post(url, world.procurer, json=body).status_code == 422
    body |= {"owner_id": world.employee.id, "due": "not a date"}
    assert api.post(url, world.procurer, json=body).status_code == 422


@pytest.mark.parametrize("who", ["other_procurer", "citizen", "supplier", "employee"])
def test_outsiders_and_uninvited_employees_get_404_on_every_action_route(
    api: Api, session: Session, world: World, maturity_round: MaturityRound, who: str
) -> None:
    action = _add(session, world, maturity_round)
    user = getattr(world, who)
    body = {"title": "X", "indicator": "roles", "owner_id": world.employee.id, "due": "2030-01-01"}
    url = f"/maturity/rounds/{maturity_round.id}/actions"
    assert api.get(url, user).status_code == 404
    assert api.post(url, user, json=body).status_code == 404
    patch = api.request("PATCH", f"/maturity/actions/{action.id}", user, json={"status": "done"})
    assert patch.status_code == 404


def test_a_respondent_may_not_add_or_change_through_the_api(
    api: Api, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    action = _add(session, world, maturity_round)
    invite_member(session, world, maturity_round, world.employee)
    body = {"title": "X", "indicator": "roles", "owner_id": world.employee.id, "due": "2030-01-01"}
    url = f"/maturity/rounds/{maturity_round.id}/actions"
    assert api.post(url, world.employee, json=body).status_code == 403
    assert api.get(url, world.employee).status_code == 403  # the results come at the close
    change = {"status": "done"}
    patched = api.request("PATCH", f"/maturity/actions/{action.id}", world.employee, json=change)
    assert patched.status_code == 404
    close(session, world, maturity_round)
    listed = api.get(url, world.employee)
    assert listed.status_code == 200
    assert [(a["title"], a["owner_name"], a["owner_id"]) for a in listed.json()] == [
        ("Dialogkonferanse", None, None)
    ]
    patched = api.request("PATCH", f"/maturity/actions/{action.id}", world.employee, json=change)
    assert patched.status_code == 403


# ---- the page ----------------------------------------------------------------------------------


def test_the_page_starts_the_form_from_a_suggested_measure(
    client: TestClient, world: World, maturity_round: MaturityRound
) -> None:
    login(client, world.procurer)
    page = client.get(
        f"/maturity/rounds/{maturity_round.id}/actions",
        params={"dimension": "need_and_dialogue", "indicator": "market_dialogue", "measure": 1},
    )
    assert page.status_code == 200, page.text
    measure = load_model(1).indicator("market_dialogue").measures[0].nb
    assert f'value="{measure}"' in page.text
    assert 'value="need_and_dialogue:market_dialogue" selected' in page.text
    assert "Emil Employee" in page.text  # a member to choose as owner
    assert "Cecilie Citizen" not in page.text


def test_an_unknown_measure_leaves_the_form_empty(
    client: TestClient, world: World, maturity_round: MaturityRound
) -> None:
    login(client, world.procurer)
    url = f"/maturity/rounds/{maturity_round.id}/actions?indicator=market_dialogue&measure=9"
    page = client.get(url)
    assert page.status_code == 200
    assert "selected>" not in page.text.split('id="add-action-topic"')[1].split("</select>")[0]


def test_actions_are_added_and_followed_up_through_the_forms_without_javascript(
    client: TestClient, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    browser = without_javascript(login(client, world.procurer))
    url = f"/maturity/rounds/{maturity_round.id}/actions"
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(url).text)
    assert token
    form = {
        "csrf_token": token.group(1),
        "topic": "participation:citizen_participation",
        "title": "Åpne behovsinnsamlingen for innbyggere",
        "owner_id": str(world.employee.id),
        "due": DUE.isoformat(),
    }
    added = browser.post(url, data=form, follow_redirects=False)
    assert added.status_code == 303, added.text
    action = session.exec(select(MaturityAction)).one()
    assert action.indicator_key == "citizen_participation"
    assert added.headers["location"].endswith(f"#action-{action.id}")
    change = {"csrf_token": token.group(1), "status": "done", "outcome": "Tre innbyggermøter"}
    changed = browser.post(f"/maturity/actions/{action.id}", data=change, follow_redirects=False)
    assert changed.status_code == 303, changed.text
    page = browser.get(url).text
    assert "Tre innbyggermøter" in page
    assert "Åpne behovsinnsamlingen for innbyggere" in page


def test_a_refused_form_says_why_and_keeps_what_was_typed(
    client: TestClient, world: World, maturity_round: MaturityRound
) -> None:
    browser = without_javascript(login(client, world.procurer))
    url = f"/maturity/rounds/{maturity_round.id}/actions"
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(url).text)
    assert token
    form = {
        "csrf_token": token.group(1),
        "topic": "participation",
        "title": "Innbyggerpanel",
        "owner_id": str(world.citizen.id),
        "due": DUE.isoformat(),
    }
    refused = browser.post(url, data=form, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert "The owner must be an active member of the municipality." in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert 'value="Innbyggerpanel"' in refused.text
    form |= {"owner_id": str(world.employee.id), "due": ""}
    refused = browser.post(url, data=form, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert "Due date is required." in refused.text


def test_a_respondent_sees_the_list_without_owners_or_forms_after_the_close(
    client: TestClient, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _add(session, world, maturity_round)
    invite_member(session, world, maturity_round, world.employee)
    login(client, world.employee)
    url = f"/maturity/rounds/{maturity_round.id}/actions"
    assert client.get(url).status_code == 403
    close(session, world, maturity_round)
    page = client.get(url)
    assert page.status_code == 200
    assert "Dialogkonferanse" in page.text
    assert "add-action-form" not in page.text
    assert "Emil Employee" not in page.text.split("<main")[-1].split("</main>")[0]


def test_the_results_partial_shows_the_actions_compactly_and_owners_only_to_those_who_run(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    from app.web.templating import render_fragment

    _add(session, world, maturity_round)
    invite_member(session, world, maturity_round, world.employee)
    close(session, world, maturity_round)
    for user, owner_shown in ((world.procurer, True), (world.employee, False)):
        rel = permissions.round_relation(session, user, maturity_round.id or 0)
        html = render_fragment(
            "maturity/_actions.html",
            "en",
            actions=actions.actions_of_round(session, rel=rel),
            earlier_actions=actions.earlier_actions(session, rel=rel),
            round=maturity_round,
        )
        assert "Dialogkonferanse" in html
        assert "Need and dialogue – Dialogue with the market" in html
        assert ("Emil Employee" in html) is owner_shown
        assert f'href="/maturity/rounds/{maturity_round.id}/actions"' in html
    empty = render_fragment("maturity/_actions.html", "en", actions=[], earlier_actions=[])
    assert "No actions chosen from this round yet." in empty
