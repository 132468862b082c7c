"""The results of a round: median, IQR and counts on known answers, per unit, "don't know" apart,
disagreement as a finding, the trend, the five-municipality rule, and who sees which units."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session

from app import db
from app.maturity.model import load_model
from app.models import MaturityRound, Organisation, Study, User
from app.models.base import Role, id_of, utcnow
from app.models.maturity import AnswerIn, MaturityUnit
from app.models.research import LegalBasis
from app.services import permissions
from app.services.errors import Conflict, Forbidden, NotFound
from app.services.maturity import results, rounds
from app.services.maturity.results import Given, Stat
from tests.conftest import Factory, World
from tests.maturity.conftest import Levels, completed_elsewhere, run_round

FIXTURES = Path(__file__).parent / "fixtures"
MODEL = load_model(1)
P, S, L, POL = (
    MaturityUnit.procurement,
    MaturityUnit.service_area,
    MaturityUnit.leadership,
    MaturityUnit.politics,
)


def given(respondent: int, unit: MaturityUnit, **levels: int | None) -> list[Given]:
    """One respondent's answers (None: "don't know")."""
    return [Given(respondent, unit, key, level, level is None) for key, level in levels.items()]


# ---- the figures on known answers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "median", "iqr"),
    [
        ([1, 2, 3, 4, 5], 3.0, 2.0),  # inclusive quartiles: Q1 = 2, Q3 = 4
        ([2, 2, 3, 4], 2.5, 1.25),  # Q1 = 2, Q3 = 3 + 0.25 × (4 − 3)
        ([4], 4.0, 0.0),
        ([], None, None),
    ],
)
def test_median_and_interquartile_range_use_inclusive_quartiles(
    levels: list[float], median: float | None, iqr: float | None
) -> None:
    assert results.median_and_iqr(levels) == (median, iqr)


def test_an_indicator_counts_levels_and_dont_know_apart_overall_and_per_unit() -> None:
    answers = [
        *given(1, P, need_discovery=2),
        *given(2, P, need_discovery=4),
        *given(3, S, need_discovery=3),
        *given(4, S, need_discovery=None),
        *given(5, S, need_discovery=5),
    ]
    figure = results.aggregate(MODEL, answers).indicators["need_discovery"]
    assert figure.overall == Stat(median=3.5, iqr=1.5, n=4, dont_know=1)
    assert figure.units[P] == Stat(median=3.0, iqr=1.0, n=2, dont_know=0)
    assert figure.units[S] == Stat(median=4.0, iqr=1.0, n=2, dont_know=1)
    assert L not in figure.units


def test_dont_know_never_moves_the_median() -> None:
    with_dont_know = [*given(1, P, roles=2), *given(2, P, roles=None), *given(3, P, roles=None)]
    without = [*given(1, P, roles=2)]
    a = results.aggregate(MODEL, with_dont_know).indicators["roles"].overall
    b = results.aggregate(MODEL, without).indicators["roles"].overall
    assert (a.median, a.n, a.dont_know) == (b.median, b.n, 2)


def test_a_dimension_is_the_median_of_each_respondents_mean_over_its_indicators() -> None:
    # Anchoring has two indicators: strategy_anchoring and leadership_mandate.
    answers = [
        *given(1, P, strategy_anchoring=1, leadership_mandate=2),  # mean 1.5
        *given(2, P, strategy_anchoring=4),  # mean 4 (one indicator answered)
        *given(3, L, strategy_anchoring=3, leadership_mandate=4),  # mean 3.5
        *given(4, L, strategy_anchoring=None, leadership_mandate=None),  # only "don't know"
    ]
    figure = results.aggregate(MODEL, answers).dimensions["anchoring"]
    assert figure.overall == Stat(median=3.5, iqr=1.25, n=3, dont_know=1)
    assert figure.units[P].median == 2.75
    assert figure.units[L] == Stat(median=3.5, iqr=0.0, n=1, dont_know=1)


def test_units_far_apart_are_a_finding_and_close_ones_are_not() -> None:
    answers = [
        *given(1, P, strategy_anchoring=4, roles=3),
        *given(2, P, strategy_anchoring=4, roles=3),
        *given(3, POL, strategy_anchoring=2, roles=2),
        *given(4, POL, strategy_anchoring=2, roles=3),
    ]
    found = {(f.kind, f.key): f for f in results.findings(MODEL, results.aggregate(MODEL, answers))}
    anchoring = found[("dimension", "anchoring")]
    assert anchoring.high == (P, 4.0) and anchoring.low == (POL, 2.0)
    assert anchoring.difference == 2.0
    assert ("indicator", "strategy_anchoring") in found
    assert ("indicator", "roles") not in found  # medians 3 and 2.5: half a level apart


