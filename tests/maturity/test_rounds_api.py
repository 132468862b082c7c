"""The JSON API of self-assessment rounds: the model, opening, listing, reading, inviting,
removing, answering, submitting and closing, each with its refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.models import AuditEntry, MaturityRespondent, MaturityRound
from app.models.base import utcnow
from tests.conftest import World
from tests.helpers import Api, count_rows
from tests.maturity.conftest import pass_deadline


def _later(**delta: Any) -> str:
    return (utcnow() + timedelta(**delta)).isoformat()


def _rounds(round_: MaturityRound) -> str:
    return f"/maturity/rounds/{round_.id}"


# ---- the model ----------------------------------------------------------------------------------


def test_the_model_comes_in_all_three_languages_with_five_levels_per_indicator(api: Api) -> None:
    model = api.get("/maturity/model").json()
    assert model["version"] >= 1
    assert set(model["title"]) == {"nb", "nn", "en"}
    indicators = [i for g in model["groups"] for d in g["dimensions"] for i in d["indicators"]]
    assert len(indicators) == 16
    assert all(len(i["levels"]) == 5 and i["measures"] for i in indicators)
    assert api.get("/maturity/model?version=1").json() == api.get("/maturity/model").json()


def test_an_unknown_model_version_is_404_and_a_bad_one_422(api: Api) -> None:
    missing = api.get("/maturity/model?version=99")
    assert missing.status_code == 404
    assert "99" in missing.json()["detail"]
    assert api.get("/maturity/model?version=0").status_code == 422


# ---- opening and listing ------------------------------------------------------------------------


def test_a_procurer_opens_a_round_through_the_api(api: Api, world: World) -> None:
    body = {"title": "Modenhet 2027", "deadline": _later(days=20)}
    opened = api.post(f"/organisations/{world.owner.id}/maturity/rounds", world.procurer, json=body)
    assert opened.status_code == 201, opened.text
    assert opened.json()["open"] is True and opened.json()["model_version"] == 1
    listed = api.get(f"/organisations/{world.owner.id}/maturity/rounds", world.procurer).json()
    assert [r["title"] for r in listed] == ["Modenhet 2027"]


@pytest.mark.parametrize("who", ["employee", "citizen", "supplier", "other_procurer"])
def test_only_the_municipalitys_procurers_and_administrators_open_rounds(
    api: Api, world: World, session: Session, who: str
) -> None:
    body = {"title": "Modenhet", "deadline": _later(days=20)}
    refused = api.post(
        f"/organisations/{world.owner.id}/maturity/rounds", world.member(who), json=body
    )
    assert refused.status_code == 403
    assert count_rows(session, MaturityRound) == 0


def test_bad_input_for_a_round_names_what_is_wrong(api: Api, world: World) -> None:
    path = f"/organisations/{world.owner.id}/maturity/rounds"
    past = api.post(path, world.procurer, json={"title": "X", "deadline": _later(hours=-1)})
    assert past.status_code == 422 and "future" in past.json()["detail"]
    blank = api.post(path, world.procurer, json={"title": "  ", "deadline": _later(days=3)})
    assert blank.status_code == 422 and "title" in str(blank.json()["detail"]).lower()
    version = {"title": "X", "deadline": _later(days=3), "model_version": 7}
    assert api.post(path, world.procurer, json=version).status_code == 422


def test_the_list_holds_only_the_rounds_the_caller_may_see(
    api: Api, world: World, maturity_round: MaturityRound, respondent: int
) -> None:
    path = f"/organisations/{world.owner.id}/maturity/rounds"
    assert [r["id"] for r in api.get(path, world.procurer).json()] == [maturity_round.id]
    assert [r["id"] for r in api.get(path, world.employee).json()] == [maturity_round.id]
    for who in ("citizen", "supplier", "other_procurer", "partner_procurer", "researcher"):
        assert api.get(path, world.member(who)).json() == [], who
    assert api.get(path).status_code == 401


# ---- reading a round ----------------------------------------------------------------------------


def test_those_who_run_the_round_see_respondents_with_name_unit_and_progress(
    api: Api, world: World, maturity_round: MaturityRound, respondent: int
) -> None:
    answers = [{"indicator": "need_discovery", "level": 3}, {"indicator": "market_dialogue"}]
    assert api.put(f"{_rounds(maturity_round)}/answers", world.employee, json=answers).is_success
    for who in ("procurer", "admin"):
        detail = api.get(_rounds(maturity_round), world.member(who)).json()
        [person] = detail["respondents"]
        assert person["name"] == "Emil Employee" and person["unit"] == "service_area"
        assert person["unit_detail"] == "Helse" and person["answered"] == 1
        assert detail["answers"] is None


def test_a_respondent_sees_their_own_answers_and_nobody_elses(
    api: Api, world: World, maturity_round: MaturityRound, respondent: int, factory: Any
) -> None:
    mine = [{"indicator": "need_discovery", "level": 2, "evidence": "Behovsnotat 2026"}]
    assert api.put(f"{_rounds(maturity_round)}/answers", world.employee, json=mine).is_success
    detail = api.get(_rounds(maturity_round), world.employee).json()
    assert detail["respondents"] is None
    assert [(a["indicator"], a["level"], a["evidence"]) for a in detail["answers"]] == [
        ("need_discovery", 2, "Behovsnotat 2026")
    ]
    assert detail["submitted"] is False


@pytest.mark.parametrize(
    "who", ["citizen", "supplier", "other_procurer", "partner_procurer", "employee", None]
)
def test_a_round_is_404_for_everyone_outside_it(
    api: Api, world: World, maturity_round: MaturityRound, who: str | None
) -> None:
    answer = api.get(_rounds(maturity_round), world.member(who))
    assert answer.status_code == (401 if who is None else 404)
    if who is not None:
        assert api.get("/maturity/rounds/999999", world.member(who)).status_code == 404


# ---- inviting and removing ----------------------------------------------------------------------


def test_inviting_by_account_and_the_refusals(
    api: Api, world: World, maturity_round: MaturityRound
) -> None:
    path = f"{_rounds(maturity_round)}/respondents"
    body = {"user_id": world.employee.id, "unit": "leadership"}
    invited = api.post(path, world.procurer, json=body)
    assert invited.status_code == 201, invited.text
    assert invited.json()["name"] == "Emil Employee" and invited.json()["accepted"] is True
    assert api.post(path, world.procurer, json=body).status_code == 409
    outsider = api.post(
        path, world.procurer, json={"user_id": world.citizen.id, "unit": "politics"}
    )
    assert outsider.status_code == 422 and "members" in outsider.json()["detail"]
    both = {"user_id": world.employee.id, "email": "a@b.example", "unit": "politics"}
    assert "either" in str(api.post(path, world.procurer, json=both).json()["detail"])
    assert (
        api.post(path, world.procurer, json={"email": "x", "unit": "politics"}).status_code == 422
    )
    unit = api.post(path, world.procurer, json={"email": "a@b.example", "unit": "mayor"})
    assert unit.status_code == 422
    assert api.post(path, world.employee, json=body).status_code == 403
    assert api.post(path, world.citizen, json=body).status_code == 404


def test_an_unanswered_invitation_is_removed_and_audited(
    api: Api, world: World, session: Session, maturity_round: MaturityRound, respondent: int
) -> None:
    path = f"{_rounds(maturity_round)}/respondents/{respondent}"
    assert api.delete(path, world.employee).status_code == 403
    assert api.delete(path, world.procurer).status_code == 204
    assert count_rows(session, MaturityRespondent) == 0
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "maturity_respondent_removed")
    ).one()
    assert entry.organisation_id == world.owner.id
    assert api.delete(path, world.procurer).status_code == 404


def test_an_invitation_with_answers_cannot_be_removed(
    api: Api, world: World, session: Session, maturity_round: MaturityRound, respondent: int
) -> None:
    answers = [{"indicator": "need_discovery", "dont_know": True}]
    assert api.put(f"{_rounds(maturity_round)}/answers", world.employee, json=answers).is_success
    path = f"{_rounds(maturity_round)}/respondents/{respondent}"
    refused = api.delete(path, world.procurer)
    assert refused.status_code == 409 and "started answering" in refused.json()["detail"]
    assert count_rows(session, MaturityRespondent) == 1


# ---- answering ----------------------------------------------------------------------------------


def test_answers_save_with_dont_know_apart_and_replace_earlier_ones(
    api: Api, world: World, maturity_round: MaturityRound, respondent: int
) -> None:
    path = f"{_rounds(maturity_round)}/answers"
    first = [
        {"indicator": "need_discovery", "level": 2, "comment": "Lite systematisk"},
        {"indicator": "market_dialogue", "dont_know": True},
    ]
    assert api.put(path, world.employee, json=first).status_code == 200
    again = api.put(path, world.employee, json=[{"indicator": "need_discovery", "level": 4}])
    by_key = {a["indicator"]: a for a in again.json()}
    assert by_key["need_discovery"]["level"] == 4 and by_key["need_discovery"]["comment"] is None
    assert by_key["market_dialogue"] == by_key["market_dialogue"] | {
        "level": None,
        "dont_know": True,
    }


def test_bad_answers_name_what_is_wrong_and_write_nothing(
    api: Api, world: World, session: Session, maturity_round: MaturityRound, respondent: int
) -> None:
    path = f"{_rounds(maturity_round)}/answers"
    too_high = api.put(path, world.employee, json=[{"indicator": "need_discovery", "level": 6}])
    assert too_high.status_code == 422 and "Level" in str(too_high.json()["detail"])
    both = api.put(
        path, world.employee, json=[{"indicator": "need_discovery", "level": 2, "dont_know": True}]
    )
    assert both.status_code == 422 and "not both" in str(both.json()["detail"])
    unknown = api.put(
        path,
        world.employee,
        json=[{"indicator": "need_discovery", "level": 2}, {"indicator": "no_such", "level": 1}],
    )
    assert unknown.status_code == 422 and "no_such" in unknown.json()["detail"]
    flood = [{"indicator": "need_discovery", "level": 1}] * 201
    assert api.put(path, world.employee, json=flood).status_code == 422
    assert api.get(_rounds(maturity_round), world.employee).json()["answers"] == []


def test_only_respondents_answer(
    api: Api, world: World, maturity_round: MaturityRound, respondent: int
) -> None:
    path = f"{_rounds(maturity_round)}/answers"
    body = [{"indicator": "need_discovery", "level": 2}]
    assert api.put(path, world.procurer, json=body).status_code == 403
    assert api.put(path, world.citizen, json=body).status_code == 404
    assert api.post(f"{_rounds(maturity_round)}/submit", world.procurer).status_code == 403


def test_a_respondent_says_they_are_done(
    api: Api, world: World, maturity_round: MaturityRound, respondent: int
) -> None:
    done = api.post(f"{_rounds(maturity_round)}/submit", world.employee)
    assert done.status_code == 200 and done.json()["submitted"] is True
    assert api.get(_rounds(maturity_round), world.employee).json()["submitted"] is True


# ---- closing ------------------------------------------------------------------------------------


def test_after_close_nothing_changes(
    api: Api, world: World, maturity_round: MaturityRound, respondent: int
) -> None:
    base = _rounds(maturity_round)
    assert api.post(f"{base}/close", world.employee).status_code == 403
    assert api.post(f"{base}/close", world.citizen).status_code == 404
    closed = api.post(f"{base}/close", world.procurer)
    assert closed.status_code == 200 and closed.json()["open"] is False
    body = [{"indicator": "need_discovery", "level": 2}]
    assert api.put(f"{base}/answers", world.employee, json=body).status_code == 409
    assert api.post(f"{base}/submit", world.employee).status_code == 409
    assert api.post(f"{base}/close", world.procurer).status_code == 409
    invite = {"user_id": world.procurer.id, "unit": "procurement"}
    assert api.post(f"{base}/respondents", world.procurer, json=invite).status_code == 409
    assert api.delete(f"{base}/respondents/{respondent}", world.procurer).status_code == 409
    assert api.get(base, world.employee).json()["open"] is False


def test_after_the_deadline_answers_are_frozen_too(
    api: Api, world: World, session: Session, maturity_round: MaturityRound, respondent: int
) -> None:
    pass_deadline(session, maturity_round)
    body = [{"indicator": "need_discovery", "level": 2}]
    refused = api.put(f"{_rounds(maturity_round)}/answers", world.employee, json=body)
    assert refused.status_code == 409 and "closed" in refused.json()["detail"]
