"""The results of a self-assessment round: its page and its JSON API.

The figures and who may see which of them live in `app/services/maturity/results.py`; the page's
charts are shaped in `app/views/maturity_results.py`. This module parses, calls and renders.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app import i18n
from app.db import SessionDep
from app.models.base import Id
from app.models.maturity import MaturityUnit
from app.models.maturity_results import (
    ComparisonPublic,
    DimensionResultPublic,
    FindingPublic,
    IndicatorResultPublic,
    MeasurePublic,
    ResultsPublic,
    StatPublic,
    TrendRoundPublic,
    UnitStatPublic,
    WeaknessPublic,
)
from app.services import permissions
from app.services.maturity import actions, evidence, results
from app.services.maturity.results import Figure, Results, Stat
from app.views import maturity_results as view
from app.web import CurrentUser, api_router, page_router, render

pages = page_router()
api = api_router("maturity")


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _stat(stat: Stat) -> dict[str, Any]:
    return StatPublic(
        median=_number(stat.median), iqr=_number(stat.iqr), n=stat.n, dont_know=stat.dont_know
    ).model_dump()


def _units(
    figure: Figure, suppressed: frozenset[MaturityUnit]
) -> dict[MaturityUnit, UnitStatPublic]:
    units = {unit: UnitStatPublic(**_stat(stat)) for unit, stat in figure.units.items()}
    for unit in suppressed:
        units[unit] = UnitStatPublic(median=None, iqr=None, n=None, dont_know=None, suppressed=True)
    return units


def _public(found: Results) -> ResultsPublic:
    model, agg, language = found.model, found.aggregate, i18n.current_language()
    comparison = found.comparison
    dimensions = [
        DimensionResultPublic(
            key=d.key,
            title=d.title.in_(language),
            **_stat(agg.dimensions[d.key].overall),
            units=_units(agg.dimensions[d.key], found.suppressed),
            comparison_median=_number(comparison.medians.get(d.key)) if comparison else None,
            indicators=[
                IndicatorResultPublic(
                    key=i.key,
                    title=i.title.in_(language),
                    **_stat(agg.indicators[i.key].overall),
                    units=_units(agg.indicators[i.key], found.suppressed),
                )
                for i in d.indicators
            ],
        )
        for d in model.dimensions()
    ]
    return ResultsPublic(
        round_id=found.round.id or 0,
        model_version=model.version,
        open=permissions.round_is_open(found.round),
        respondents=agg.respondents,
        dimensions=dimensions,
        findings=_findings(found),
        weakest=_weakest(found, language),
        comparison=ComparisonPublic(
            municipalities=comparison.municipalities,
            medians={k: _number(v) for k, v in comparison.medians.items()},
        )
        if comparison
        else None,
        comparison_reason=i18n.gettext(
            found.comparison_reason,
            minimum=results.COMPARISON_MINIMUM,
            count=found.comparison_count,
        )
        if found.comparison_reason
        else None,
        trend=_trend(found),
        suppressed_units=sorted(found.suppressed),
    )


def _findings(found: Results) -> list[FindingPublic]:
    model = found.model
    return [
        FindingPublic(
            kind=f.kind,
            key=f.key,
            sentence=view.finding_sentence(model, f),
            high_unit=f.high[0] if f.high else None,
            high_median=_number(f.high[1]) if f.high else None,
            low_unit=f.low[0] if f.low else None,
            low_median=_number(f.low[1]) if f.low else None,
            iqr=_number(f.iqr),
        )
        for f in found.findings
    ]


def _weakest(found: Results, language: str) -> list[WeaknessPublic]:
    return [
        WeaknessPublic(
            dimension=w.dimension.key,
            title=w.dimension.title.in_(language),
            median=round(w.median, 2),
            indicators=[
                MeasurePublic(
                    indicator=i.key,
                    title=i.title.in_(language),
                    median=round(median, 2),
                    measures=[m.in_(language) for m in i.measures],
                )
                for i, median in w.indicators
            ],
        )
        for w in found.weakest
    ]


def _trend(found: Results) -> list[TrendRoundPublic]:
    return [
        TrendRoundPublic(
            round_id=p.round_id,
            title=p.title,
            closed_at=p.closes_at,
            model_version=p.model_version,
            dimensions={k: _number(v) for k, v in p.medians.items()},
            indicators={k: _number(v) for k, v in p.indicators.items()},
        )
        for p in found.trend
    ]


@api.get("/maturity/rounds/{round_id}/results")
def read_results(session: SessionDep, user: CurrentUser, round_id: Id) -> ResultsPublic:
    """A round's results: per dimension and indicator the median, IQR, n and "don't know",
    overall and per unit; the findings, the comparison (or why not) and the trend."""
    rel = permissions.round_relation(session, user, round_id)
    return _public(results.round_results(session, rel=rel))


@pages.get("/maturity/rounds/{round_id}/results")
def results_page(
    request: Request, session: SessionDep, user: CurrentUser, round_id: Id
) -> Response:
    """A round's results: the radar with its table, units side by side, the findings, the
    weakest dimensions with suggested measures, the trend, evidence and actions."""
    rel = permissions.round_relation(session, user, round_id)
    found = results.round_results(session, rel=rel)
    context = view.page_context(found)
    context.update(
        rel=rel,
        organisation=rel.organisation,
        is_open=permissions.round_is_open(rel.round),
        comparison_reason=i18n.gettext(
            found.comparison_reason,
            minimum=results.COMPARISON_MINIMUM,
            count=found.comparison_count,
        )
        if found.comparison_reason
        else None,
        small_unit=results.SMALL_UNIT,
        units=list(MaturityUnit),
        evidence=evidence.platform_evidence(session, rel=rel),
        actions=actions.actions_of_round(session, rel=rel),
        earlier_actions=actions.earlier_actions(session, rel=rel),
    )
    return render(request, "maturity/results.html", context)
