"""What every figure family shares: the contributions a reader may count, and SQL arithmetic
that reads alike on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel import Session, col

from app.models import ParticipationEvent, ProjectPartner
from app.models.base import OrganisationKind
from app.models.vocabulary import NOT_CONTRIBUTIONS
from app.services import permissions
from app.services.permissions import ProjectRelation

PUBLIC_BODIES = (OrganisationKind.municipality, OrganisationKind.county)
NO_ORGANISATION = "none"
# The verbs no figure counts, in a stable order (the same SQL every time).
NOT_COUNTED = sorted(NOT_CONTRIBUTIONS)

PE = ParticipationEvent
# The projects a set of figures covers, each with the reader's relation to it.
Scope = Sequence[ProjectRelation]


def dialect(session: Session) -> str:
    """The database's dialect name (`sqlite` or `postgresql`)."""
    return session.get_bind().dialect.name


def hours(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    """Hours between two timestamps, in SQL."""
    if dialect(session) == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def week_start(session: Session, moment: Any) -> ColumnElement[Any]:
    """The Monday (UTC) of the ISO week a timestamp falls in, in SQL."""
    if dialect(session) == "postgresql":
        return sa.cast(func.date_trunc("week", func.timezone("UTC", moment)), sa.Date)
    return func.date(moment, "weekday 0", "-6 days")


def day(session: Session, moment: Any) -> ColumnElement[Any]:
    """The UTC date of a timestamp, in SQL."""
    if dialect(session) == "postgresql":
        return sa.cast(func.timezone("UTC", moment), sa.Date)
    return func.date(moment)


def iso_week(monday: Any) -> str:
    """The ISO week (`2025-W02`) of a Monday, given as a date or an ISO string."""
    found = monday if isinstance(monday, date) else date.fromisoformat(str(monday)[:10])
    year, week, _ = found.isocalendar()
    return f"{year}-W{week:02d}"


def events(rel: ProjectRelation) -> ColumnElement[bool]:
    """This project's contributions that this reader may see."""
    return and_(
        col(PE.project_id) == rel.project.id,
        col(PE.verb).not_in(NOT_COUNTED),
        permissions.visible_participation_clause(rel),
    )


def by_project_staff(rel: ProjectRelation) -> ColumnElement[bool]:
    """Events in the project by someone of its owner or a partner organisation."""
    partners = select(col(ProjectPartner.organisation_id)).where(
        col(ProjectPartner.project_id) == rel.project.id
    )
    return and_(
        col(PE.project_id) == rel.project.id,
        or_(col(PE.actor_org_id) == rel.project.owner_org_id, col(PE.actor_org_id).in_(partners)),
    )


def ratio(part: float | None, whole: float | None) -> float | None:
    """`part / whole` to four decimals; None without a whole."""
    if not whole or part is None:
        return None
    return round(part / whole, 4)


def rounded(value: float | None) -> float | None:
    """A value to two decimals (None stays None)."""
    return None if value is None else round(float(value), 2)
