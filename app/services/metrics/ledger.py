"""The influence ledger in figures (research question 2): whose input reached final
requirements, and where the ledger has gaps (`app/services/influence`).

Each reader counts only the links they may see: the project's procurers every link, everyone
else (researchers too) no confidential link and no input they may not open. The inputs by
group are suppressed under 5 people in the aggregate view; the ledger's totals count
requirements and needs, not people, and every viewer can list the same records on the
influence report's page, so they are shown as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from app.i18n import N_
from app.services.influence.ledger import Ledger, group_rows, is_full, ledger, single_supplier
from app.services.metrics.schemas import Figure
from app.services.metrics.sql import Scope
from app.services.metrics.suppression import FigureKind, figure
from app.services.permissions import ProjectRelation

BY_GROUP = FigureKind(
    "influence_by_group",
    N_("Input that reached final requirements, by the author's role and organisation"),
    2,
    N_(
        "Inputs traced to requirements (needs, proposals, published answers, minutes, hearing "
        "comments), how many reached a final requirement by a link other than rejected input, "
        "and how many final requirements they reached, grouped by the author's role and "
        "organisation kind."
    ),
    ("author_role", "organisation_kind", "inputs", "reached", "requirements"),
)

TOTALS = FigureKind(
    "influence_ledger",
    N_("The influence ledger: requirements and the verified needs behind them"),
    2,
    N_(
        "Final requirements, how many have a verified need behind them (a link other than "
        "rejected input), how many rest on one supplier's proposals alone, and how many "
        "verified needs reached a final requirement."
    ),
    ("measure", "count"),
)
MEASURES = (
    "final_requirements",
    "with_verified_need",
    "without_verified_need",
    "single_supplier",
    "verified_needs",
    "verified_needs_reached",
)


def _totals(books: list[Ledger]) -> list[dict[str, Any]]:
    counts = dict.fromkeys(MEASURES, 0)
    for book in books:
        final = book.final
        shaping = [link for link in book.shaping() if link.requirement_id in final]
        backed = {
            link.requirement_id
            for link in shaping
            if link.source_type == "need" and link.source_status == "verified"
        }
        reached = {link.source_id for link in shaping if link.source_type == "need"}
        counts["final_requirements"] += len(final)
        counts["with_verified_need"] += len(backed)
        counts["without_verified_need"] += len(final - backed)
        counts["single_supplier"] += len(set(single_supplier(book)) & final)
        counts["verified_needs"] += len(book.verified_needs)
        counts["verified_needs_reached"] += len(set(book.verified_needs) & reached)
    return [{"measure": m, "count": counts[m]} for m in MEASURES]


def by_group(ledgers: Sequence[Ledger], *, aggregate: bool) -> Figure:
    """The inputs-by-group figure over the ledgers, suppressed under 5 people if `aggregate`."""
    return figure(BY_GROUP, group_rows(ledgers), aggregate=aggregate)


def outside(rel: ProjectRelation) -> ProjectRelation:
    """Anyone outside the procurers, as one: a dashboard is the same for every such reader.

    The influence page shows a reader what they themselves may open (their company's proposal,
    the minutes of an event they attended); the dashboard counts only what is open to all who
    may read it, so its audience key (procurer or not) decides it.
    """
    return ProjectRelation(user=None, project=rel.project, member_org=False)


def ledger_figures(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Inputs reached by group, and the ledger's totals, over the projects."""
    books = [ledger(session, rel=rel if is_full(rel) else outside(rel)) for rel in rels]
    return [
        by_group(books, aggregate=aggregate),
        figure(TOTALS, _totals(books), aggregate=False),
    ]
