"""Evidence from the platform beside the self-assessment: figures from what the municipality did
on Pivotal in the round's period, and a plain finding where they contradict the answers."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, col, func, select

from app import demo, i18n
from app.models import (
    MaturityRound,
    Need,
    Organisation,
    ParticipationEvent,
    PhaseMove,
    Project,
    ProjectPartner,
    Question,
    TraceLink,
    User,
)
from app.models.base import NeedStatus, OrganisationKind, Phase, Role, history_clock, utcnow
from app.models.maturity import AnswerIn, RoundOpen
from app.models.project import ProjectCreate
from app.services import permissions, projects
from app.services.maturity import evidence, rounds
from app.services.maturity.evidence import DISAGREEMENTS, FIGURES, EvidenceFigure
from tests.conftest import World
from tests.helpers import Api, counted_queries
from tests.maturity.conftest import close, invite_member

PROJECT = {
    "summary": "Bedre oppfølging.",
    "service_area": "Helse",
    "innovation_ambition": "Fra liste til behov.",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with i18n.use_language("en"):
        yield


def _figures(session: Session, user: User, round_: MaturityRound) -> dict[str, EvidenceFigure]:
    rel = permissions.round_relation(session, user, round_.id or 0)
    return {f.key: f for f in evidence.platform_evidence(session, rel=rel)}


def _project(session: Session, world: World, title: str) -> int:
    project = projects.create_project(
        session, user=world.procurer, data=ProjectCreate(title=title, **PROJECT)
    )
    session.commit()
    return project.id or 0


def _busy_public_project(api: Api, session: Session, world: World) -> None:
    """The public project in market dialogue: an employee's need verified and traced to a
    requirement, a citizen's need, a comment, one supplier question answered after three days."""
    employee_need = api.post_need(world.employee, world.public.id)["id"]
    api.post_need(world.citizen, world.public.id)
    api.comment(world.citizen, employee_need)
    verified = api.set_status(world.procurer, employee_need, status="verified")
    assert verified.status_code == 200, verified.text
    api.advance(world.procurer, world.public.id, Phase.market_dialogue)
    body = {"kind": "functional", "title": "Varsling", "text": "Varsle innen ti minutter."}
    made = api.post(f"/projects/{world.public.id}/requirements", world.procurer, json=body)
    assert made.status_code == 201, made.text
    link = {
        "source_type": "need",
        "source_id": employee_need,
        "relation": "derived_from",
        "rationale": "Behovet ble til kravet.",
    }
    linked = api.post(f"/requirements/{made.json()['id']}/links", world.procurer, json=link)
    assert linked.status_code == 201, linked.text
    assert api.post(f"/projects/{world.public.id}/suppliers", world.supplier).status_code == 201
    asked = api.post(
        f"/projects/{world.public.id}/questions",
        world.supplier,
        json={"body": "Må løsningen virke uten mobildekning?"},
    )
    assert asked.status_code == 201, asked.text
    answer = {"public_question": "Uten mobildekning?", "answer": "Ja."}
    published = api.post(f"/questions/{asked.json()['id']}/publish", world.procurer, json=answer)
    assert published.status_code == 200, published.text
    question = session.get(Question, asked.json()["id"])
    assert question is not None
    question.asked_at = utcnow() - timedelta(days=5)
    question.published_at = question.asked_at + timedelta(days=3)
    session.add(question)
    session.commit()


