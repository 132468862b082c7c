"""A round's answers as CSV and JSON: named for its owners, pseudonymised for a covering study's
researcher, and nothing at all for anyone else."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.maturity.model import load_model
from app.models import MaturityRound, Study, StudyObjection, User
from app.models.research import LegalBasis, StudyCreate
from app.services import research
from app.services.maturity.export import OWNER_COLUMNS, RESEARCH_COLUMNS
from tests.conftest import World, login
from tests.helpers import Api
from tests.maturity.conftest import COMMENT, EVIDENCE, LEADER, POLITICIAN_EMAIL, AnsweredRound

INDICATORS = sum(1 for _ in load_model(1).indicators())


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _study(session: Session, world: World, basis: LegalBasis, free_text: bool = True) -> Study:
    today = date.today()
    data = StudyCreate(
        title="Modenhet i kommunene",
        institution="NTNU",
        ethics_reference="Sikt 654321",
        legal_basis=basis,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=365),
        include_free_text=free_text,
    )
    study = research.register_study(session, user=world.researcher, data=data)
    session.commit()
    return study


def _by(rows: list[dict[str, str]], key: str, indicator: str) -> dict[str, str]:
    [row] = [r for r in rows if r["respondent"] == key and r["indicator"] == indicator]
    return row


def test_the_owner_gets_every_respondent_and_indicator_with_names_as_csv(
    api: Api, world: World, answered: AnsweredRound
) -> None:
    rows = _csv(api.get(f"/maturity/rounds/{answered.round.id}/export.csv", world.procurer))
    assert list(rows[0]) == list(OWNER_COLUMNS)
    assert len(rows) == 4 * INDICATORS  # the politician never answered: empty rows, still named
    by_name = {r["name"]: r for r in rows if r["indicator"] == "market_dialogue"}
    employee = by_name["Emil Employee"]
    assert (employee["unit"], employee["unit_detail"], employee["level"]) == (
        "service_area",
        "Helse",
        "2",
    )
    assert (
        employee["dimension"] == "need_and_dialogue" and employee["email"] == world.employee.email
    )
    assert by_name[LEADER]["dont_know"] == "true" and by_name[LEADER]["level"] == ""
    procurer = by_name["Petra Procurer"]
    assert procurer["evidence"] == "'" + EVIDENCE  # shown as text, never run as a formula
    assert procurer["comment"] == COMMENT and procurer["updated_at"].endswith("Z")
    assert {r["email"] for r in rows if r["name"] == ""} == {POLITICIAN_EMAIL}


def test_the_page_and_the_api_give_the_same_json(
    api: Api, client: TestClient, world: World, answered: AnsweredRound
) -> None:
    path = f"/maturity/rounds/{answered.round.id}/export.json"
    body = api.get(path, world.procurer).json()
    login(client, world.procurer)
    page = client.get(path)
    assert page.status_code == 200 and page.json() == body
    assert body["pseudonymised"] is False and body["round"]["closed_at"]
    levels = {(r["name"], r["indicator"]): r["level"] for r in body["rows"]}
    assert levels[("Emil Employee", "roles")] == 3 and levels[(LEADER, "roles")] is None


def test_a_consent_studys_researcher_gets_only_consenting_respondents_as_pseudonyms(
    api: Api, session: Session, world: World, answered: AnsweredRound
) -> None:
    study = _study(session, world, LegalBasis.consent)
    research.give_consent(session, user=world.employee, study_id=study.id or 0)
    session.commit()
    response = api.get(f"/maturity/rounds/{answered.round.id}/export.csv", world.researcher)
    rows = _csv(response)
    assert list(rows[0]) == list(RESEARCH_COLUMNS)
    assert {r["respondent"] for r in rows} == {research.pseudonym(study, world.employee.id or 0)}
    assert len(rows) == INDICATORS and _by(rows, rows[0]["respondent"], "roles")["level"] == "3"
    assert rows[0]["unit_detail"] == "Helse"  # the study includes free text
    _no_identities(response.text, world, answered.leader)


def test_a_public_interest_study_leaves_out_objectors_and_free_text_it_does_not_include(
    api: Api, session: Session, world: World, answered: AnsweredRound
) -> None:
    study = _study(session, world, LegalBasis.public_interest, free_text=False)
    session.add(StudyObjection(study_id=study.id or 0, user_id=answered.leader.id or 0))
    session.commit()
    response = api.get(f"/maturity/rounds/{answered.round.id}/export.json", world.researcher)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pseudonymised"] is True and body["study_id"] == study.id
    keys = {r["respondent"] for r in body["rows"]}
    assert keys == {research.pseudonym(study, u.id or 0) for u in (world.procurer, world.employee)}
    assert {r["evidence"] for r in body["rows"]} == {""}
    assert {r["unit_detail"] for r in body["rows"]} == {""}
    _no_identities(response.text, world, answered.leader)


def _no_identities(text: str, world: World, leader: User) -> None:
    for person in (world.procurer, world.employee, leader):
        assert person.email not in text and person.display_name not in text
    assert POLITICIAN_EMAIL not in text


def test_a_researcher_waits_until_the_round_has_closed(
    api: Api, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _study(session, world, LegalBasis.public_interest)
    response = api.get(f"/maturity/rounds/{maturity_round.id}/export.csv", world.researcher)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("other_procurer", 404),
        ("citizen", 404),
        ("supplier", 404),
        ("partner_procurer", 404),
        ("researcher", 404),  # no study covers the municipality
        ("employee", 403),  # a respondent sees their own answers, not the export
    ],
)
def test_nobody_else_gets_the_export(
    api: Api, world: World, answered: AnsweredRound, who: str, status: int
) -> None:
    for kind in ("csv", "json"):
        path = f"/maturity/rounds/{answered.round.id}/export.{kind}"
        assert api.get(path, getattr(world, who)).status_code == status, (who, kind)


def test_a_visitor_is_asked_to_log_in(client: TestClient, answered: AnsweredRound) -> None:
    assert client.get(f"/api/v1/maturity/rounds/{answered.round.id}/export.csv").status_code == 401
