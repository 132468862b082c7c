"""What automation achieved (research question 3): the suggestions the platform made and what
came of them, and how much duplicate posting fell.

Every suggestion shown is a `Suggestion` row with its kind and what the person did with it;
kinds are read as they are stored, so a new kind of suggestion counts without a change here.
Duplicate posting is measured two ways: needs the procurers merged into another after they were
posted (a duplicate that got through), against supports given from a similar-need suggestion
(a duplicate that was never posted).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, func, select
from sqlmodel import Session, col

from app.i18n import N_
from app.models import Need, Suggestion
from app.models.base import NeedStatus
from app.models.suggestion import SuggestionKind, SuggestionOutcome
from app.services.metrics.schemas import Figure
from app.services.metrics.sql import Scope, ratio
from app.services.metrics.suppression import FigureKind, figure

SUGGESTIONS = FigureKind(
    "suggestions_by_kind",
    N_("Suggestions the platform made, and what came of them"),
    3,
    N_(
        "Suggestions shown to people (a suggestion shown again to the same person before they "
        "answer it counts once), how many they accepted and dismissed, by the kind of suggestion."
    ),
    ("kind", "shown", "accepted", "dismissed", "share_accepted"),
)
DUPLICATES = FigureKind(
    "duplicate_posting",
    N_("Duplicate posting: merged after posting against supported from a suggestion"),
    3,
    N_(
        "Needs posted; needs the procurers merged into another need after they were posted; "
        "and supports given to an existing need from a similar-need suggestion instead of "
        "posting a new one, each also per 100 needs posted."
    ),
    ("measure", "count", "per_100_needs"),
)


def _project_ids(rels: Scope) -> list[int]:
    return [rel.project.id for rel in rels if rel.project.id is not None]


def _suggestions(session: Session, rels: Scope) -> list[dict[str, Any]]:
    outcome = col(Suggestion.outcome)
    query = (
        select(
            col(Suggestion.kind),
            func.count(),
            func.count(case((outcome == SuggestionOutcome.accepted, 1))),
            func.count(case((outcome == SuggestionOutcome.dismissed, 1))),
            func.count(sa.distinct(col(Suggestion.user_id))),
        )
        .where(col(Suggestion.project_id).in_(_project_ids(rels)))
        .group_by(col(Suggestion.kind))
        .order_by(col(Suggestion.kind))
    )
    return [
        {
            "kind": str(kind),
            "shown": shown,
            "accepted": accepted,
            "dismissed": dismissed,
            "share_accepted": ratio(accepted, shown),
            "participants": people,
        }
        for kind, shown, accepted, dismissed, people in session.execute(query)
    ]


def _needs(rels: Scope) -> Any:
    """The projects' needs each reader may count: held ones only for their procurers."""
    clauses = []
    for rel in rels:
        clause = col(Need.project_id) == rel.project.id
        if not rel.is_procurer:
            clause = sa.and_(clause, col(Need.held).is_(False))
        clauses.append(clause)
    return sa.or_(*clauses)


def _duplicates(session: Session, rels: Scope) -> list[dict[str, Any]]:
    merged = sa.or_(col(Need.status) == NeedStatus.merged, col(Need.merged_into_id).is_not(None))
    needs = session.execute(
        select(
            func.count(),
            func.count(sa.distinct(col(Need.author_id))),
            func.count(case((merged, 1))),
            func.count(sa.distinct(case((merged, col(Need.author_id))))),
        ).where(_needs(rels))
    ).one()
    supports = session.execute(
        select(func.count(), func.count(sa.distinct(col(Suggestion.user_id)))).where(
            col(Suggestion.project_id).in_(_project_ids(rels)),
            col(Suggestion.kind) == SuggestionKind.similar_need,
            col(Suggestion.outcome) == SuggestionOutcome.accepted,
        )
    ).one()
    posted = needs[0]

    def per_100(count: int) -> float | None:
        share = ratio(count, posted)
        return None if share is None else round(share * 100, 2)

    rows = (
        ("needs_posted", posted, needs[1]),
        ("merged_after_posting", needs[2], needs[3]),
        ("supported_after_suggestion", supports[0], supports[1]),
    )
    return [
        {"measure": m, "count": n, "per_100_needs": per_100(n), "participants": people}
        for m, n, people in rows
    ]


def automation(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """The suggestions by kind, and duplicate posting, over the projects."""
    return [
        figure(SUGGESTIONS, _suggestions(session, rels), aggregate=aggregate),
        figure(DUPLICATES, _duplicates(session, rels), aggregate=aggregate),
    ]
