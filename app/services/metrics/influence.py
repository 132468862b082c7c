"""Whether needs reach verified, and how soon the procurers respond to a need (research
question 2)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session, col

from app.i18n import N_
from app.models import Comment
from app.models.base import Role
from app.models.vocabulary import ObjectType, Verb
from app.services.metrics.schemas import Figure
from app.services.metrics.sql import PE, Scope, by_project_staff, events, hours, ratio, rounded
from app.services.metrics.suppression import FigureKind, figure

VERIFIED = FigureKind(
    "needs_verified_by_author_role",
    N_("Needs that reached verified, by the author's role"),
    2,
    N_(
        "Needs posted, and how many of them the procurers ever marked verified, "
        "grouped by the author's role when posting."
    ),
    ("author_role", "needs", "verified", "share_verified"),
)
FIRST_RESPONSE = FigureKind(
    "first_response_hours",
    N_("Hours to the procurers' first response to a need"),
    2,
    N_(
        "Median hours from a need being posted to the first comment, reply under it or "
        "status decision by a procurer of the project, over needs that got one."
    ),
    ("author_role", "needs", "responded", "median_hours"),
)
# A procurer's response to a need: a decision on it, or a comment or reply under it.
DECISIONS = (Verb.verified_need, Verb.changed_need_status)
COMMENTS = (Verb.commented, Verb.replied)


def median_by_group(session: Session, values: Any) -> dict[Any, tuple[float | None, int]]:
    """The median and count of `values` (a subquery with columns `grp` and `v`) per group, in SQL.

    The middle row (or the mean of the two middle rows) by window functions, in one pass.
    """
    ranked = select(
        values.c.grp,
        values.c.v,
        func.row_number().over(partition_by=values.c.grp, order_by=values.c.v).label("rn"),
        func.count().over(partition_by=values.c.grp).label("n"),
    ).subquery()
    middle = or_(
        ranked.c.rn == (ranked.c.n + 1) // 2,
        ranked.c.rn == (ranked.c.n + 2) // 2,
    )
    query = (
        select(ranked.c.grp, func.avg(ranked.c.v), func.max(ranked.c.n))
        .where(middle)
        .group_by(ranked.c.grp)
    )
    return {grp: (rounded(v), n) for grp, v, n in session.execute(query)}


def _posted(rels: Scope) -> Any:
    """The needs posted in the projects, with the author's role and the moment."""
    return (
        select(
            # "+ 0": joined by need, the posted needs are read by the verb index, not looked
            # up one by one through the object index.
            (col(PE.object_id) + 0).label("need_id"),
            col(PE.actor_role).label("author_role"),
            col(PE.actor_id).label("author_id"),
            col(PE.occurred_at).label("posted_at"),
        )
        .where(or_(*(events(rel) for rel in rels)), col(PE.verb) == Verb.posted_need)
        .subquery()
    )


def _shares(session: Session, rels: Scope, posted: Any) -> list[dict[str, Any]]:
    """Needs posted and verified per author role."""
    verified = select(col(PE.object_id)).where(
        col(PE.project_id).in_([rel.project.id for rel in rels]),
        col(PE.verb) == Verb.verified_need,
        col(PE.object_type) == ObjectType.need,
    )
    rows = session.execute(
        select(
            posted.c.author_role,
            func.count().label("needs"),
            func.count(case((posted.c.need_id.in_(verified), 1))).label("verified"),
            func.count(sa.distinct(posted.c.author_id)).label("participants"),
        )
        .group_by(posted.c.author_role)
        .order_by(posted.c.author_role)
    )
    return [
        {
            "author_role": r.author_role,
            "needs": r.needs,
            "verified": r.verified,
            "share_verified": ratio(r.verified, r.needs),
            "participants": r.participants,
        }
        for r in rows
    ]


def _first_responses(rels: Scope) -> Any:
    """The procurers' first response per need, from two indexed lookups: status decisions on
    the need, and comments under it (joined through the comment to its need).

    A procurer of the owner or a partner organisation comments on the need (or replies under
    it) or decides its status.
    """
    procurer = and_(col(PE.actor_role) == Role.procurer, or_(*map(by_project_staff, rels)))
    decisions: Any = (
        select(col(PE.object_id).label("need_id"), func.min(PE.occurred_at).label("first_at"))
        .where(
            procurer,
            # Decisions are always on a need (no filter on the object type: the verb's index
            # finds them among few rows, the object's among every need event).
            col(PE.verb).in_(DECISIONS),
        )
        .group_by(col(PE.object_id))
    )
    comments: Any = (
        select(col(Comment.need_id).label("need_id"), func.min(PE.occurred_at).label("first_at"))
        .join(Comment, col(Comment.id) == PE.object_id)
        .where(
            procurer,
            col(PE.verb).in_(COMMENTS),  # always on a comment
        )
        .group_by(col(Comment.need_id))
    )
    both = sa.union_all(decisions, comments).subquery()
    return (
        select(both.c.need_id, func.min(both.c.first_at).label("first_at"))
        .group_by(both.c.need_id)
        .subquery()
    )


def _response_hours(session: Session, rels: Scope, posted: Any) -> dict[Any, Any]:
    """The median hours to the first response, and how many needs got one, per author role."""
    first = _first_responses(rels)
    responded = (
        select(
            posted.c.author_role.label("grp"),
            posted.c.posted_at,
            first.c.first_at,
        )
        .join(first, first.c.need_id == posted.c.need_id)
        .where(first.c.first_at >= posted.c.posted_at)
        .subquery()
    )
    values = (
        select(
            responded.c.grp,
            hours(session, responded.c.posted_at, responded.c.first_at).label("v"),
        )
        .where(responded.c.first_at.is_not(None))
        .subquery()
    )
    return median_by_group(session, values)


def influence(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Whether needs reach verified, and how soon the procurers respond to a need."""
    posted = _posted(rels)
    shares = _shares(session, rels, posted)
    medians = _response_hours(session, rels, posted)
    response_rows = [
        {
            "author_role": r["author_role"],
            "needs": r["needs"],
            "responded": medians.get(r["author_role"], (None, 0))[1],
            "median_hours": medians.get(r["author_role"], (None, 0))[0],
            "participants": r["participants"],
        }
        for r in shares
    ]
    return [
        figure(VERIFIED, shares, aggregate=aggregate),
        figure(FIRST_RESPONSE, response_rows, aggregate=aggregate),
    ]
