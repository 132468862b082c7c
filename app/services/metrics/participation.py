"""Who takes part, and how much: participants and contributions by role, organisation kind,
organisation, phase and week (research questions 1 and 2)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, literal, select, true
from sqlmodel import Session, col

from app.i18n import N_
from app.models import Organisation
from app.services import permissions
from app.services.metrics.rollup import counted_rows
from app.services.metrics.schemas import Figure
from app.services.metrics.sql import NO_ORGANISATION, PUBLIC_BODIES, Scope, iso_week, week_start
from app.services.metrics.suppression import FigureKind, figure

BY_ROLE = FigureKind(
    "participation_by_role",
    N_("Participation by role"),
    2,
    N_(
        "Distinct actors and their contributions (log events other than withdrawals, "
        "cancellations and moderation), grouped by the actor's role when they acted."
    ),
    ("role", "participants", "contributions"),
)
BY_ORGANISATION_KIND = FigureKind(
    "participation_by_organisation_kind",
    N_("Participation by organisation kind"),
    2,
    N_(
        "Distinct actors and their contributions grouped by the kind of the actor's "
        "organisation; “none” is people without one (citizens)."
    ),
    ("organisation_kind", "participants", "contributions"),
)
BY_ORGANISATION = FigureKind(
    "participation_by_organisation",
    N_("Participation by organisation"),
    2,
    N_(
        "Distinct actors and their contributions grouped by the actor's organisation "
        "(for others than the project's procurers only municipalities and counties)."
    ),
    ("organisation_id", "organisation", "organisation_kind", "participants", "contributions"),
)
BY_PHASE = FigureKind(
    "participation_by_phase",
    N_("Participation by phase"),
    1,
    N_("Distinct actors and their contributions grouped by the project's phase then."),
    ("phase", "participants", "contributions"),
)
BY_WEEK = FigureKind(
    "participation_by_week",
    N_("Participation per week"),
    2,
    N_("Distinct actors and their contributions per ISO week (UTC) of the event."),
    ("week", "participants", "contributions"),
)


def _participation_groups(
    session: Session, rels: Scope, *, aggregate: bool
) -> dict[str, list[Any]]:
    """Participants and contributions by role, kind, organisation, phase and week: one scan.

    The events are first reduced to one row per actor, role, organisation, phase and week (a
    CTE used five times, so the database materialises it once); the five breakdowns are then
    grouped from those few rows in the same statement.
    """
    counted = counted_rows(session, rels)
    kind = func.coalesce(counted.c.actor_org_kind, NO_ORGANISATION)
    monday = week_start(session, counted.c.day)
    keys = [
        counted.c.actor_id,
        counted.c.actor_role,
        kind,
        counted.c.actor_org_id,
        counted.c.phase,
        monday,
    ]
    base = (
        select(
            counted.c.actor_id.label("actor_id"),
            counted.c.actor_role.label("role"),
            kind.label("kind"),
            counted.c.actor_org_id.label("org"),
            counted.c.phase.label("phase"),
            monday.label("monday"),
            func.sum(counted.c.n).label("n"),
        )
        .group_by(*keys)
        .cte("base")
    )

    def by(name: str, value: Any, *where: Any) -> Any:
        return (
            select(
                literal(name).label("dimension"),
                sa.cast(value, sa.String).label("value"),
                func.count(sa.distinct(base.c.actor_id)).label("participants"),
                func.sum(base.c.n).label("contributions"),
            )
            .where(*where)
            .group_by(value)
        )

    # Only the project's procurers see supplier companies (the table in `permissions`).
    named = not aggregate and all(map(permissions.sees_whole_participation, rels))
    public_only = true() if named else base.c.kind.in_(PUBLIC_BODIES)
    query = sa.union_all(
        by("role", base.c.role),
        by("kind", base.c.kind),
        by("org", base.c.org, base.c.org.is_not(None), public_only),
        by("phase", base.c.phase),
        by("week", base.c.monday),
    )
    groups: dict[str, list[Any]] = {"role": [], "kind": [], "org": [], "phase": [], "week": []}
    for row in session.execute(query):
        groups[row.dimension].append(row)
    for name, rows in groups.items():
        if name == "week":
            rows.sort(key=lambda r: str(r.value))
        elif name == "org":
            rows.sort(key=lambda r: (-r.contributions, int(r.value)))
        else:
            rows.sort(key=lambda r: (-r.contributions, r.value))
    return groups


def participation(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Who takes part, how much: by role, organisation kind, organisation, phase and week."""
    groups = _participation_groups(session, rels, aggregate=aggregate)

    def counted(name: str, row: Any) -> dict[str, Any]:
        value = iso_week(row.value) if name == "week" else row.value
        return {
            name: value,
            "participants": row.participants,
            "contributions": int(row.contributions),
        }

    return [
        figure(BY_ROLE, [counted("role", r) for r in groups["role"]], aggregate=aggregate),
        figure(
            BY_ORGANISATION_KIND,
            [counted("organisation_kind", r) for r in groups["kind"]],
            aggregate=aggregate,
        ),
        figure(BY_ORGANISATION, _by_organisation(session, groups["org"]), aggregate=aggregate),
        figure(BY_PHASE, [counted("phase", r) for r in groups["phase"]], aggregate=aggregate),
        figure(BY_WEEK, [counted("week", r) for r in groups["week"]], aggregate=aggregate),
    ]


def _by_organisation(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
    """The rows by organisation, each with the organisation's name and kind."""
    org_ids = [int(r.value) for r in rows]
    orgs = {
        o.id: o
        for o in session.scalars(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    return [
        {
            "organisation_id": int(r.value),
            "organisation": orgs[int(r.value)].name,
            "organisation_kind": orgs[int(r.value)].kind,
            "participants": r.participants,
            "contributions": int(r.contributions),
        }
        for r in rows
    ]
