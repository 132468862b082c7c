"""The results of a self-assessment round as the JSON API shows them (no table of their own:
they are computed from the answers by `app/services/maturity/results.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.maturity import MaturityUnit


class StatPublic(SQLModel):
    """Median and interquartile range of the levels, their number and the "don't know"s."""

    median: float | None
    iqr: float | None
    n: int
    dont_know: int


class UnitStatPublic(SQLModel):
    """A unit's figures; all None with `suppressed` when too few of the unit answered for the
    caller to see them."""

    median: float | None
    iqr: float | None
    n: int | None
    dont_know: int | None
    suppressed: bool = False


class IndicatorResultPublic(StatPublic):
    """One indicator's figures, overall and per unit."""

    key: str
    title: str
    units: dict[MaturityUnit, UnitStatPublic]


class DimensionResultPublic(StatPublic):
    """One dimension's figures (the median of each respondent's mean over its indicators),
    overall, per unit, beside the other municipalities' median, with its indicators."""

    key: str
    title: str
    units: dict[MaturityUnit, UnitStatPublic]
    comparison_median: float | None = Field(
        default=None, description="The median over municipalities, when the comparison is shown"
    )
    indicators: list[IndicatorResultPublic]


class FindingPublic(SQLModel):
    """Disagreement between units on a dimension or indicator, or a wide spread of answers."""

    kind: str = Field(description='"dimension" or "indicator"')
    key: str
    sentence: str
    high_unit: MaturityUnit | None
    high_median: float | None
    low_unit: MaturityUnit | None
    low_median: float | None
    iqr: float | None


class MeasurePublic(SQLModel):
    """A weak indicator with the model's suggested development measures."""

    indicator: str
    title: str
    median: float
    measures: list[str]


class WeaknessPublic(SQLModel):
    """One of the weakest dimensions."""

    dimension: str
    title: str
    median: float
    indicators: list[MeasurePublic]


class ComparisonPublic(SQLModel):
    """The median per dimension over the municipalities that completed a round on the version."""

    municipalities: int
    medians: dict[str, float | None]


class TrendRoundPublic(SQLModel):
    """One round of the trend: its dimension and indicator medians (keys its version shares with
    this round's version only)."""

    round_id: int
    title: str
    closed_at: datetime
    model_version: int
    dimensions: dict[str, float | None]
    indicators: dict[str, float | None]


class ResultsPublic(SQLModel):
    """A round's results."""

    round_id: int
    model_version: int
    open: bool
    respondents: int
    dimensions: list[DimensionResultPublic]
    findings: list[FindingPublic]
    weakest: list[WeaknessPublic]
    comparison: ComparisonPublic | None
    comparison_reason: str | None
    trend: list[TrendRoundPublic]
    suppressed_units: list[MaturityUnit]