def test_a_wide_spread_is_a_finding_even_within_one_unit() -> None:
    answers = [given(n, S, competence=level)[0] for n, level in enumerate([1, 1, 4, 5, 5])]
    found = results.findings(MODEL, results.aggregate(MODEL, answers))
    competence = next(f for f in found if f.key == "competence")
    assert competence.iqr == 4.0 and competence.high is None


def test_the_weakest_dimensions_come_with_the_measures_of_their_weakest_indicators() -> None:
    answers = [
        *given(1, P, need_discovery=4, market_dialogue=4, roles=2, competence=1),
        *given(2, P, strategy_anchoring=3, leadership_mandate=1, benefit_realisation=5),
    ]
    weak = results.weakest(MODEL, results.aggregate(MODEL, answers))
    assert [w.dimension.key for w in weak] == ["organisation_and_competence", "anchoring"]
    assert [i.key for i, _ in weak[0].indicators] == ["competence"]
    assert weak[0].indicators[0][0].measures  # the model's suggested measures go with it
    assert [i.key for i, _ in weak[1].indicators] == ["leadership_mandate"]


def test_the_trend_compares_only_keys_both_versions_have() -> None:
    old, new = load_model(1, FIXTURES), load_model(2, FIXTURES)
    first = MaturityRound(id=1, organisation_id=1, model_version=1, title="2025", opened_by_id=1)
    second = MaturityRound(id=2, organisation_id=1, model_version=2, title="2026", opened_by_id=1)
    for round_ in (first, second):
        round_.deadline = round_.opened_at
    a = results.aggregate(old, given(1, P, need_discovery=2, market_dialogue=2))
    b = results.aggregate(new, given(2, P, need_discovery=3, market_dialogue=3, user_testing=5))
    points = [results.trend_point(first, old, a), results.trend_point(second, new, b)]
    points[0].medians["retired_dimension"] = 1.0  # a dimension the newer version dropped
    trend = results.comparable(new, points)
    # Each round's dimension as its own version defines it (version 2 adds user_testing).
    assert [p.medians for p in trend] == [
        {"need_and_dialogue": 2.0},
        {"need_and_dialogue": pytest.approx(11 / 3)},
    ]
    assert "user_testing" not in trend[0].indicators  # not asked in version 1
    assert trend[1].indicators["user_testing"] == 5.0


@pytest.mark.parametrize(("count", "shown"), [(4, False), (5, True)])
def test_the_comparison_needs_five_municipalities(count: int, shown: bool) -> None:
    municipalities = [{"anchoring": float(n)} for n in range(1, count + 1)]
    comparison = results.compare(municipalities)
    assert (comparison is not None) == shown
    if comparison is not None:
        assert comparison.medians == {"anchoring": 3.0}
        assert comparison.municipalities == 5


# ---- rounds in the database --------------------------------------------------------------------


def _members(factory: Factory, org: Organisation, count: int) -> list[User]:
    return [factory.user(Role.employee, org) for _ in range(count)]


def _results(session: Session, user: User, round_: MaturityRound) -> results.Results:
    rel = permissions.round_relation(session, user, id_of(round_))
    return results.round_results(session, rel=rel)


def test_a_closed_rounds_results_are_its_answers_and_stay_so(
    session: Session, world: World, factory: Factory
) -> None:
    people = _members(factory, world.owner, 3)
    round_ = run_round(
        session,
        opener=world.procurer,
        organisation=world.owner,
        answers=[
            (people[0], P, {"need_discovery": 2}),
            (people[1], P, {"need_discovery": 3}),
            (people[2], S, {"need_discovery": None}),
        ],
    )
    before = _results(session, world.procurer, round_).aggregate.indicators["need_discovery"]
    assert before.overall == Stat(median=2.5, iqr=0.5, n=2, dont_know=1)
    rel = permissions.round_relation(session, people[0], id_of(round_))
    with pytest.raises(Conflict):
        rounds.save_answers(
            session, rel=rel, answers=[AnswerIn(indicator="need_discovery", level=5)]
        )
    session.rollback()
    after = _results(session, world.procurer, round_).aggregate.indicators["need_discovery"]
    assert after == before


def test_a_respondent_sees_results_only_after_close_and_without_small_units(
    session: Session, world: World, factory: Factory
) -> None:
    procurement = _members(factory, world.owner, 3)
    (politician,) = _members(factory, world.owner, 1)
    answers: list[tuple[User, MaturityUnit, Levels]] = [(u, P, {"roles": 3}) for u in procurement]
    answers.append((politician, POL, {"roles": 1}))
    round_ = run_round(
        session, opener=world.procurer, organisation=world.owner, answers=answers, close=False
    )
    with pytest.raises(Forbidden):
        _results(session, procurement[0], round_)
    rounds.close_round(
        session, rel=permissions.round_relation(session, world.procurer, id_of(round_))
    )
    session.commit()
    seen = _results(session, procurement[0], round_)
    assert seen.suppressed == {POL}
    assert set(seen.aggregate.indicators["roles"].units) == {P}
    assert seen.aggregate.indicators["roles"].overall.n == 4  # the overall keeps every answer
    owners = _results(session, world.procurer, round_)
    assert owners.suppressed == frozenset()
    assert owners.aggregate.indicators["roles"].units[POL].median == 1.0


