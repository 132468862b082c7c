"""The results of a self-assessment round: medians, spread and counts, overall and per unit;
disagreement between units as a finding; the weakest dimensions with the model's measures; the
trend over the municipality's rounds; and the median of other municipalities beside it.

How the figures are computed (docs/maturity-results.md says the same in words):

- An indicator's figures come from the answers on it that carry a level: `median`, `iqr` (the
  interquartile range, Q3 − Q1, with `statistics.quantiles(method="inclusive")`, i.e. linear
  interpolation between the order statistics, the method of spreadsheets' QUARTILE.INC; a single
  answer has an IQR of 0) and `n`. "Don't know" is counted apart (`dont_know`), never in them.
- A dimension's value is the median of each respondent's mean level over the dimension's
  indicators (those they answered with a level), so every respondent weighs the same whatever
  number of indicators they answered. Its `n` counts those respondents; its `dont_know` counts
  respondents who answered the dimension's indicators only with "don't know".
- Units disagree on an indicator or dimension when the medians of two units differ by at least
  `DISAGREEMENT` levels, or the answers spread widely when the overall IQR is at least
  `WIDE_SPREAD`. Either is a finding.
- A unit's figures are shown to respondents and researchers only when at least `SMALL_UNIT`
  respondents of that unit answered; the round's owners see every unit.
- The comparison is the median, per dimension, over every municipality (this one included) whose
  latest completed round (closed, at least one answer with a level) is on the same model version,
  shown only when at least `COMPARISON_MINIMUM` municipalities count.

The pure functions take answers (`Given`) and a model; `round_results` loads what they need in a
constant number of queries, whatever the number of respondents and rounds.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, exists, or_
from sqlmodel import Session, col, select

from app.i18n import N_
from app.maturity.model import Dimension, Indicator, Model, load_model
from app.models import MaturityAnswer, MaturityRespondent, MaturityRound, Organisation
from app.models.base import id_of, utcnow
from app.models.maturity import MaturityUnit
from app.services import permissions
from app.services.permissions import RoundRelation
from app.services.permissions.maturity import study_period
from app.services.permissions.relation import PUBLIC_SECTOR

DISAGREEMENT = 1.5  # levels between two units' medians
WIDE_SPREAD = 2.0  # an overall interquartile range this wide
SMALL_UNIT = 3  # fewer respondents than this: the unit's figures are not shown to respondents
COMPARISON_MINIMUM = 5  # municipalities with a completed round on the same model version
WEAKEST = 2  # dimensions shown with suggested measures

TOO_FEW_MUNICIPALITIES = N_(
    "The comparison is shown when at least %(minimum)s municipalities have completed a round on "
    "the same version of the model; %(count)s have so far."
)


@dataclass(frozen=True, slots=True)
class Given:
    """One answer as the results need it: whose (pseudonymous id and unit), on what, which level."""

    respondent_id: int
    unit: MaturityUnit
    indicator_key: str
    level: int | None
    dont_know: bool


@dataclass(frozen=True, slots=True)
class Stat:
    """Median and interquartile range of the levels, their number, and the "don't know"s."""

    median: float | None
    iqr: float | None
    n: int
    dont_know: int


EMPTY = Stat(median=None, iqr=None, n=0, dont_know=0)


@dataclass(frozen=True, slots=True)
class Figure:
    """One indicator's or dimension's figures, overall and for each unit that answered."""

    key: str
    overall: Stat
    units: dict[MaturityUnit, Stat]


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A round's figures by indicator and dimension, and how many answered in each unit."""

    indicators: dict[str, Figure]
    dimensions: dict[str, Figure]
    unit_sizes: dict[MaturityUnit, int]
    respondents: int


@dataclass(frozen=True, slots=True)
class Finding:
    """Disagreement on one indicator or dimension: two units far apart, or a wide spread."""

    kind: str  # "dimension" or "indicator"
    key: str
    high: tuple[MaturityUnit, float] | None  # the unit with the highest median, and it
    low: tuple[MaturityUnit, float] | None  # the unit with the lowest
    iqr: float | None  # the overall IQR when it is wide

    @property
    def difference(self) -> float | None:
        """How many levels lie between the units' medians (None: no unit disagreement)."""
        if self.high is None or self.low is None:
            return None
        return self.high[1] - self.low[1]


