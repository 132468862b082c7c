"""Who responds to whom, and how many exchanges cross organisations (research question 2)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, func, literal, or_, select, true
from sqlmodel import Session

from app.i18n import N_
from app.models.base import OrganisationKind, Role
from app.services.metrics.rollup import counted_rows
from app.services.metrics.schemas import Figure
from app.services.metrics.sql import NO_ORGANISATION, PUBLIC_BODIES, Scope
from app.services.metrics.suppression import FigureKind, figure

BY_ROLE = FigureKind(
    "interaction_by_role",
    N_("Who responds to whom, by role"),
    2,
    N_(
        "Contributions addressed to another person (comments, replies, supports, "
        "decisions, questions, answers), counted by the actor's and addressee's role."
    ),
    ("actor", "addressee", "exchanges", "participants"),
)
BY_ORGANISATION_KIND = FigureKind(
    "interaction_by_organisation_kind",
    N_("Who responds to whom, by organisation kind"),
    2,
    N_(
        "The same exchanges counted by the kind of the actor's and the addressee's "
        "organisation (“none” for people without one)."
    ),
    ("actor", "addressee", "exchanges", "participants"),
)
ACROSS_ORGANISATIONS = FigureKind(
    "exchanges_across_organisations",
    N_("Exchanges that cross organisations"),
    2,
    N_(
        "Exchanges between two different municipalities or counties, between a "
        "supplier and someone outside it, with a citizen on one side, between any two "
        "organisations, and in all; participants are the distinct actors."
    ),
    ("exchange", "exchanges", "participants"),
)


def _exchanges(session: Session, rels: Scope) -> Any:
    """The exchanges as one row per actor and addressee group (a CTE the database
    materialises once)."""
    none = NO_ORGANISATION
    counted = counted_rows(session, rels)
    keys = {
        "actor_id": counted.c.actor_id,
        "role": counted.c.actor_role,
        "addressee_role": func.coalesce(counted.c.addressee_role, none),
        "kind": func.coalesce(counted.c.actor_org_kind, none),
        "addressee_kind": func.coalesce(counted.c.addressee_org_kind, none),
        "org": counted.c.actor_org_id,
        "addressee_org": counted.c.addressee_org_id,
    }
    return (
        select(
            *(value.label(name) for name, value in keys.items()), func.sum(counted.c.n).label("n")
        )
        .where(counted.c.answers_other.is_(True))
        .group_by(*keys.values())
        .cte("exchanges")
    )


def _crossings(base: Any) -> dict[str, ColumnElement[bool]]:
    """The kinds of exchange that cross a line, each as a condition on an exchange row."""
    public_body = list(PUBLIC_BODIES)
    crossing = and_(
        base.c.org.is_not(None),
        base.c.addressee_org.is_not(None),
        base.c.org != base.c.addressee_org,
    )
    supplier = OrganisationKind.supplier
    return {
        "between_municipalities": and_(
            crossing, base.c.kind.in_(public_body), base.c.addressee_kind.in_(public_body)
        ),
        "with_suppliers": and_(
            crossing,
            or_(base.c.kind == supplier, base.c.addressee_kind == supplier),
            or_(base.c.kind != supplier, base.c.addressee_kind != supplier),
        ),
        "with_citizens": and_(
            or_(base.c.role == Role.citizen, base.c.addressee_role == Role.citizen),
            or_(base.c.role != Role.citizen, base.c.addressee_role != Role.citizen),
        ),
        "across_organisations": crossing,
        "all": true(),
    }


def interaction(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Who responds to whom, and how many exchanges cross organisations: one scan.

    The exchanges are first reduced to one row per actor and addressee group; the matrices and
    crossing counts come from those rows.
    """
    base = _exchanges(session, rels)
    kinds = _crossings(base)

    def part(name: str, actor: Any, addressee: Any, *where: Any, grouped: bool = True) -> Any:
        query = select(
            literal(name).label("dimension"),
            sa.cast(actor, sa.String).label("actor"),
            sa.cast(addressee, sa.String).label("addressee"),
            func.coalesce(func.sum(base.c.n), 0).label("exchanges"),
            func.count(sa.distinct(base.c.actor_id)).label("participants"),
        ).where(*where)
        return query.group_by(actor, addressee) if grouped else query

    query = sa.union_all(
        part("role", base.c.role, base.c.addressee_role),
        part("kind", base.c.kind, base.c.addressee_kind),
        *(part(name, literal(name), literal(""), kinds[name], grouped=False) for name in kinds),
    )
    matrices: dict[str, list[dict[str, Any]]] = {"role": [], "kind": []}
    crossed: dict[str, tuple[int, int]] = {}
    for row in session.execute(query):
        if row.dimension in matrices:
            matrices[row.dimension].append(
                {
                    "actor": row.actor,
                    "addressee": row.addressee,
                    "exchanges": int(row.exchanges),
                    "participants": row.participants,
                }
            )
        else:
            crossed[row.dimension] = (int(row.exchanges), row.participants)
    for rows in matrices.values():
        rows.sort(key=lambda r: (r["actor"], r["addressee"]))
    cross_rows = [
        {
            "exchange": name,
            "exchanges": crossed.get(name, (0, 0))[0],
            "participants": crossed.get(name, (0, 0))[1],
        }
        for name in kinds
    ]
    return [
        figure(BY_ROLE, matrices["role"], aggregate=aggregate),
        figure(BY_ORGANISATION_KIND, matrices["kind"], aggregate=aggregate),
        figure(ACROSS_ORGANISATIONS, cross_rows, aggregate=aggregate),
    ]
