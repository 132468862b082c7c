"""The influence report: whose input reached the specification (issue 13, item 4).

The package, by job: `sources` (the kinds of input a trace link points at, who wrote them and
who may open them: one entry per kind), `report` (the ledger as one reader may count it, and the
report made from it) and `schemas` (the report's shapes).
"""

from app.services.influence.report import (
    BY_GROUP,
    Ledger,
    by_group,
    group_rows,
    is_full,
    ledger,
    report,
    single_supplier,
    suppressed_for,
)
from app.services.influence.schemas import InfluenceReport
from app.services.influence.sources import SOURCES, SourceKind, links_query, visible_links

__all__ = [
    "BY_GROUP",
    "SOURCES",
    "InfluenceReport",
    "Ledger",
    "SourceKind",
    "by_group",
    "group_rows",
    "is_full",
    "ledger",
    "links_query",
    "report",
    "single_supplier",
    "suppressed_for",
    "visible_links",
]