@dataclass(frozen=True, slots=True)
class Weakness:
    """A weak dimension, its weakest indicators and their suggested measures in the model."""

    dimension: Dimension
    median: float
    indicators: tuple[tuple[Indicator, float], ...]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One round on the trend: its dimension and indicator medians (a key is absent when the
    round's model version has no such dimension or indicator; None when nobody answered it with
    a level)."""

    round_id: int
    title: str
    closes_at: datetime
    model_version: int
    medians: dict[str, float | None]
    indicators: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The median per dimension over the municipalities that completed a round on the version."""

    municipalities: int
    medians: dict[str, float | None]


@dataclass(frozen=True)
class Results:
    """Everything the results page and API show of one round, as the viewer may see it."""

    round: MaturityRound
    model: Model
    aggregate: Aggregate
    suppressed: frozenset[MaturityUnit]
    findings: list[Finding]
    weakest: list[Weakness]
    trend: list[TrendPoint]
    comparison: Comparison | None
    comparison_count: int
    comparison_reason: str | None = None
    finding_keys: frozenset[tuple[str, str]] = field(default_factory=frozenset)


# ---- pure figures ------------------------------------------------------------------------------


def median_and_iqr(values: Sequence[float]) -> tuple[float | None, float | None]:
    """The median and interquartile range (inclusive quartiles) of `values`; None when empty."""
    if not values:
        return None, None
    median = float(statistics.median(values))
    if len(values) == 1:
        return median, 0.0
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return median, float(q3 - q1)


def stat_of(values: Sequence[float], dont_know: int = 0) -> Stat:
    """The figures of some levels (or respondents' means) and a count of "don't know"."""
    median, iqr = median_and_iqr(values)
    return Stat(median=median, iqr=iqr, n=len(values), dont_know=dont_know)


def aggregate(model: Model, answers: Iterable[Given]) -> Aggregate:
    """A round's figures per indicator and per dimension, overall and per unit (answers on keys
    the model does not have, and answers with neither a level nor "don't know", are ignored)."""
    keys = {indicator.key for indicator in model.indicators()}
    given = [a for a in answers if a.indicator_key in keys and (a.level or a.dont_know)]
    units_of = {a.respondent_id: a.unit for a in given}
    unit_sizes: dict[MaturityUnit, int] = defaultdict(int)
    for unit in units_of.values():
        unit_sizes[unit] += 1
    by_indicator: dict[str, list[Given]] = defaultdict(list)
    for a in given:
        by_indicator[a.indicator_key].append(a)
    indicators = {
        i.key: _figure(i.key, by_indicator[i.key], _indicator_stat) for i in model.indicators()
    }
    dimensions = {}
    for dimension in model.dimensions():
        rows = [a for i in dimension.indicators for a in by_indicator[i.key]]
        dimensions[dimension.key] = _figure(dimension.key, rows, _dimension_stat)
    return Aggregate(
        indicators=indicators,
        dimensions=dimensions,
        unit_sizes=dict(unit_sizes),
        respondents=len(units_of),
    )


def _indicator_stat(rows: Sequence[Given]) -> Stat:
    levels = [float(a.level) for a in rows if a.level is not None]
    return stat_of(levels, dont_know=sum(1 for a in rows if a.dont_know))


def _dimension_stat(rows: Sequence[Given]) -> Stat:
    levels: dict[int, list[int]] = defaultdict(list)
    answered: set[int] = set()
    for a in rows:
        answered.add(a.respondent_id)
        if a.level is not None:
            levels[a.respondent_id].append(a.level)
    means = [statistics.fmean(own) for own in levels.values()]
    return stat_of(means, dont_know=len(answered - set(levels)))


def _figure(key: str, rows: Sequence[Given], compute: Callable[[Sequence[Given]], Stat]) -> Figure:
    per_unit: dict[MaturityUnit, list[Given]] = defaultdict(list)
    for a in rows:
        per_unit[a.unit].append(a)
    units = {unit: compute(per_unit[unit]) for unit in MaturityUnit if per_unit[unit]}
    return Figure(key=key, overall=compute(rows), units=units)


def suppress(result: Aggregate, units: Iterable[MaturityUnit]) -> Aggregate:
    """The figures without the named units' (their own figures are left out, not the overall)."""
    hidden = set(units)

    def keep(figure: Figure) -> Figure:
        shown = {u: s for u, s in figure.units.items() if u not in hidden}
        return Figure(key=figure.key, overall=figure.overall, units=shown)

    return Aggregate(
        indicators={k: keep(f) for k, f in result.indicators.items()},
        dimensions={k: keep(f) for k, f in result.dimensions.items()},
        unit_sizes={u: n for u, n in result.unit_sizes.items() if u not in hidden},
        respondents=result.respondents,
    )


