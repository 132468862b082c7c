"""Participation metrics for the research questions: the API and a dashboard page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.i18n import N_
from app.i18n import gettext as _
from app.models.base import PHASE_LABELS, Id
from app.services import metrics, projects
from app.services.metrics import Figure, MetricsOverview, ProjectMetrics
from app.web import ROLE_LABELS, CommittingRoute, CsrfProtected, CurrentUser, render

pages = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
api = APIRouter(route_class=CommittingRoute, tags=["metrics"])


COLUMN_LABELS = {
    "role": N_("Role"),
    "organisation_kind": N_("Organisation kind"),
    "organisation_id": N_("Organisation id"),
    "organisation": N_("Organisation"),
    "phase": N_("Phase"),
    "week": N_("Week"),
    "participants": N_("Participants"),
    "contributions": N_("Contributions"),
    "actor": N_("Who responds"),
    "addressee": N_("To whom"),
    "exchanges": N_("Exchanges"),
    "exchange": N_("Exchange"),
    "author_role": N_("Author's role"),
    "needs": N_("Needs"),
    "verified": N_("Verified"),
    "share_verified": N_("Share verified"),
    "responded": N_("Got a response"),
    "median_hours": N_("Median hours"),
    "comments": N_("Comments"),
    "replies": N_("Replies"),
    "replies_per_comment": N_("Replies per comment"),
    "share_replied": N_("Share with a reply"),
    "max_depth": N_("Deepest thread"),
    "mean_depth": N_("Mean thread depth"),
    "asked": N_("Asked"),
    "published": N_("Answered and published"),
    "project_id": N_("Project id"),
    "title": N_("Title"),
    "innovation_ambition": N_("Innovation ambition"),
    "share_employees_citizens": N_("Share by employees and citizens"),
    "organisations": N_("Organisations"),
}


KIND_LABELS = {
    "municipality": N_("Municipality"),
    "county": N_("County"),
    "supplier": N_("Supplier company"),
    "research": N_("Research institution"),
    "none": N_("No organisation"),
}
EXCHANGE_LABELS = {
    "between_municipalities": N_("Between municipalities and counties"),
    "with_suppliers": N_("With suppliers"),
    "with_citizens": N_("With citizens"),
    "across_organisations": N_("Across organisations"),
    "all": N_("All exchanges"),
}
# Which labels a figure's group column takes its values' names from.
ROLE_COLUMNS = frozenset({"role", "author_role"})


def _cell(figure: Figure, column: str, value: object) -> str:
    """A value as a person reads it: named groups translated, a dash where suppressed."""
    if value is None:
        return "–"
    text = str(value)
    if column in ROLE_COLUMNS or (
        column in ("actor", "addressee") and figure.key == "interaction_by_role"
    ):
        return _(ROLE_LABELS.get(text, text))
    if column == "organisation_kind" or column in ("actor", "addressee"):
        return _(KIND_LABELS.get(text, text))
    if column == "phase":
        return _(PHASE_LABELS.get(text, text))
    if column == "exchange":
        return _(EXCHANGE_LABELS.get(text, text))
    return text


def _column_label(key: str) -> str:
    return _(COLUMN_LABELS[key]) if key in COLUMN_LABELS else key


@api.get("/projects/{project_id}/metrics")
def project_metrics(session: SessionDep, user: CurrentUser, project_id: Id) -> ProjectMetrics:
    """The project's participation metrics, each saying its research question and method.

    The project's procurers, researchers and admins get the full view; anyone else who may see
    a public project gets the aggregate view (only public bodies by organisation, and every
    cell counting fewer than 5 people suppressed as null).
    """
    rel = projects.get_project(session, user=user, project_id=project_id)
    return metrics.for_project(session, rel)


@api.get("/metrics")
def all_metrics(session: SessionDep, user: CurrentUser) -> MetricsOverview:
    """Metrics of every project the caller may see (full or aggregate view), and totals."""
    return metrics.across_projects(session, user=user)


@pages.get("/projects/{project_id}/metrics")
def metrics_page(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """The project's metrics as tables, with participation per week as a bar chart."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    result = metrics.for_project(session, rel)
    weeks = next(f for f in result.figures if f.key == "participation_by_week")
    peak = max((r["contributions"] or 0 for r in weeks.rows), default=0)
    context = {
        "project": rel.project,
        "metrics": result,
        "weeks": weeks.rows,
        "peak": peak,
        "column_label": _column_label,
        "cell": _cell,
    }
    return render(request, "metrics/project.html", context)
