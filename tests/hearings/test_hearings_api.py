"""The hearing through the API: opening, deadlines by the server's clock, audiences, passages,
and suppliers kept anonymous to everyone but the project's procurers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from app.models import Hearing, HearingComment, ParticipationEvent, User
from app.models.base import id_of
from app.services import hearings
from tests.conftest import World
from tests.hearings.conftest import (
    ALARMS,
    DATA,
    RIVAL,
    Heard,
    comment,
    draft,
    later,
    on_passage,
    open_hearing,
)
from tests.helpers import Api

COMPANY = "Leverandør AS"


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_opening_puts_every_draft_in_hearing_through_a_new_version(
    api: Api, world: World, heard: Heard
) -> None:
    for requirement in (heard.alarms, heard.data):
        versions = api.get(f"/requirements/{requirement}/versions", world.procurer).json()
        assert [v["status"] for v in versions] == ["in_hearing", "draft"]
    body = api.get(f"/hearings/{heard.hearing}", world.procurer).json()
    assert body["open"] is True
    assert body["audiences"] == ["employees", "citizens", "suppliers"]
    audit = api.get(f"/projects/{heard.project}/audit-log", world.procurer).json()
    assert "hearing_opened" in str(audit)


def test_a_second_open_hearing_is_refused(api: Api, world: World, heard: Heard) -> None:
    draft(api, world.procurer, heard.project, "Nytt krav", "Et nytt krav etter høringen.")
    again = open_hearing(api, world.procurer, heard.project)
    assert again.status_code == 409
    assert "already has an open hearing" in again.json()["detail"]


def test_a_deadline_in_the_past_is_refused_and_nothing_changes(
    api: Api, world: World, market: tuple[int, User], session: Session
) -> None:
    project, _rival = market
    requirement = draft(api, world.procurer, project, "Nattalarmer", ALARMS)
    refused = open_hearing(api, world.procurer, project, deadline=later(minutes=-1))
    assert refused.status_code == 422
    assert "future" in refused.json()["detail"]
    assert _count(session, Hearing) == 0
    versions = api.get(f"/requirements/{requirement}/versions", world.procurer).json()
    assert [v["status"] for v in versions] == ["draft"]


def test_without_an_audience_or_without_drafts_no_hearing_opens(
    api: Api, world: World, market: tuple[int, User]
) -> None:
    project, _rival = market
    none = open_hearing(api, world.procurer, project, employees=False, suppliers=False)
    assert none.status_code == 422
    nothing = open_hearing(api, world.procurer, project)
    assert nothing.status_code == 409
    assert "no draft requirements" in nothing.json()["detail"]


def test_citizens_are_heard_only_on_a_public_project(api: Api, world: World) -> None:
    project = id_of(world.internal)
    api.advance(world.procurer, project, "market_dialogue")  # type: ignore[arg-type]
    draft(api, world.procurer, project, "Nattalarmer", ALARMS)
    refused = open_hearing(api, world.procurer, project, citizens=True)
    assert refused.status_code == 422
    assert "public project" in refused.json()["detail"]


@pytest.mark.parametrize("who", ["employee", "citizen", "supplier", "researcher"])
def test_only_the_projects_procurers_open_a_hearing(
    api: Api, world: World, market: tuple[int, User], who: str
) -> None:
    project, _rival = market
    draft(api, world.procurer, project, "Nattalarmer", ALARMS)
    refused = open_hearing(api, getattr(world, who), project)
    assert refused.status_code in (403, 404)


def test_comments_close_exactly_at_the_deadline_by_the_servers_clock(
    api: Api, world: World, heard: Heard, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    deadline = session.get(Hearing, heard.hearing).deadline  # type: ignore[union-attr]
    monkeypatch.setattr(hearings, "utcnow", lambda: deadline - timedelta(microseconds=1))
    assert comment(api, world.employee, heard.hearing, heard.alarms).status_code == 201
    monkeypatch.setattr(hearings, "utcnow", lambda: deadline)
    closed = comment(api, world.employee, heard.hearing, heard.alarms)
    assert closed.status_code == 409
    assert "closed" in closed.json()["detail"]
    assert api.get(f"/hearings/{heard.hearing}", world.employee).json()["open"] is False
    assert _count(session, HearingComment) == 1


def test_a_new_hearing_may_open_once_the_last_has_closed(
    api: Api, world: World, heard: Heard, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft(api, world.procurer, heard.project, "Nytt krav", "Et nytt krav etter høringen.")
    deadline = session.get(Hearing, heard.hearing).deadline  # type: ignore[union-attr]
    monkeypatch.setattr(hearings, "utcnow", lambda: deadline)
    body = {"deadline": (deadline + timedelta(days=3)).isoformat(), "employees": True}
    again = api.post(f"/projects/{heard.project}/hearings", world.procurer, json=body)
    assert again.status_code == 201, again.text


def test_those_outside_the_audiences_do_not_learn_the_hearing_exists(
    api: Api, world: World, market: tuple[int, User]
) -> None:
    project, _rival = market
    requirement = draft(api, world.procurer, project, "Nattalarmer", ALARMS)
    opened = open_hearing(api, world.procurer, project, suppliers=False)
    hearing = opened.json()["id"]
    for outsider in (world.supplier, world.citizen, world.other_procurer, world.researcher, None):
        assert api.get(f"/hearings/{hearing}", outsider).status_code == 404
        assert api.get(f"/hearings/{hearing + 999}", outsider).status_code == 404
        assert api.get(f"/projects/{project}/hearings", outsider).json() == []
        assert comment(api, outsider, hearing, requirement).status_code in (401, 404)
    for member in (world.employee, world.partner_employee, world.partner_procurer):
        assert api.get(f"/hearings/{hearing}", member).status_code == 200
        assert comment(api, member, hearing, requirement).status_code == 201


def test_a_passage_is_kept_with_its_offsets_quote_and_version(
    api: Api, world: World, heard: Heard
) -> None:
    passage = on_passage(ALARMS, "innen to minutter", version=2)
    made = comment(api, world.citizen, heard.hearing, heard.alarms, **passage)
    assert made.status_code == 201, made.text
    assert made.json()["passage"] == passage
    assert made.json()["author_name"] == "Cecilie Citizen"


def test_a_pasted_passage_is_found_by_the_server(api: Api, world: World, heard: Heard) -> None:
    made = comment(api, world.employee, heard.hearing, heard.data, passage=" åpne formater ")
    assert made.status_code == 201, made.text
    assert made.json()["passage"] == on_passage(DATA, "åpne formater") | {"version": 2}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": 0, "end": 7, "quote": "Alarmer", "version": 9}, "no version 9"),
        ({"start": 1, "end": 8, "quote": "Alarmer", "version": 2}, "does not match"),
        ({"start": 0, "end": 999, "quote": "Alarmer", "version": 2}, "does not match"),
        ({"start": 0, "quote": "Alarmer"}, "start, its end"),
        ({"passage": "står ikke i teksten"}, "was not found"),
    ],
)
def test_a_passage_that_is_not_in_the_text_is_refused_and_nothing_is_written(
    api: Api, world: World, heard: Heard, session: Session, fields: dict, message: str
) -> None:
    events = _count(session, ParticipationEvent)
    refused = comment(api, world.employee, heard.hearing, heard.alarms, **fields)
    assert refused.status_code == 422
    assert message in str(refused.json()["detail"])
    assert _count(session, HearingComment) == 0
    assert _count(session, ParticipationEvent) == events


def test_a_requirement_outside_the_hearing_is_refused(api: Api, world: World, heard: Heard) -> None:
    later_one = draft(api, world.procurer, heard.project, "Nytt krav", "Kom etter høringen.")
    refused = comment(api, world.employee, heard.hearing, later_one)
    assert refused.status_code == 404


def test_a_suppliers_company_shows_to_the_projects_procurers_only(
    api: Api, world: World, heard: Heard
) -> None:
    assert comment(api, world.supplier, heard.hearing, heard.alarms, body="Fra A.").is_success
    assert comment(api, heard.rival, heard.hearing, heard.alarms, body="Fra B.").is_success
    by_procurer = api.get(f"/hearings/{heard.hearing}", world.procurer)
    names = [c["author_name"] for c in by_procurer.json()["comments"]]
    assert names == [COMPANY, RIVAL]
    for reader in (heard.rival, world.supplier, world.employee, world.citizen):
        seen = api.get(f"/hearings/{heard.hearing}", reader)
        assert [c["author_name"] for c in seen.json()["comments"]] == ["A supplier"] * 2
        assert COMPANY not in seen.text and RIVAL not in seen.text
        assert "author_id" not in seen.text and "organisation" not in seen.text


def test_a_supplier_comment_leaves_no_trace_of_its_author_for_researchers(
    api: Api, world: World, heard: Heard
) -> None:
    assert comment(api, world.supplier, heard.hearing, heard.alarms).is_success
    log = api.get(f"/projects/{heard.project}/participation-events", world.researcher).json()
    assert not [e for e in log if e["object_type"] in ("hearing", "hearing_comment")]
    own = api.get(f"/projects/{heard.project}/participation-events", world.procurer).json()
    assert [e for e in own if e["verb"] == "commented_in_hearing"]


def test_co_authors_are_heard_whatever_the_audiences(
    api: Api, world: World, market: tuple[int, User]
) -> None:
    project, _rival = market
    invited = api.post(
        f"/projects/{project}/specification/co-authors",
        world.procurer,
        json={"user_id": world.partner_employee.id},
    )
    assert invited.status_code == 201, invited.text
    requirement = draft(api, world.procurer, project, "Nattalarmer", ALARMS)
    opened = open_hearing(api, world.procurer, project, employees=False)
    hearing = opened.json()["id"]
    assert comment(api, world.partner_employee, hearing, requirement).status_code == 201
    assert api.get(f"/hearings/{hearing}", world.employee).status_code == 404
    assert api.get(f"/hearings/{hearing}", world.supplier).status_code == 200