def small_units(result: Aggregate, minimum: int = SMALL_UNIT) -> frozenset[MaturityUnit]:
    """The units fewer than `minimum` respondents answered for."""
    return frozenset(u for u, n in result.unit_sizes.items() if n < minimum)


def finding_of(kind: str, figure: Figure) -> Finding | None:
    """Disagreement on one figure: unit medians `DISAGREEMENT` apart, or an IQR `WIDE_SPREAD`."""
    medians = [(u, s.median) for u, s in figure.units.items() if s.median is not None]
    high = low = None
    if len(medians) >= 2:
        top = max(medians, key=lambda m: m[1])
        bottom = min(medians, key=lambda m: m[1])
        if top[1] - bottom[1] >= DISAGREEMENT:
            high, low = top, bottom
    iqr = figure.overall.iqr
    wide = iqr if iqr is not None and iqr >= WIDE_SPREAD else None
    if high is None and wide is None:
        return None
    return Finding(kind=kind, key=figure.key, high=high, low=low, iqr=wide)


def findings(model: Model, result: Aggregate) -> list[Finding]:
    """The disagreements of a round, each dimension followed by its indicators, in model order."""
    found = []
    for dimension in model.dimensions():
        for kind, figure in [("dimension", result.dimensions[dimension.key])] + [
            ("indicator", result.indicators[i.key]) for i in dimension.indicators
        ]:
            finding = finding_of(kind, figure)
            if finding is not None:
                found.append(finding)
    return found


def weakest(model: Model, result: Aggregate, count: int = WEAKEST) -> list[Weakness]:
    """The `count` dimensions with the lowest medians (ties in model order), each with its
    weakest indicators (every indicator at the dimension's lowest indicator median)."""
    answered = [
        (d, result.dimensions[d.key].overall.median)
        for d in model.dimensions()
        if result.dimensions[d.key].overall.median is not None
    ]
    ranked = sorted(answered, key=lambda pair: pair[1] or 0.0)[:count]  # sort is stable
    weak = []
    for dimension, median in ranked:
        levels = [
            (i, result.indicators[i.key].overall.median)
            for i in dimension.indicators
            if result.indicators[i.key].overall.median is not None
        ]
        lowest = min(m for _, m in levels if m is not None)
        chosen = tuple((i, m) for i, m in levels if m == lowest and m is not None)
        weak.append(Weakness(dimension=dimension, median=median or 0.0, indicators=chosen))
    return weak


def trend_point(round_: MaturityRound, model: Model, result: Aggregate) -> TrendPoint:
    """One round's dimension medians for the trend."""
    return TrendPoint(
        round_id=id_of(round_),
        title=round_.title,
        closes_at=permissions.round_closes_at(round_),
        model_version=round_.model_version,
        medians={key: figure.overall.median for key, figure in result.dimensions.items()},
        indicators={key: figure.overall.median for key, figure in result.indicators.items()},
    )


def comparable(current: Model, points: Sequence[TrendPoint]) -> list[TrendPoint]:
    """The trend's rounds with only the dimensions and indicators the current model has too (a
    key a round's version lacks stays absent from that round: nothing to compare it with)."""
    keys = {d.key for d in current.dimensions()}
    indicator_keys = {i.key for i in current.indicators()}
    return [
        TrendPoint(
            round_id=p.round_id,
            title=p.title,
            closes_at=p.closes_at,
            model_version=p.model_version,
            medians={k: v for k, v in p.medians.items() if k in keys},
            indicators={k: v for k, v in p.indicators.items() if k in indicator_keys},
        )
        for p in points
    ]


def compare(
    municipalities: Sequence[Mapping[str, float | None]], minimum: int = COMPARISON_MINIMUM
) -> Comparison | None:
    """The median per dimension over the municipalities' own dimension medians; None when fewer
    than `minimum` municipalities count."""
    if len(municipalities) < minimum:
        return None
    keys = {key for medians in municipalities for key in medians}
    medians: dict[str, float | None] = {}
    for key in sorted(keys):
        values = [v for m in municipalities if (v := m.get(key)) is not None]
        medians[key] = float(statistics.median(values)) if values else None
    return Comparison(municipalities=len(municipalities), medians=medians)


# ---- loading -----------------------------------------------------------------------------------


