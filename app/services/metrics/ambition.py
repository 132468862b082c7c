"""Projects' innovation ambitions side by side with their participation profiles (research
question 1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, func, select
from sqlmodel import Session

from app.i18n import N_
from app.models.base import Role
from app.services.metrics.rollup import counted_rows
from app.services.metrics.schemas import Figure
from app.services.metrics.sql import ratio
from app.services.metrics.suppression import FigureKind, figure
from app.services.permissions import ProjectRelation

AMBITION_COLUMNS = [
    "project_id",
    "title",
    "innovation_ambition",
    "phase",
    "participants",
    "contributions",
    "share_employees_citizens",
    "organisations",
]
AMBITION_LABEL = N_("Innovation ambition and participation profile")
AMBITION_METHOD = N_(
    "The project's stated innovation ambition next to its distinct participants, "
    "contributions, the share of contributions by employees and citizens, and the number "
    "of organisations taking part."
)
AMBITION = FigureKind(
    "ambition_profile", AMBITION_LABEL, 1, AMBITION_METHOD, tuple(AMBITION_COLUMNS)
)


def profile(session: Session, rel: ProjectRelation) -> dict[str, Any]:
    """One project's row of the ambition profile."""
    counted = counted_rows(session, [rel])
    staff_or_citizen = counted.c.actor_role.in_((Role.employee, Role.citizen))
    row = session.execute(
        select(
            func.count(sa.distinct(counted.c.actor_id)),
            func.coalesce(func.sum(counted.c.n), 0),
            func.coalesce(func.sum(case((staff_or_citizen, counted.c.n), else_=0)), 0),
            func.count(sa.distinct(counted.c.actor_org_id)),
        )
    ).one()
    participants, contributions, from_people, organisations = row
    project = rel.project
    return {
        "project_id": project.id,
        "title": project.title,
        "innovation_ambition": project.innovation_ambition,
        "phase": project.phase,
        "participants": participants,
        "contributions": int(contributions),
        "share_employees_citizens": ratio(int(from_people), int(contributions)),
        "organisations": organisations,
    }


def ambition(rows: Sequence[dict[str, Any]], *, aggregate: bool) -> Figure:
    """Projects' ambitions side by side with their participation profiles (RQ1)."""
    return figure(AMBITION, rows, aggregate=aggregate)
