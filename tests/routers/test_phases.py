"""Phases and gate decisions: one phase forward or abort, never back, taken only by procurers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import AuditEntry, ParticipationEvent, PhaseMove
from app.models.base import PHASE_LABELS, Phase
from app.services import participation, permissions, projects
from app.services.errors import Conflict
from tests.conftest import World
from tests.helpers import EN, RATIONALE, Api

OPEN_PHASES = [
    Phase.preparation,
    Phase.needs,
    Phase.market_dialogue,
    Phase.competition,
    Phase.contract_follow_up,
    Phase.benefit_realisation,
]
FORWARD = [
    (Phase.preparation, Phase.needs),
    (Phase.needs, Phase.market_dialogue),
    (Phase.market_dialogue, Phase.competition),
    (Phase.competition, Phase.contract_follow_up),
    (Phase.contract_follow_up, Phase.benefit_realisation),
    (Phase.benefit_realisation, Phase.closed),
]
PROJECT = {
    "title": "Prosjekt fra start",
    "summary": "Et prosjekt som starter i forberedelsen.",
    "service_area": "Helse",
    "innovation_ambition": "Nye arbeidsformer.",
}


def _project_in(api: Api, world: World, phase: Phase) -> int:
    """A public project (opened in preparation) moved through real gate decisions to `phase`."""
    response = api.post("/projects", world.procurer, json={**PROJECT, "phase": "preparation"})
    assert response.status_code == 201, response.text
    project_id: int = response.json()["id"]
    if phase != Phase.preparation:
        api.advance(world.procurer, project_id, phase)
    return project_id


def _phase(api: Api, world: World, project_id: int) -> dict[str, Any]:
    response = api.get(f"/projects/{project_id}/phase", world.procurer)
    assert response.status_code == 200
    return response.json()


# ---- the moves the phase order allows ------------------------------------------------------------


@pytest.mark.parametrize(("from_phase", "to_phase"), FORWARD)
def test_procurer_moves_a_project_forward_to_the_next_phase(
    api: Api, world: World, from_phase: Phase, to_phase: Phase
) -> None:
    project_id = _project_in(api, world, from_phase)
    response = api.move_phase(world.procurer, project_id, to_phase, "  Klart for neste fase.  ")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["phase"] == to_phase
    last = body["history"][-1]
    assert (last["from_phase"], last["to_phase"]) == (from_phase, to_phase)
    assert last["rationale"] == "Klart for neste fase."  # stripped
    assert last["decided_by"] == "Petra Procurer"
    assert api.get(f"/projects/{project_id}").json()["phase"] == to_phase


@pytest.mark.parametrize("from_phase", OPEN_PHASES)
def test_any_open_phase_may_be_aborted(api: Api, world: World, from_phase: Phase) -> None:
    project_id = _project_in(api, world, from_phase)
    response = api.move_phase(world.procurer, project_id, Phase.aborted, "Budsjettet ble kuttet.")
    assert response.status_code == 200, response.text
    assert response.json()["phase"] == "aborted"
    assert response.json()["next_phases"] == []


@pytest.mark.parametrize("phase", OPEN_PHASES)
def test_next_phases_are_the_following_phase_and_aborted(phase: Phase) -> None:
    following = projects.PHASE_ORDER[projects.PHASE_ORDER.index(phase) + 1]
    assert projects.next_phases(phase) == [following, Phase.aborted]


@pytest.mark.parametrize("phase", [Phase.closed, Phase.aborted])
def test_nothing_follows_an_ended_project(phase: Phase) -> None:
    assert projects.next_phases(phase) == []


def test_phase_api_shows_phase_next_phases_and_history_in_order(api: Api, world: World) -> None:
    project_id = _project_in(api, world, Phase.market_dialogue)
    body = _phase(api, world, project_id)
    assert body["phase"] == "market_dialogue"
    assert body["next_phases"] == ["competition", "aborted"]
    assert [(m["from_phase"], m["to_phase"]) for m in body["history"]] == [
        ("preparation", "needs"),
        ("needs", "market_dialogue"),
    ]
    assert all(m["rationale"] == RATIONALE and m["decided_at"] for m in body["history"])


# ---- the moves it refuses, and why ---------------------------------------------------------------


def test_skipping_a_phase_is_refused_naming_both_phases_and_the_next_one(
    api: Api, world: World
) -> None:
    response = api.move_phase(world.procurer, world.public.id, Phase.competition)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The project cannot skip from “Needs” to “Competition”: the next phase is "
        "“Market dialogue”, and each phase is a gate decision of its own.",
        "code": "conflict",
    }


def test_skipping_is_refused_in_bokmal_by_default(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/phase",
        world.procurer,
        headers={"Accept-Language": "nb"},
        json={"to_phase": "competition", "rationale": RATIONALE},
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Prosjektet kan ikke hoppe fra «Behov» til «Konkurranse»: neste fase er «Markedsdialog», "
        "og hver faseovergang er en egen beslutning."
    )


def test_going_back_before_the_competition_is_refused_as_undoing_a_decision(
    api: Api, world: World
) -> None:
    project_id = _project_in(api, world, Phase.market_dialogue)
    response = api.move_phase(world.procurer, project_id, Phase.needs)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The project cannot go back from “Market dialogue” to “Needs”: a gate decision is part "
        "of the procurement record and is not undone. Continue in the current phase."
    )


@pytest.mark.parametrize("back_to", [Phase.market_dialogue, Phase.needs, Phase.preparation])
def test_going_back_from_the_competition_is_refused_for_equal_treatment(
    api: Api, world: World, back_to: Phase
) -> None:
    project_id = _project_in(api, world, Phase.competition)
    response = api.move_phase(world.procurer, project_id, back_to)
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith("The project cannot go back from “Competition” to “")
    assert "once the competition is announced, input from the dialogue can no longer" in detail
    assert "would not treat all suppliers equally" in detail


def test_going_back_from_a_later_phase_gives_the_same_reason(api: Api, world: World) -> None:
    project_id = _project_in(api, world, Phase.contract_follow_up)
    response = api.move_phase(world.procurer, project_id, Phase.market_dialogue)
    assert response.status_code == 409
    assert "“Contract follow-up” to “Market dialogue”" in response.json()["detail"]
    assert "once the competition is announced" in response.json()["detail"]


def test_moving_to_the_current_phase_is_refused(api: Api, world: World) -> None:
    response = api.move_phase(world.procurer, world.public.id, Phase.needs)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The project is already in the phase “Needs”; it cannot move to “Needs” again."
    )


@pytest.mark.parametrize(("ended", "label"), [(Phase.closed, "Closed"), (Phase.aborted, "Aborted")])
@pytest.mark.parametrize("to_phase", [Phase.needs, Phase.aborted, Phase.closed])
def test_nothing_leaves_a_closed_or_aborted_project(
    api: Api, world: World, ended: Phase, label: str, to_phase: Phase
) -> None:
    project_id = _project_in(api, world, ended)
    response = api.move_phase(world.procurer, project_id, to_phase)
    assert response.status_code == 409
    assert response.json()["detail"].startswith(f"The project has ended in the phase “{label}”")
    assert f"cannot move to “{PHASE_LABELS[to_phase]}”" in response.json()["detail"]


@pytest.mark.parametrize(
    ("rationale", "message"),
    [
        ("", "Give a rationale for the gate decision of at least 10 characters."),
        ("   kort    ", "Give a rationale for the gate decision of at least 10 characters."),
        ("x" * 5001, "The rationale can be at most 5000 characters."),
    ],
)
def test_a_gate_decision_needs_a_rationale_of_10_to_5000_characters(
    api: Api, world: World, rationale: str, message: str
) -> None:
    response = api.move_phase(world.procurer, world.public.id, Phase.market_dialogue, rationale)
    assert response.status_code == 422
    assert response.json() == {"detail": message, "code": "invalid"}
    assert _phase(api, world, world.public.id)["history"] == []


@pytest.mark.parametrize("rationale", ["  0123456789  ", "x" * 5000])
def test_rationale_limits_count_the_stripped_text(api: Api, world: World, rationale: str) -> None:
    response = api.move_phase(world.procurer, world.public.id, Phase.market_dialogue, rationale)
    assert response.status_code == 200
    assert response.json()["history"][-1]["rationale"] == rationale.strip()


def test_an_unknown_phase_is_invalid_input(api: Api, world: World) -> None:
    response = api.move_phase(world.procurer, world.public.id, "outer_space")
    assert response.status_code == 422
    assert _phase(api, world, world.public.id)["phase"] == "needs"


# ---- who may move a project ----------------------------------------------------------------------


@pytest.mark.parametrize("mover", ["procurer", "partner_procurer", "admin"])
def test_the_projects_procurers_and_admins_move_phases(api: Api, world: World, mover: str) -> None:
    response = api.move_phase(world.member(mover), world.public.id, Phase.market_dialogue)
    assert response.status_code == 200, response.text
    assert response.json()["history"][0]["decided_by"] == world.member(mover).display_name


@pytest.mark.parametrize(
    "mover", ["other_procurer", "employee", "partner_employee", "citizen", "supplier", "researcher"]
)
def test_nobody_else_moves_phases(api: Api, world: World, mover: str) -> None:
    response = api.move_phase(world.member(mover), world.public.id, Phase.market_dialogue)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the project's procurers can move the project to another phase.",
        "code": "forbidden",
    }
    assert _phase(api, world, world.public.id) == {
        "phase": "needs",
        "next_phases": ["market_dialogue", "aborted"],
        "history": [],
    }


def test_anonymous_visitor_cannot_move_phases(api: Api, world: World) -> None:
    response = api.move_phase(None, world.public.id, Phase.market_dialogue)
    assert response.status_code == 401
    assert _phase(api, world, world.public.id)["phase"] == "needs"


@pytest.mark.parametrize("mover", ["other_procurer", "citizen", "supplier", None])
def test_outsiders_do_not_learn_that_an_internal_project_exists(
    api: Api, world: World, mover: str | None
) -> None:
    response = api.move_phase(world.member(mover), world.internal.id, Phase.market_dialogue)
    assert response.status_code == 404
    assert api.get(f"/projects/{world.internal.id}/phase", world.member(mover)).status_code == 404


@pytest.mark.parametrize("reader", ["citizen", "supplier", "researcher", "other_procurer", None])
def test_anyone_who_may_view_the_project_reads_its_phase_history(
    api: Api, world: World, reader: str | None
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    response = api.get(f"/projects/{world.public.id}/phase", world.member(reader))
    assert response.status_code == 200
    [move] = response.json()["history"]
    assert move["decided_by"] == "Petra Procurer"
    assert move["rationale"] == RATIONALE


# ---- one transaction: move, audit entry, participation event -------------------------------------


def test_a_move_writes_the_move_an_audit_entry_and_a_participation_event(
    api: Api, world: World, session: Session
) -> None:
    response = api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    assert response.status_code == 200
    [move] = session.exec(select(PhaseMove)).all()
    assert (move.project_id, move.from_phase, move.to_phase) == (
        world.public.id,
        "needs",
        "market_dialogue",
    )
    assert move.decided_by_id == world.procurer.id
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.project_id == world.public.id)).all()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "phase_moved",
        "project",
        world.public.id,
    )
    assert (entry.before, entry.after) == ({"phase": "needs"}, {"phase": "market_dialogue"})
    assert entry.rationale == RATIONALE
    [event] = api.events(world.procurer, world.public.id)
    assert event["verb"] == "moved_phase"
    assert (event["object_type"], event["object_id"]) == ("phase_move", move.id)
    assert event["phase"] == "needs"  # the last act of the phase it closes
    assert event["actor_id"] == world.procurer.id


def test_a_refused_move_writes_nothing(api: Api, world: World, session: Session) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.competition)  # skips: refused
    api.move_phase(world.employee, world.public.id, Phase.market_dialogue)  # not a procurer
    assert session.exec(select(PhaseMove)).all() == []
    assert (
        session.exec(select(AuditEntry).where(col(AuditEntry.project_id).is_not(None))).all() == []
    )
    assert session.exec(select(ParticipationEvent)).all() == []


def test_a_failure_late_in_the_move_rolls_all_of_it_back(
    api: Api, world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise Conflict("The participation log refused the event.")

    monkeypatch.setattr(participation, "record", refuse)
    response = api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    assert response.status_code == 409
    assert api.get(f"/projects/{world.public.id}").json()["phase"] == "needs"
    assert session.exec(select(PhaseMove)).all() == []
    assert (
        session.exec(select(AuditEntry).where(col(AuditEntry.project_id).is_not(None))).all() == []
    )


def test_of_two_procurers_deciding_at_once_the_second_is_told_to_reload(
    api: Api, world: World, session: Session
) -> None:
    # This session loaded the project before the other procurer's move committed.
    stale = permissions.relation(session, world.procurer, world.public)
    assert api.move_phase(world.partner_procurer, world.public.id, "market_dialogue").is_success
    with pytest.raises(Conflict, match="Someone else moved the project"):
        projects.move_phase(session, rel=stale, to_phase=Phase.market_dialogue, rationale=RATIONALE)
    session.rollback()
    assert len(_phase(api, world, world.public.id)["history"]) == 1


def test_english_names_the_phases_in_english(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/phase",
        world.procurer,
        headers=EN,
        json={"to_phase": "closed", "rationale": RATIONALE},
    )
    assert "“Needs” to “Closed”" in response.json()["detail"]
