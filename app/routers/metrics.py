"""Participation metrics for the research questions: the API, and dashboards for a project
(updated live) and for a municipality or county."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from app import i18n
from app.db import SessionDep
from app.models.base import Id
from app.services import metrics, project_tabs, projects
from app.services.audit import CSV_MEDIA_TYPE
from app.services.errors import NotFound
from app.services.metrics import Figure, MetricsOverview, OrganisationMetrics, ProjectMetrics
from app.services.metrics.questions import research_question
from app.services.permissions import ProjectRelation
from app.services.project_tabs import Section
from app.views.metrics import (
    figure_csv,
    organisation_body_html,
    platform_body_html,
    project_body_html,
)
from app.web import (
    NOTHING_OWN,
    CsrfProtected,
    CurrentUser,
    api_router,
    project_view_page,
    render,
)

pages = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
api = api_router("metrics", csrf=False)
FigureKey = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9_]+$")]


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
async def metrics_page(request: Request, project_id: Id) -> Response:
    """The project's dashboard: charts and tables, updated live as contributions arrive; for
    visitors from the render cache while the project's version stands."""
    return await project_view_page(
        request, project_id, "metrics/project.html", _metrics_context, NOTHING_OWN
    )


def _metrics_context(session: Session, rel: ProjectRelation) -> dict[str, Any]:
    return {
        "project": rel.project,
        "research_question": research_question,
        "view": metrics.view_of(rel),
        "tabs": project_tabs.tabs_for(session, rel=rel, current=Section.figures),
        "body": Markup(project_body_html(session, rel, i18n.current_language(), oob=False)),
    }


@pages.get("/organisations/{organisation_id}/metrics")
def organisation_page(
    request: Request, session: SessionDep, user: CurrentUser, organisation_id: Id
) -> Response:
    """A municipality's dashboard: its projects' figures together, and their ambitions."""
    lang = i18n.current_language()
    result, body = organisation_body_html(session, user, organisation_id, lang)
    context = {"metrics": result, "body": Markup(body), "research_question": research_question}
    return render(request, "metrics/organisation.html", context)


@pages.get("/platform/metrics")
def platform_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The platform's dashboard: every project the visitor may read figures of, together."""
    result, body = platform_body_html(session, user, i18n.current_language())
    context = {"metrics": result, "body": Markup(body)}
    return render(request, "metrics/platform.html", context)


@pages.get("/platform/metrics/data/{key}.csv")
def platform_figure_csv(session: SessionDep, user: CurrentUser, key: FigureKey) -> Response:
    """One figure of the platform's dashboard as CSV, exactly as the visitor sees it there."""
    totals = metrics.across_projects(session, user=user).totals
    return _csv(_figure(totals, key), f"pivotal-platform-{key}.csv")


@pages.get("/projects/{project_id}/metrics/data/{key}.csv")
def project_figure_csv(
    session: SessionDep, user: CurrentUser, project_id: Id, key: FigureKey
) -> Response:
    """One figure of the project's dashboard as CSV, exactly as the reader sees it there."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    figure = _figure(metrics.for_project(session, rel).figures, key)
    return _csv(figure, f"pivotal-project-{project_id}-{key}.csv")


@pages.get("/organisations/{organisation_id}/metrics/data/{key}.csv")
def organisation_figure_csv(
    session: SessionDep, user: CurrentUser, organisation_id: Id, key: FigureKey
) -> Response:
    """One figure of the organisation's dashboard as CSV, exactly as the reader sees it there."""
    result = metrics.for_organisation(session, user=user, organisation_id=organisation_id)
    return _csv(_figure(result.figures, key), f"pivotal-organisation-{organisation_id}-{key}.csv")


def _figure(figures: list[Figure], key: str) -> Figure:
    found = next((f for f in figures if f.key == key), None)
    if found is None:
        raise NotFound("No such figure.")
    return found


def _csv(figure: Figure, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(figure_csv(figure), media_type=CSV_MEDIA_TYPE, headers=headers)
