"""Self-assessment rounds in the research export: covered municipalities only, closed rounds
only, respondents as pseudonyms under the study's legal basis."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

from frictionless import validate
from sqlmodel import Session

from app.models import MaturityRound, Study, StudyObjection
from app.models.base import utcnow
from app.models.maturity import AnswerIn, MaturityUnit, RespondentInvite, RoundOpen
from app.models.research import LegalBasis, StudyCreate
from app.services import permissions, research
from app.services.maturity import rounds
from tests.conftest import Factory, World
from tests.maturity.conftest import COMMENT, LEADER, AnsweredRound, answered_round, open_round


def _study(session: Session, world: World, basis: LegalBasis, **fields: object) -> Study:
    today = date.today()
    given: dict[str, object] = {
        "title": "Modenhet og deltakelse",
        "institution": "NTNU",
        "ethics_reference": "Sikt 777777",
        "legal_basis": basis,
        "period_start": today - timedelta(days=30),
        "period_end": today + timedelta(days=365),
        "include_free_text": True,
        **fields,
    }
    study = research.register_study(session, user=world.researcher, data=StudyCreate(**given))
    session.commit()
    return study


def _export(session: Session, study: Study, out: Path, free_text: bool = True) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    research.export_study(session, study=study, out=out / "export.zip", free_text=free_text)
    with zipfile.ZipFile(out / "export.zip") as archive:
        archive.extractall(out / "export")
    return out / "export"


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    text = (folder / f"{name}.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _elsewhere_round(session: Session, world: World) -> MaturityRound:
    """A closed, answered round of a municipality no project of the world's belongs to."""
    org = permissions.organisation_relation(session, world.other_procurer, world.elsewhere)
    round_ = rounds.open_round(
        session, rel=org, data=RoundOpen(title="Annen", deadline=utcnow() + timedelta(days=3))
    )
    rel = permissions.round_relation(session, world.other_procurer, round_.id or 0)
    invite = RespondentInvite(user_id=world.other_employee.id, unit=MaturityUnit.service_area)
    rounds.invite(session, rel=rel, data=invite)
    mine = permissions.round_relation(session, world.other_employee, round_.id or 0)
    rounds.save_answers(session, rel=mine, answers=[AnswerIn(indicator="roles", level=5)])
    rounds.close_round(session, rel=rel)
    session.commit()
    return round_


def test_a_consent_study_exports_the_consenting_respondents_answers_and_validates(
    session: Session, world: World, factory: Factory, tmp_path: Path
) -> None:
    answered = answered_round(session, world, factory)
    study = _study(session, world, LegalBasis.consent, project_ids=[world.public.id])
    for person in (world.employee, answered.leader):
        research.give_consent(session, user=person, study_id=study.id or 0)
    session.commit()
    folder = _export(session, study, tmp_path)
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    [round_row] = _rows(folder, "maturity_rounds")
    assert round_row["round_id"] == str(answered.round.id)
    answers = _rows(folder, "maturity_answers")
    pseudonyms = {research.pseudonym(study, u.id or 0) for u in (world.employee, answered.leader)}
    assert {row["respondent"] for row in answers} == pseudonyms  # not the procurer's
    assert sorted((r["indicator"], r["level"], r["dont_know"]) for r in answers) == [
        ("market_dialogue", "", "true"),
        ("market_dialogue", "2", "false"),
        ("roles", "3", "false"),
    ]
    assert {r["dimension"] for r in answers} == {"need_and_dialogue", "organisation_and_competence"}
    data = b"".join(p.read_bytes() for p in folder.iterdir())
    for person in (world.procurer, world.employee, answered.leader):
        assert person.email.encode() not in data
    assert LEADER.encode() not in data and b"Emil Employee" not in data


def test_a_public_interest_study_leaves_out_objectors_and_free_text_unless_asked(
    session: Session, world: World, factory: Factory, tmp_path: Path
) -> None:
    answered = answered_round(session, world, factory)
    study = _study(session, world, LegalBasis.public_interest)
    session.add(StudyObjection(study_id=study.id or 0, user_id=answered.leader.id or 0))
    session.commit()
    with_text = _rows(_export(session, study, tmp_path / "a"), "maturity_answers")
    people = {research.pseudonym(study, u.id or 0) for u in (world.procurer, world.employee)}
    assert {row["respondent"] for row in with_text} == people
    assert COMMENT in {row["comment"] for row in with_text}
    assert "Helse" in {row["unit_detail"] for row in with_text}
    without = _rows(_export(session, study, tmp_path / "b", free_text=False), "maturity_answers")
    assert len(without) == len(with_text) == 3
    assert {(r["evidence"], r["comment"], r["unit_detail"]) for r in without} == {("", "", "")}


def test_rounds_of_a_municipality_outside_the_study_and_open_rounds_are_left_out(
    session: Session, world: World, factory: Factory, tmp_path: Path
) -> None:
    answered = answered_round(session, world, factory)
    _elsewhere_round(session, world)
    open_round(session, world)  # still taking answers
    study = _study(session, world, LegalBasis.public_interest)
    folder = _export(session, study, tmp_path)
    assert [r["round_id"] for r in _rows(folder, "maturity_rounds")] == [str(answered.round.id)]
    assert {r["round_id"] for r in _rows(folder, "maturity_answers")} == {str(answered.round.id)}
    assert world.other_employee.email.encode() not in (folder / "maturity_answers.csv").read_bytes()


def test_a_round_before_the_studys_period_is_left_out(
    session: Session, world: World, factory: Factory, tmp_path: Path
) -> None:
    answered: AnsweredRound = answered_round(session, world, factory)
    study = _study(
        session,
        world,
        LegalBasis.public_interest,
        period_start=date.today() + timedelta(days=1),
    )
    folder = _export(session, study, tmp_path)
    assert _rows(folder, "maturity_rounds") == [] and answered.round.id
    assert _rows(folder, "maturity_answers") == []