def load_answers(session: Session, round_ids: Sequence[int]) -> dict[int, list[Given]]:
    """The answers of the rounds, by round id, in one query."""
    found: dict[int, list[Given]] = {round_id: [] for round_id in round_ids}
    if not round_ids:
        return found
    rows = session.execute(
        sa.select(
            col(MaturityRespondent.round_id),
            col(MaturityAnswer.respondent_id),
            col(MaturityRespondent.unit),
            col(MaturityAnswer.indicator_key),
            col(MaturityAnswer.level),
            col(MaturityAnswer.dont_know),
        )
        .join(MaturityRespondent, col(MaturityRespondent.id) == MaturityAnswer.respondent_id)
        .where(col(MaturityRespondent.round_id).in_(round_ids))
        .order_by(col(MaturityAnswer.id))
    ).all()
    for round_id, respondent_id, unit, key, level, dont_know in rows:
        found[round_id].append(Given(respondent_id, MaturityUnit(unit), key, level, dont_know))
    return found


def _closed_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: the round has closed by `now` (by hand or at its deadline)."""
    return or_(col(MaturityRound.closed_at) <= now, col(MaturityRound.deadline) <= now)


def earlier_rounds(session: Session, round_: MaturityRound) -> list[MaturityRound]:
    """The municipality's closed rounds opened before this one, oldest first (any version)."""
    return list(
        session.exec(
            select(MaturityRound)
            .where(
                MaturityRound.organisation_id == round_.organisation_id,
                col(MaturityRound.opened_at) < round_.opened_at,
                col(MaturityRound.id) != round_.id,
                _closed_clause(utcnow()),
            )
            .order_by(col(MaturityRound.opened_at))
        ).all()
    )


def completed_rounds(session: Session, model_version: int) -> list[MaturityRound]:
    """Each public body's latest completed round on the model version (closed, at least one
    answer with a level), one per municipality."""
    with_level = exists().where(
        and_(
            col(MaturityRespondent.round_id) == MaturityRound.id,
            col(MaturityAnswer.respondent_id) == MaturityRespondent.id,
            col(MaturityAnswer.level).is_not(None),
        )
    )
    rows = session.exec(
        select(MaturityRound)
        .join(Organisation, col(Organisation.id) == MaturityRound.organisation_id)
        .where(
            MaturityRound.model_version == model_version,
            col(Organisation.kind).in_(list(PUBLIC_SECTOR)),
            _closed_clause(utcnow()),
            with_level,
        )
        .order_by(col(MaturityRound.opened_at), col(MaturityRound.id))
    ).all()
    latest: dict[int, MaturityRound] = {}
    for row in rows:  # oldest first: the last one seen per municipality is its latest
        latest[row.organisation_id] = row
    return list(latest.values())


def comparison_medians(session: Session, model: Model) -> list[dict[str, float | None]]:
    """Each completed municipality's dimension medians on the model's version (two queries)."""
    rounds = completed_rounds(session, model.version)
    answers = load_answers(session, [id_of(r) for r in rounds])
    return [
        {k: f.overall.median for k, f in aggregate(model, answers[id_of(r)]).dimensions.items()}
        for r in rounds
    ]


def round_results(session: Session, *, rel: RoundRelation) -> Results:
    """The round's results as the viewer may see them: owners and administrators every unit,
    respondents and researchers (after close) without the units too few answered for."""
    permissions.ensure_sees_results(rel)
    round_ = rel.round
    model = load_model(round_.model_version)
    earlier = earlier_rounds(session, round_)
    if rel.study is not None and not rel.runs_round:  # a researcher: rounds in the study's period
        start, end = study_period(rel.study)
        earlier = [
            r for r in earlier if r.opened_at < end and permissions.round_closes_at(r) > start
        ]
    answers = load_answers(session, [id_of(r) for r in earlier] + [id_of(round_)])
    result = aggregate(model, answers[id_of(round_)])
    hidden = frozenset() if rel.runs_round else small_units(result)
    shown = suppress(result, hidden)
    points = []
    for earlier_round in earlier:  # each read against its own model version
        version = load_model(earlier_round.model_version)
        figures = aggregate(version, answers[id_of(earlier_round)])
        points.append(trend_point(earlier_round, version, figures))
    points.append(trend_point(round_, model, result))
    municipalities = comparison_medians(session, model)
    comparison = compare(municipalities)
    found = findings(model, shown)
    return Results(
        round=round_,
        model=model,
        aggregate=shown,
        suppressed=hidden,
        findings=found,
        weakest=weakest(model, result),
        trend=comparable(model, points),
        comparison=comparison,
        comparison_count=len(municipalities),
        comparison_reason=None if comparison is not None else TOO_FEW_MUNICIPALITIES,
        finding_keys=frozenset((f.kind, f.key) for f in found),
    )
