"""The counts behind the evidence figures: what the municipality's projects did in a period,
each read in one query (see `app.services.maturity.evidence`)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from app import i18n
from app.models import (
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
from app.models.base import NeedStatus, OrganisationKind, Phase, Role
from app.models.question import QuestionStatus
from app.models.trace import TraceRelation, TraceSource

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
class Raw:
    """A figure before translation: its value, how it reads, and the finding's numbers."""

    key: str
    value: float | None
    shown: str
    count: float = 0
    total: int = 0


def projects_of_period(
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


def market_dialogue(projects: dict[int, bool]) -> Raw:
    ran, total = sum(projects.values()), len(projects)
    shown = i18n.gettext(
        "%(count)s of %(total)s projects (%(percent)s)",
        count=ran,
        total=total,
        percent=percent(ran / total),
    )
    return Raw("market_dialogue_share", ran / total, shown, ran, total)


def participation(session: Session, ids: list[int], start: datetime, end: datetime) -> list[Raw]:
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
            value=number(median),
            highest=max(per_project),
            total=len(ids),
        )
        found.append(Raw(key, median, shown, median, len(ids)))
    return found


def needs_reaching_requirements(session: Session, ids: list[int], end: datetime) -> Raw:
    """Verified needs with a trace link to a requirement (not as rejected input); "no
    requirements yet" while the projects have none (two queries)."""
    requirements = session.exec(
        select(func.count(col(Requirement.id))).where(
            col(Requirement.project_id).in_(ids), col(Requirement.created_at) < end
        )
    ).one()
    if not requirements:
        return Raw("needs_reaching_requirements", None, i18n.gettext("No requirements yet"))
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
        return Raw("needs_reaching_requirements", None, i18n.gettext("No verified needs yet"))
    reached = sum(1 for _id, link in rows if link)
    shown = i18n.gettext(
        "%(count)s of %(total)s verified needs (%(percent)s)",
        count=reached,
        total=total,
        percent=percent(reached / total),
    )
    return Raw("needs_reaching_requirements", reached / total, shown, reached, total)


def supplier_answers(session: Session, ids: list[int], start: datetime, end: datetime) -> Raw:
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
        return Raw("supplier_answer_days", None, i18n.gettext("No questions from suppliers"))
    if not days:
        shown = i18n.gettext("None answered yet (%(waiting)s waiting)", waiting=waiting)
        return Raw("supplier_answer_days", None, shown)
    median = float(statistics.median(days))
    shown = i18n.gettext(
        "%(value)s days (%(answered)s answered, %(waiting)s waiting)",
        value=number(median),
        answered=len(days),
        waiting=waiting,
    )
    return Raw("supplier_answer_days", median, shown, median, len(days))


def partners(session: Session, ids: list[int]) -> Raw:
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
        value=number(mean),
        joint=len(rows),
        total=len(ids),
    )
    return Raw("partner_municipalities", mean, shown, mean, len(ids))


# ---- findings and formatting -------------------------------------------------------------------


def number(value: float) -> str:
    """A figure with at most one decimal, with the decimal comma in Norwegian."""
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if i18n.current_language() != "en" else text


def percent(share: float) -> str:
    return f"{round(share * 100)} %"