@pytest.mark.parametrize("who", ["other_procurer", "citizen", "supplier", "employee"])
def test_nobody_outside_the_round_reaches_its_results(
    session: Session, world: World, factory: Factory, who: str
) -> None:
    (person,) = _members(factory, world.owner, 1)
    round_ = run_round(
        session,
        opener=world.procurer,
        organisation=world.owner,
        answers=[(person, P, {"roles": 2})],
    )
    with pytest.raises(NotFound):
        _results(session, getattr(world, who), round_)


def test_the_trend_follows_the_municipalitys_closed_rounds(
    session: Session, world: World, factory: Factory
) -> None:
    (person,) = _members(factory, world.owner, 1)
    first = run_round(
        session,
        opener=world.procurer,
        organisation=world.owner,
        answers=[(person, P, {"strategy_anchoring": 2, "leadership_mandate": 2})],
        title="2025",
    )
    second = run_round(
        session,
        opener=world.procurer,
        organisation=world.owner,
        answers=[(person, P, {"strategy_anchoring": 4, "leadership_mandate": 3})],
        title="2026",
    )
    trend = _results(session, world.procurer, second).trend
    assert [p.round_id for p in trend] == [first.id, second.id]
    assert [p.medians["anchoring"] for p in trend] == [2.0, 3.5]
    assert [p.medians["learning"] for p in trend] == [None, None]
    assert _results(session, world.procurer, first).trend[-1].round_id == first.id  # not later ones


@pytest.mark.parametrize(("others", "shown"), [(3, False), (4, True)])
def test_the_comparison_shows_from_five_completed_municipalities_on(
    session: Session, world: World, factory: Factory, others: int, shown: bool
) -> None:
    for level in range(1, others + 1):
        completed_elsewhere(session, factory, level)
    # One that has not completed: its round is open.
    org = factory.org()
    procurer = factory.user(Role.procurer, org)
    run_round(
        session,
        opener=procurer,
        organisation=org,
        answers=[(procurer, P, {"roles": 5})],
        close=False,
    )
    (person,) = _members(factory, world.owner, 1)
    round_ = run_round(
        session,
        opener=world.procurer,
        organisation=world.owner,
        answers=[(person, P, {i.key: 5 for i in MODEL.indicators()})],
    )
    seen = _results(session, world.procurer, round_)
    assert seen.comparison_count == others + 1  # this municipality counts too
    assert (seen.comparison is not None) == shown
    if seen.comparison is not None:
        assert seen.comparison.medians["anchoring"] == 3.0  # of 1, 2, 3, 4 and 5
    else:
        assert seen.comparison_reason == results.TOO_FEW_MUNICIPALITIES


def test_results_load_in_the_same_number_of_queries_whatever_the_respondents(
    session: Session, world: World, factory: Factory
) -> None:
    def queries(respondents: int) -> int:
        people = _members(factory, world.owner, respondents)
        levels: Levels = {i.key: 3 for i in MODEL.indicators()}
        round_ = run_round(
            session,
            opener=world.procurer,
            organisation=world.owner,
            answers=[(p, S, levels) for p in people],
        )
        rel = permissions.round_relation(session, world.procurer, id_of(round_))
        count = 0

        def counted(*_: object) -> None:
            nonlocal count
            count += 1

        engine = db.get_engine()
        event.listen(engine, "before_cursor_execute", counted)
        try:
            results.round_results(session, rel=rel)
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        return count

    few, many = queries(2), queries(8)
    assert few == many, (few, many)


def test_a_researchers_trend_keeps_to_the_studys_period(
    session: Session, world: World, factory: Factory
) -> None:
    (person,) = _members(factory, world.owner, 1)
    levels: Levels = {"strategy_anchoring": 2}
    old = run_round(
        session, opener=world.procurer, organisation=world.owner, answers=[(person, P, levels)]
    )
    long_ago = utcnow() - timedelta(days=800)
    old.opened_at, old.deadline, old.closed_at = long_ago, long_ago + timedelta(days=14), long_ago
    session.add(old)
    today = utcnow().date()
    session.add(
        Study(
            title="Modenhet",
            institution="Universitetet",
            ethics_reference="Sikt 1",
            legal_basis=LegalBasis.consent,
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=30),
            registered_by_id=id_of(world.researcher),
            pseudonym_secret="x" * 32,
        )
    )
    session.commit()
    current = run_round(
        session, opener=world.procurer, organisation=world.owner, answers=[(person, P, levels)]
    )
    assert len(_results(session, world.procurer, current).trend) == 2
    assert [p.round_id for p in _results(session, world.researcher, current).trend] == [current.id]
