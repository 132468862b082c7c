"""Participation metrics for the research questions: the API, and dashboards for a project
(updated live) and for a municipality or county."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from app import i18n
from app.db import SessionDep
from app.models.base import Id
from app.services import metrics, project_tabs, projects
from app.services.metrics import MetricsOverview, OrganisationMetrics, ProjectMetrics
from app.services.project_tabs import Section
from app.views.metrics import body_html, project_body_html
from app.web import CsrfProtected, CurrentUser, api_router, render

pages = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
api = api_router("metrics", csrf=False)


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
        "tabs": project_tabs.tabs_for(session, rel=rel, current=Section.figures),
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
