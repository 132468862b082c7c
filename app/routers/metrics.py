"""Participation metrics for the research questions: the API, and dashboards for a project
(updated live) and for a municipality or county."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from app import i18n
from app.db import SessionDep
from app.i18n import N_
from app.i18n import gettext as _
from app.models.base import Id, OrganisationKind, Phase, Role, id_of
from app.models.vocabulary import label_for
from app.services import metrics, participation, permissions, projects
from app.services.errors import Forbidden
from app.services.metrics import Figure, MetricsOverview, OrganisationMetrics, ProjectMetrics
from app.services.permissions import ProjectRelation
from app.services.render_cache import fragments
from app.web import (
    CommittingRoute,
    CsrfProtected,
    CurrentUser,
    render,
    render_fragment,
)

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


NO_ORGANISATION = N_("No organisation")  # the group of people without an organisation
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
        return label_for(Role, text)
    if column == "organisation_kind" or column in ("actor", "addressee"):
        return _(NO_ORGANISATION) if text == "none" else label_for(OrganisationKind, text)
    if column == "phase":
        return label_for(Phase, text)
    if column == "exchange":
        return _(EXCHANGE_LABELS.get(text, text))
    return text


def _column_label(key: str) -> str:
    return _(COLUMN_LABELS[key]) if key in COLUMN_LABELS else key


HEAT_SHADES = 5  # the heatmap's shades, `heat-0` (none) to `heat-4` (the most), in pivotal.css


@dataclass(frozen=True)
class HeatCell:
    text: str
    shade: int


@dataclass(frozen=True)
class Heatmap:
    """A who-responds-to-whom figure as a grid: actors down, addressees across."""

    figure: Figure
    actors: list[str]
    addressees: list[str]
    cells: list[list[HeatCell]]


def heatmap(figure: Figure) -> Heatmap:
    """Lay the figure's (actor, addressee, exchanges) rows out as a shaded grid.

    Any exchange gets at least the lightest shade; the busiest cell the darkest. A suppressed
    cell shows a dash on no shade, so the colour cannot tell what the figure hides.
    """
    actors = sorted({str(r["actor"]) for r in figure.rows})
    addressees = sorted({str(r["addressee"]) for r in figure.rows})
    values = {(str(r["actor"]), str(r["addressee"])): r["exchanges"] for r in figure.rows}
    peak = max((v for v in values.values() if v), default=0)
    top = HEAT_SHADES - 1

    def shaded(key: tuple[str, str]) -> HeatCell:
        value = values.get(key, 0)
        if value is None:
            return HeatCell("–", 0)
        shade = max(1, -(-value * top // peak)) if value else 0
        return HeatCell(str(value), shade)

    return Heatmap(
        figure=figure,
        actors=actors,
        addressees=addressees,
        cells=[[shaded((a, b)) for b in addressees] for a in actors],
    )


def dashboard_context(figures: list[Figure]) -> dict[str, Any]:
    """What the dashboard's charts and tables need from the figures."""
    by_key = {f.key: f for f in figures}
    weeks = by_key["participation_by_week"].rows if "participation_by_week" in by_key else []
    return {
        "figures": figures,
        "weeks": weeks,
        "peak": max((r["contributions"] or 0 for r in weeks), default=0),
        "heatmaps": [
            heatmap(by_key[k])
            for k in ("interaction_by_role", "interaction_by_organisation_kind")
            if k in by_key
        ],
        "verified": by_key.get("needs_verified_by_author_role"),
        "column_label": _column_label,
        "cell": _cell,
    }


def body_html(figures: list[Figure], as_of: datetime | None, lang: str, *, oob: bool) -> str:
    """The dashboard's charts and tables: on the page, and pushed live when figures change.

    Dated by the latest contribution counted, so the same figures always render the same.
    """
    return render_fragment(
        "metrics/_body.html", lang, oob=oob, as_of=as_of, **dashboard_context(figures)
    )


@dataclass(frozen=True)
class MetricsAudience:
    """Viewers of a project's dashboard who get the very same figures (see `metrics.view_of`).

    Which proposals the reader sees decides what the figures count, so it is part of the
    identity (`permissions.proposals_seen_as`); the representative is re-checked at render time.
    """

    project_id: int
    view: str
    proposals: tuple[bool, int | None]
    lang: str
    representative_id: int | None = field(default=None, compare=False, hash=False)


def metrics_audience(rel: ProjectRelation, lang: str) -> MetricsAudience:
    """The dashboard audience of this reader (403 for staff who may not read the metrics)."""
    return MetricsAudience(
        project_id=id_of(rel.project),
        view=metrics.view_of(rel),
        proposals=permissions.proposals_seen_as(rel),
        lang=lang,
        representative_id=rel.user.id if rel.user else None,
    )


def metrics_audience_or_none(rel: ProjectRelation, lang: str) -> MetricsAudience | None:
    """The reader's dashboard audience now; None if they may no longer read the metrics."""
    try:
        return metrics_audience(rel, lang)
    except Forbidden:
        return None


def project_body_html(session: Session, rel: ProjectRelation, lang: str, *, oob: bool) -> str:
    """The project's dashboard body for this reader, built once per audience and version."""
    audience = metrics_audience(rel, lang)

    def build() -> str:
        result = metrics.for_project(session, rel)
        return body_html(result.figures, result.as_of, lang, oob=oob)

    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(("metrics", audience, oob), version, build)


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


@api.get("/organisations/{organisation_id}/metrics")
def organisation_metrics(
    session: SessionDep, user: CurrentUser, organisation_id: Id
) -> OrganisationMetrics:
    """A municipality's or county's figures over its projects (owned or as a partner) together.

    Only the projects the caller may see count; the view is full only if the caller reads the
    participation of every one of them, else aggregate.
    """
    return metrics.for_organisation(session, user=user, organisation_id=organisation_id)


@pages.get("/projects/{project_id}/metrics")
def metrics_page(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """The project's dashboard: charts and tables, updated live as contributions arrive."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    lang = i18n.current_language()
    context = {
        "project": rel.project,
        "view": metrics.view_of(rel),
        "body": Markup(project_body_html(session, rel, lang, oob=False)),
    }
    return render(request, "metrics/project.html", context)


@pages.get("/organisations/{organisation_id}/metrics")
def organisation_page(
    request: Request, session: SessionDep, user: CurrentUser, organisation_id: Id
) -> Response:
    """A municipality's dashboard: its projects' figures together, and their ambitions."""
    result = metrics.for_organisation(session, user=user, organisation_id=organisation_id)
    body = body_html(result.figures, result.as_of, i18n.current_language(), oob=False)
    context = {"metrics": result, "body": Markup(body)}
    return render(request, "metrics/organisation.html", context)
