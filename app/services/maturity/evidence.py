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

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from app import i18n
from app.i18n import N_
from app.maturity.model import Indicator, load_model
from app.models import (
    MaturityAnswer,
    MaturityRespondent,
    MaturityRound,
    Need,
    Organisation,
    ParticipationEvent,
    PhaseMove,
    Project,
    ProjectPartner,
    Question,
    Requirement,
    TraceLink,
)
from app.models.base import NeedStatus, OrganisationKind, Phase, Role, utcnow
from app.models.question import QuestionStatus
from app.models.trace import TraceRelation, TraceSource
from app.services.permissions import RoundRelation, round_closes_at

PERIOD = timedelta(days=365)
# A project "ran a market dialogue" once it reached one of these phases (closing or aborting
# a project says nothing about how far it got).
DIALOGUE_OR_LATER = frozenset(
    {
        Phase.market_dialogue,
        Phase.competition,
        Phase.contract_follow_up,
        Phase.benefit_realisation,
    }
)
ENDED = frozenset({Phase.closed, Phase.aborted})
PARTNER_KINDS = (OrganisationKind.municipality, OrganisationKind.county)


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


@dataclass(frozen=True)
class _Raw:
    """A figure before translation: its value, how it reads, and the finding's numbers."""

    key: str
    value: float | None
    shown: str
    count: float = 0
    total: int = 0


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
    projects = _projects_of_period(session, rel.round.organisation_id, start, end)
    if self_assessed is None:
        self_assessed = self_assessed_medians(session, round_id=rel.round.id or 0)
    if not projects:
        raws = [_Raw(key, None, i18n.gettext(NO_PROJECTS)) for key in FIGURES]
    else:
        ids = sorted(projects)
        raws = [
            _market_dialogue(projects),
            *_participation(session, ids, start, end),
            _needs_reaching_requirements(session, ids, end),
            _supplier_answers(session, ids, start, end),
            _partners(session, ids),
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


# ---- the figures -------------------------------------------------------------------------------


def _projects_of_period(
    session: Session, organisation_id: int, start: datetime, end: datetime
) -> dict[int, bool]:
    """The municipality's projects under way in the period, each with whether it ran a market
    dialogue by the period's end (two queries)."""
    owned = select(col(Project.id)).where(
        Project.owner_org_id == organisation_id, col(Project.created_at) < end
    )
    rows = session.exec(select(Project.id, Project.phase).where(col(Project.id).in_(owned))).all()
    phases = dict(rows)
    moves: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for project_id, to_phase, decided_at in session.exec(
        select(PhaseMove.project_id, PhaseMove.to_phase, PhaseMove.decided_at).where(
            col(PhaseMove.project_id).in_(owned), col(PhaseMove.decided_at) < end
        )
    ):
        moves[project_id].append((to_phase, decided_at))
    found: dict[int, bool] = {}
    for listed, phase in phases.items():
        project_id = listed or 0
        history = moves.get(project_id, [])
        if any(to in ENDED and at < start for to, at in history):
            continue
        if history:
            ran = any(to in DIALOGUE_OR_LATER for to, _at in history)
        else:  # a project never moved: where it stands is where it has been
            ran = phase in DIALOGUE_OR_LATER
        found[project_id] = ran
    return found


def _market_dialogue(projects: dict[int, bool]) -> _Raw:
    ran, total = sum(projects.values()), len(projects)
    shown = i18n.gettext(
        "%(count)s of %(total)s projects (%(percent)s)",
        count=ran,
        total=total,
        percent=_percent(ran / total),
    )
    return _Raw("market_dialogue_share", ran / total, shown, ran, total)


def _participation(session: Session, ids: list[int], start: datetime, end: datetime) -> list[_Raw]:
    """Distinct employees and citizens taking part per project in the period, the median over
    the projects (one query)."""
    counts: dict[str, dict[int, int]] = {Role.employee: {}, Role.citizen: {}}
    rows = session.exec(
        select(
            ParticipationEvent.project_id,
            ParticipationEvent.actor_role,
            func.count(func.distinct(ParticipationEvent.actor_id)),
        )
        .where(
            col(ParticipationEvent.project_id).in_(ids),
            col(ParticipationEvent.occurred_at) >= start,
            col(ParticipationEvent.occurred_at) < end,
            col(ParticipationEvent.actor_role).in_([Role.employee, Role.citizen]),
            col(ParticipationEvent.actor_id).is_not(None),
        )
        .group_by(col(ParticipationEvent.project_id), col(ParticipationEvent.actor_role))
    ).all()
    for project_id, role, n in rows:
        counts[role][project_id] = n
    found = []
    for role, key in (
        (Role.employee, "employee_participants"),
        (Role.citizen, "citizen_participants"),
    ):
        per_project = [counts[role].get(project_id, 0) for project_id in ids]
        median = float(statistics.median(per_project))
        shown = i18n.gettext(
            "%(value)s (highest %(highest)s; %(total)s projects)",
            value=_number(median),
            highest=max(per_project),
            total=len(ids),
        )
        found.append(_Raw(key, median, shown, median, len(ids)))
    return found


def _needs_reaching_requirements(session: Session, ids: list[int], end: datetime) -> _Raw:
    """Verified needs with a trace link to a requirement (not as rejected input); "no
    requirements yet" while the projects have none (two queries)."""
    requirements = session.exec(
        select(func.count(col(Requirement.id))).where(
            col(Requirement.project_id).in_(ids), col(Requirement.created_at) < end
        )
    ).one()
    if not requirements:
        return _Raw("needs_reaching_requirements", None, i18n.gettext("No requirements yet"))
    linked = exists().where(
        col(TraceLink.source_type) == TraceSource.need,
        col(TraceLink.source_id) == Need.id,
        col(TraceLink.relation) != TraceRelation.rejected_input,
        col(TraceLink.created_at) < end,
    )
    rows = session.exec(
        select(Need.id, linked).where(
            col(Need.project_id).in_(ids),
            Need.status == NeedStatus.verified,
            col(Need.created_at) < end,
        )
    ).all()
    total = len(rows)
    if not total:
        return _Raw("needs_reaching_requirements", None, i18n.gettext("No verified needs yet"))
    reached = sum(1 for _id, link in rows if link)
    shown = i18n.gettext(
        "%(count)s of %(total)s verified needs (%(percent)s)",
        count=reached,
        total=total,
        percent=_percent(reached / total),
    )
    return _Raw("needs_reaching_requirements", reached / total, shown, reached, total)


def _supplier_answers(session: Session, ids: list[int], start: datetime, end: datetime) -> _Raw:
    """The median days from a supplier's question to its published answer, over the questions
    asked in the period and answered by its end (one query)."""
    rows = session.exec(
        select(Question.asked_at, Question.published_at)
        .join(Organisation, col(Organisation.id) == Question.organisation_id)
        .where(
            col(Question.project_id).in_(ids),
            col(Question.asked_at) >= start,
            col(Question.asked_at) < end,
            Question.status != QuestionStatus.withdrawn,
            Organisation.kind == OrganisationKind.supplier,
        )
    ).all()
    days = [
        (published - asked).total_seconds() / 86_400
        for asked, published in rows
        if published is not None and published < end
    ]
    waiting = len(rows) - len(days)
    if not rows:
        return _Raw("supplier_answer_days", None, i18n.gettext("No questions from suppliers"))
    if not days:
        shown = i18n.gettext("None answered yet (%(waiting)s waiting)", waiting=waiting)
        return _Raw("supplier_answer_days", None, shown)
    median = float(statistics.median(days))
    shown = i18n.gettext(
        "%(value)s days (%(answered)s answered, %(waiting)s waiting)",
        value=_number(median),
        answered=len(days),
        waiting=waiting,
    )
    return _Raw("supplier_answer_days", median, shown, median, len(days))


def _partners(session: Session, ids: list[int]) -> _Raw:
    """Partner municipalities and counties per project, on average (one query)."""
    rows = session.exec(
        select(ProjectPartner.project_id, func.count())
        .join(Organisation, col(Organisation.id) == ProjectPartner.organisation_id)
        .where(
            col(ProjectPartner.project_id).in_(ids),
            col(Organisation.kind).in_(PARTNER_KINDS),
        )
        .group_by(col(ProjectPartner.project_id))
    ).all()
    partners = sum(n for _id, n in rows)
    mean = partners / len(ids)
    shown = i18n.gettext(
        "%(value)s (%(joint)s of %(total)s projects with partners)",
        value=_number(mean),
        joint=len(rows),
        total=len(ids),
    )
    return _Raw("partner_municipalities", mean, shown, mean, len(ids))


# ---- findings and formatting -------------------------------------------------------------------


def _figure(
    raw: _Raw, self_assessed: Mapping[str, float], titles: Mapping[str, str]
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


def _finding(raw: _Raw, level: float | None) -> str | None:
    """The first disagreement that applies to the figure, as a sentence; None when they agree."""
    if level is None or raw.value is None:
        return None
    for rule in DISAGREEMENTS:
        if rule.figure == raw.key and rule.applies(level, raw.value, raw.total):
            return i18n.gettext(
                rule.finding,
                level=_number(level),
                value=_number(raw.value),
                count=_number(raw.count),
                total=raw.total,
            )
    return None


def _number(value: float) -> str:
    """A figure with at most one decimal, with the decimal comma in Norwegian."""
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if i18n.current_language() != "en" else text


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"
