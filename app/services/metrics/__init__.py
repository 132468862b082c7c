"""Participation metrics for the research questions, computed in SQL from the log and records.

Every figure is a small table (`columns`, `rows`) that says which research question it serves
(DESIGN.md §1) and, in one sentence, how it is computed. Readers of the participation log
(the project's procurers, researchers, admins) get the full view; anyone else who may view a
public project gets the aggregate view: no breakdown by individual organisation other than
public bodies, and every cell that counts fewer than `MIN_CELL` people suppressed (None).
Non-procurers never get figures that count unpublished proposals or questions, bookings or a
supplier company by name: every query over the log goes through
`permissions.visible_participation_clause` and dates events by `permissions.participation_moment`
(a question's asking counts from its publication), and the figure by organisation names only
public bodies for them (the table in `permissions`).

Participation and interaction read `participation_rollup` (counts per day, phase, actor and
addressee group), which a keeper in each process brings up to date from the log every so often
(`keep_rollups`), so reading never writes; what lies beyond the watermark, and every event about
a proposal, question or booking, is counted live for the reader.

The package, by job: `rollup` (the keeper and the counted rows), one module per figure family
(`participation`, `interaction`, `influence`, `ledger` (the trace links, from
`app/services/influence`), `dialogue_quality`, `automation` (suggestions), `ambition`),
`suppression` (disclosure control), `schemas` (the API's shapes), `sql` (what the families
share) and `dashboards` (the figures as a reader may see them).
"""

from app.services.metrics.ambition import (
    AMBITION_COLUMNS,
    AMBITION_LABEL,
    AMBITION_METHOD,
    ambition,
)
from app.services.metrics.dashboards import (
    DashboardScope,
    across_projects,
    across_projects_as_of,
    figures,
    for_organisation,
    for_organisation_as_of,
    for_project,
    latest_counted,
    organisation_scope,
    overview_scope,
    view_of,
)
from app.services.metrics.dialogue_quality import dialogue
from app.services.metrics.influence import influence, median_by_group
from app.services.metrics.interaction import interaction
from app.services.metrics.participation import participation
from app.services.metrics.rollup import (
    LIVE_OBJECT_TYPES,
    ROLLUP_GROUP,
    ROLLUP_SETTLE,
    keep_rollups,
    refresh_rollup,
    refresh_rollups,
)
from app.services.metrics.schemas import (
    Figure,
    MetricsOverview,
    OrganisationMetrics,
    ProjectMetrics,
    ProjectRef,
)
from app.services.metrics.sql import NO_ORGANISATION, PUBLIC_BODIES, Scope
from app.services.metrics.suppression import MIN_CELL, FigureKind

__all__ = [
    "AMBITION_COLUMNS",
    "AMBITION_LABEL",
    "AMBITION_METHOD",
    "LIVE_OBJECT_TYPES",
    "MIN_CELL",
    "NO_ORGANISATION",
    "PUBLIC_BODIES",
    "ROLLUP_GROUP",
    "ROLLUP_SETTLE",
    "DashboardScope",
    "Figure",
    "FigureKind",
    "MetricsOverview",
    "OrganisationMetrics",
    "ProjectMetrics",
    "ProjectRef",
    "Scope",
    "across_projects",
    "across_projects_as_of",
    "ambition",
    "dialogue",
    "figures",
    "for_organisation",
    "for_organisation_as_of",
    "for_project",
    "influence",
    "interaction",
    "keep_rollups",
    "latest_counted",
    "median_by_group",
    "organisation_scope",
    "overview_scope",
    "participation",
    "refresh_rollup",
    "refresh_rollups",
    "view_of",
]
