"""Evidence from the platform beside the self-assessment: figures computed from what the
municipality did on Pivotal in the round's period, each tied to the indicator it speaks to.

The period is the twelve months before the round closes (up to now while it is still open):
the same span for every round, whether or not an earlier round exists, so rounds compare.
The figures are about the projects the municipality owns (internal ones included) that were
under way in the period: created before its end and not closed or aborted before its start.

Where the round's self-assessed median on an indicator and the figure beside it disagree by more
than `DISAGREEMENTS` allows, the figure carries a plain sentence saying so. Every figure is read
in a fixed number of queries, however many projects the municipality has.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app import i18n
from app.i18n import N_
from app.maturity.model import Indicator, load_model
from app.models import (
    MaturityAnswer,
    MaturityRespondent,
    MaturityRound,
)
from app.models.base import utcnow
from app.services.maturity.platform_counts import (
    Raw,
    market_dialogue,
    needs_reaching_requirements,
    number,
    participation,
    partners,
    projects_of_period,
    supplier_answers,
)
from app.services.permissions import RoundRelation, round_closes_at

PERIOD = timedelta(days=365)


@dataclass(frozen=True)
class EvidenceFigure:
    """One figure from the platform, and what it says beside the self-assessed level."""

    key: str  # stable name, e.g. "market_dialogue_share"
    label: str  # translated
    value: float | None  # None: nothing to compute from yet
    shown: str  # the value as the page shows it, e.g. "3 of 4 projects (75 %)"
    indicator_key: str | None  # the model's indicator it speaks to
    finding: str | None  # a plain sentence when the self-assessed level and the figure disagree
    self_assessed: float | None = None  # the round's median level on that indicator, if any
    indicator_title: str | None = None  # translated, from the round's model version


@dataclass(frozen=True)
class Disagreement:
    """When a self-assessed level and a figure are far enough apart to say so: every bound
    given holds (the round's median level on the figure's indicator, and the figure's value).

    A rule applies only when the figure counts at least `min_total` things (projects, verified
    needs, answered questions): one project is too little to contradict anyone. The first rule
    that applies to a figure gives its finding.
    """

    figure: str
    finding: str
    rated_at_least: float | None = None
    rated_at_most: float | None = None
    value_at_most: float | None = None
    value_at_least: float | None = None
    min_total: int = 2

    def applies(self, level: float, value: float, total: int) -> bool:
        """Whether the level and the figure's value are this far apart."""
        bounds = (
            self.rated_at_least is None or level >= self.rated_at_least,
            self.rated_at_most is None or level <= self.rated_at_most,
            self.value_at_most is None or value <= self.value_at_most,
            self.value_at_least is None or value >= self.value_at_least,
        )
        return total >= self.min_total and all(bounds)


# The thresholds, in one place (docs/maturity-actions-evidence.md explains them). A finding's
# parameters: level (the self-assessed median), value, count and total (of the figure).
DISAGREEMENTS: tuple[Disagreement, ...] = (
    Disagreement(
        "market_dialogue_share",
        rated_at_least=4,
        value_at_most=0,
        finding=N_(
            "You rated dialogue with the market %(level)s of 5, but none of your %(total)s "
            "projects in the period ran a market dialogue."
        ),
    ),
    Disagreement(
        "market_dialogue_share",
        rated_at_least=4,
        value_at_most=1 / 3,
        finding=N_(
            "You rated dialogue with the market %(level)s of 5, but only %(count)s of your "
            "%(total)s projects in the period ran a market dialogue."
        ),
    ),
    Disagreement(
        "market_dialogue_share",
        rated_at_most=2,
        value_at_least=2 / 3,
        finding=N_(
            "You rated dialogue with the market %(level)s of 5, yet %(count)s of your %(total)s "
            "projects in the period ran a market dialogue: you may do more than you think."
        ),
    ),
    Disagreement(
        "employee_participants",
        rated_at_least=4,
        value_at_most=2,
        finding=N_(
            "You rated employee participation %(level)s of 5, but the median number of "
            "employees taking part per project in the period was %(value)s."
        ),
    ),
    Disagreement(
        "employee_participants",
        rated_at_most=2,
        value_at_least=10,
        finding=N_(
            "You rated employee participation %(level)s of 5, yet a median of %(value)s "
            "employees took part per project in the period: you may do more than you think."
        ),
    ),
    Disagreement(
        "citizen_participants",
        rated_at_least=4,
        value_at_most=2,
        finding=N_(
            "You rated citizen participation %(level)s of 5, but the median number of citizens "
            "taking part per project in the period was %(value)s."
        ),
    ),
    Disagreement(
        "citizen_participants",
        rated_at_most=2,
        value_at_least=10,
        finding=N_(
            "You rated citizen participation %(level)s of 5, yet a median of %(value)s citizens "
            "took part per project in the period: you may do more than you think."
        ),
    ),
    Disagreement(
        "needs_reaching_requirements",
        rated_at_least=4,
        value_at_most=1 / 4,
        finding=N_(
            "You rated need discovery %(level)s of 5, but only %(count)s of your %(total)s "
            "verified needs in the period reached a requirement."
        ),
    ),
    Disagreement(
        "supplier_answer_days",
        rated_at_least=4,
        value_at_least=14,
        finding=N_(
            "You rated your work with suppliers %(level)s of 5, but suppliers waited a median "
            "of %(value)s days for the answer to a question in the period."
        ),
    ),
    Disagreement(
        "partner_municipalities",
        rated_at_least=4,
        value_at_most=0,
        finding=N_(
            "You rated collaboration with other municipalities %(level)s of 5, but none of your "
            "%(total)s projects in the period had a partner municipality."
        ),
    ),
    Disagreement(
        "partner_municipalities",
        rated_at_most=2,
        value_at_least=1,
        finding=N_(
            "You rated collaboration with other municipalities %(level)s of 5, yet your "
            "projects in the period had %(value)s partner municipalities each on average: you "
            "may do more than you think."
        ),
    ),
)

# Each figure's label and the indicator of model version 1 it speaks to (keys stay stable
# across model versions; a figure whose indicator a round's version lacks has no finding).
FIGURES: dict[str, tuple[str, str]] = {
    "market_dialogue_share": (N_("Projects that ran a market dialogue"), "market_dialogue"),
    "employee_participants": (
        N_("Employees taking part per project (median)"),
        "employee_participation",
    ),
    "citizen_participants": (
        N_("Citizens taking part per project (median)"),
        "citizen_participation",
    ),
    "needs_reaching_requirements": (
        N_("Verified needs that reached a requirement"),
        "need_discovery",
    ),
    "supplier_answer_days": (
        N_("Days to answer a supplier's question (median)"),
        "supplier_relations",
    ),
    "partner_municipalities": (
        N_("Partner municipalities per project"),
        "municipal_collaboration",
    ),
}
NO_PROJECTS = N_("No projects in the period")


def evidence_period(round_: MaturityRound) -> tuple[datetime, datetime]:
    """The twelve months up to the round's close (or up to now while it is open)."""
    end = min(round_closes_at(round_), utcnow())
    return end - PERIOD, end


def platform_evidence(
    session: Session, *, rel: RoundRelation, self_assessed: Mapping[str, float] | None = None
) -> list[EvidenceFigure]:
    """The round's evidence figures, for those who see its results (none for anyone else).

    `self_assessed` gives the round's median level per indicator when the caller has it; else
    it is read from the round's answers.
    """
    if not rel.sees_results:
        return []
    start, end = evidence_period(rel.round)
    projects = projects_of_period(session, rel.round.organisation_id, start, end)
    if self_assessed is None:
        self_assessed = self_assessed_medians(session, round_id=rel.round.id or 0)
    if not projects:
        raws = [Raw(key, None, i18n.gettext(NO_PROJECTS)) for key in FIGURES]
    else:
        ids = sorted(projects)
        raws = [
            market_dialogue(projects),
            *participation(session, ids, start, end),
            needs_reaching_requirements(session, ids, end),
            supplier_answers(session, ids, start, end),
            partners(session, ids),
        ]
    titles = {i.key: i.title.in_(i18n.current_language()) for i in model_indicators(rel.round)}
    return [_figure(raw, self_assessed, titles) for raw in raws]


def model_indicators(round_: MaturityRound) -> list[Indicator]:
    """The indicators of the round's model version."""
    return list(load_model(round_.model_version).indicators())


def self_assessed_medians(session: Session, *, round_id: int) -> dict[str, float]:
    """The round's median level per indicator, over the answers with a level."""
    rows = session.exec(
        select(MaturityAnswer.indicator_key, MaturityAnswer.level)
        .join(MaturityRespondent, col(MaturityRespondent.id) == MaturityAnswer.respondent_id)
        .where(
            MaturityRespondent.round_id == round_id,
            col(MaturityAnswer.level).is_not(None),
        )
    ).all()
    levels: dict[str, list[int]] = defaultdict(list)
    for key, level in rows:
        if level is not None:
            levels[key].append(level)
    return {key: float(statistics.median(found)) for key, found in levels.items()}


def _figure(
    raw: Raw, self_assessed: Mapping[str, float], titles: Mapping[str, str]
) -> EvidenceFigure:
    label, indicator = FIGURES[raw.key]
    level = self_assessed.get(indicator) if indicator in titles else None
    return EvidenceFigure(
        key=raw.key,
        label=i18n.gettext(label),
        value=raw.value,
        shown=raw.shown,
        indicator_key=indicator,
        finding=_finding(raw, level),
        self_assessed=level,
        indicator_title=titles.get(indicator),
    )


def _finding(raw: Raw, level: float | None) -> str | None:
    """The first disagreement that applies to the figure, as a sentence; None when they agree."""
    if level is None or raw.value is None:
        return None
    for rule in DISAGREEMENTS:
        if rule.figure == raw.key and rule.applies(level, raw.value, raw.total):
            return i18n.gettext(
                rule.finding,
                level=number(level),
                value=number(raw.value),
                count=number(raw.count),
                total=raw.total,
            )
    return None