def test_the_figures_count_what_the_municipality_did_in_the_period(
    api: Api, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _busy_public_project(api, session, world)
    figures = _figures(session, world.procurer, maturity_round)
    assert list(figures) == list(FIGURES)
    # Two projects (public and internal, internal ones count too); only the public one reached
    # the market dialogue.
    assert figures["market_dialogue_share"].value == 0.5
    assert figures["market_dialogue_share"].shown == "1 of 2 projects (50 %)"
    # One employee and one citizen took part in the public project, nobody in the internal one.
    assert figures["employee_participants"].value == 0.5
    assert figures["citizen_participants"].value == 0.5
    assert figures["needs_reaching_requirements"].value == 1.0
    assert figures["needs_reaching_requirements"].shown == "1 of 1 verified needs (100 %)"
    assert figures["supplier_answer_days"].value == pytest.approx(3.0)
    assert figures["supplier_answer_days"].shown == "3 days (1 answered, 0 waiting)"
    # Both projects have the partner municipality.
    assert figures["partner_municipalities"].value == 1.0
    assert {f.indicator_key for f in figures.values()} <= {
        "market_dialogue",
        "employee_participation",
        "citizen_participation",
        "need_discovery",
        "supplier_relations",
        "municipal_collaboration",
    }
    assert all(f.finding is None for f in figures.values())  # nobody has answered yet


def test_a_high_rating_beside_no_market_dialogue_is_said_in_plain_words(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _project(session, world, "Tredje prosjekt")
    invite_member(session, world, maturity_round, world.employee)
    rel = permissions.round_relation(session, world.employee, maturity_round.id or 0)
    answers = [AnswerIn(indicator="market_dialogue", level=4)]
    rounds.save_answers(session, rel=rel, answers=answers)
    session.commit()
    figure = _figures(session, world.procurer, maturity_round)["market_dialogue_share"]
    assert figure.self_assessed == 4
    assert figure.finding == (
        "You rated dialogue with the market 4 of 5, but none of your 3 projects in the period "
        "ran a market dialogue."
    )


def test_a_rating_that_fits_the_figure_has_no_finding(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    found = evidence.platform_evidence(session, rel=rel, self_assessed={"market_dialogue": 1.5})
    figure = next(f for f in found if f.key == "market_dialogue_share")
    assert (figure.self_assessed, figure.finding) == (1.5, None)


def test_no_requirements_yet_is_said_as_such(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    figure = _figures(session, world.procurer, maturity_round)["needs_reaching_requirements"]
    assert (figure.value, figure.shown) == (None, "No requirements yet")


def test_a_municipality_without_projects_has_no_figures_and_no_findings(
    session: Session, world: World
) -> None:
    rel = permissions.organisation_relation(session, world.other_procurer, world.elsewhere)
    data = RoundOpen(title="Modenhet", deadline=utcnow() + timedelta(days=7))
    round_ = rounds.open_round(session, rel=rel, data=data)
    session.commit()
    rel = permissions.round_relation(session, world.other_procurer, round_.id or 0)
    found = evidence.platform_evidence(session, rel=rel, self_assessed={"market_dialogue": 5})
    assert [(f.value, f.shown, f.finding) for f in found] == [
        (None, "No projects in the period", None)
    ] * len(FIGURES)


def test_a_project_ended_before_the_period_does_not_count(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    with history_clock() as set_now:
        set_now(utcnow() - timedelta(days=800))
        old = projects.create_project(
            session, user=world.procurer, data=ProjectCreate(title="Gammelt prosjekt", **PROJECT)
        )
        set_now(utcnow() + timedelta(days=10))
        rationale = "Prosjektet ble avbrutt for lenge siden."
        rel = permissions.viewable_project(session, world.procurer, old.id or 0)
        projects.move_phase(session, rel=rel, to_phase=Phase.aborted, rationale=rationale)
        session.commit()
    figure = _figures(session, world.procurer, maturity_round)["market_dialogue_share"]
    assert figure.shown == "0 of 2 projects (0 %)"


def test_the_figures_take_the_same_number_of_queries_however_many_projects(
    api: Api, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _busy_public_project(api, session, world)
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    with counted_queries() as few:
        evidence.platform_evidence(session, rel=rel)
    for n in range(4):
        project_id = _project(session, world, f"Prosjekt nummer {n}")
        api.post_need(world.employee, project_id)
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    with counted_queries() as many:
        evidence.platform_evidence(session, rel=rel)
    assert len(many) == len(few) <= 8


def test_only_those_who_see_results_see_the_evidence(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    assert _figures(session, world.employee, maturity_round) == {}
    close(session, world, maturity_round)
    assert len(_figures(session, world.employee, maturity_round)) == len(FIGURES)


def test_every_threshold_names_a_figure_and_its_sentence_its_numbers() -> None:
    for rule in DISAGREEMENTS:
        assert rule.figure in FIGURES
        assert "%(level)s" in rule.finding
        assert (rule.rated_at_least is None) != (rule.rated_at_most is None)


# ---- the demo ----------------------------------------------------------------------------------


def test_the_demos_evidence_for_trondheim_matches_direct_counts(session: Session) -> None:
    demo.load_demo(session)
    trondheim = session.exec(
        select(Organisation).where(Organisation.name == "Trondheim kommune")
    ).one()
    procurer = session.exec(
        select(User).where(User.organisation_id == trondheim.id, User.role == Role.procurer)
    ).first()
    assert procurer is not None
    rel = permissions.organisation_relation(session, procurer, trondheim)
    data = RoundOpen(title="Modenhet 2026", deadline=utcnow() + timedelta(days=14))
    round_ = rounds.open_round(session, rel=rel, data=data)
    session.commit()
    figures = _figures(session, procurer, round_)

    # Straight from the tables, project by project: the demo's story is weeks old, so all of its
    # projects are in the period.
    owned = session.exec(select(Project).where(Project.owner_org_id == trondheim.id)).all()
    assert owned
    ids = [p.id for p in owned]
    reached = [
        p
        for p in owned
        if session.exec(
            select(func.count()).where(
                PhaseMove.project_id == p.id,
                col(PhaseMove.to_phase).in_(
                    [Phase.market_dialogue, Phase.competition, Phase.contract_follow_up]
                ),
            )
        ).one()
        or p.phase in (Phase.market_dialogue, Phase.competition)
    ]
    assert figures["market_dialogue_share"].value == len(reached) / len(owned)

    def distinct(project_id: int | None, role: Role) -> int:
        return session.exec(
            select(func.count(func.distinct(ParticipationEvent.actor_id))).where(
                ParticipationEvent.project_id == project_id, ParticipationEvent.actor_role == role
            )
        ).one()

    for role, key in (
        (Role.employee, "employee_participants"),
        (Role.citizen, "citizen_participants"),
    ):
        assert figures[key].value == statistics.median(distinct(i, role) for i in ids)

    verified = session.exec(
        select(Need).where(col(Need.project_id).in_(ids), Need.status == NeedStatus.verified)
    ).all()
    traced = {
        link.source_id
        for link in session.exec(select(TraceLink).where(TraceLink.source_type == "need")).all()
        if link.relation != "rejected_input"
    }
    assert verified
    share = sum(1 for n in verified if n.id in traced) / len(verified)
    assert figures["needs_reaching_requirements"].value == share

    questions = session.exec(
        select(Question).where(col(Question.project_id).in_(ids), Question.status == "published")
    ).all()
    assert questions
    days = statistics.median(
        (q.published_at - q.asked_at).total_seconds() / 86_400
        for q in questions
        if q.published_at is not None
    )
    assert figures["supplier_answer_days"].value == pytest.approx(days)

    partners = session.exec(
        select(func.count())
        .select_from(ProjectPartner)
        .join(Organisation, col(Organisation.id) == ProjectPartner.organisation_id)
        .where(
            col(ProjectPartner.project_id).in_(ids),
            col(Organisation.kind).in_([OrganisationKind.municipality, OrganisationKind.county]),
        )
    ).one()
    assert figures["partner_municipalities"].value == partners / len(owned)


def test_the_evidence_partial_puts_each_finding_beside_its_figure(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    from app.web.templating import render_fragment

    _project(session, world, "Tredje prosjekt")
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    found = evidence.platform_evidence(session, rel=rel, self_assessed={"market_dialogue": 4.5})
    html = render_fragment("maturity/_evidence.html", "en", evidence=found)
    row = html.split('id="evidence-market_dialogue_share"')[1].split("</tr>")[0]
    assert "Projects that ran a market dialogue" in row
    assert "0 of 3 projects (0 %)" in row
    assert "Dialogue with the market (4.5 / 5)" in row
    assert "but none of your 3 projects in the period ran a market dialogue" in row
    assert "No disagreement" in html.split('id="evidence-partner_municipalities"')[1]
