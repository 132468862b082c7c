"""The influence report of a project: its page and its JSON.

Rules live in `app/services/influence`; this module parses, calls and renders.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.db import SessionDep
from app.models.base import Id
from app.services import project_tabs, projects
from app.services.influence.report import report
from app.services.influence.schemas import InfluenceReport
from app.views.metrics import cell, column_label, shown_columns
from app.web import CurrentUser, api_router, page_router, render

pages = page_router()
api = api_router("specification")


@api.get("/projects/{project_id}/influence")
def influence_report(session: SessionDep, user: CurrentUser, project_id: Id) -> InfluenceReport:
    """Which needs, and whose input by role and organisation kind, reached which final
    requirements; verified needs that reached none; requirements without a verified need; and
    requirements resting on one supplier's proposals alone (an equal-treatment risk).

    The project's procurers get the full report (confidential links counted, the proposals
    behind a risk named); everyone else who may see the project gets one built from what they
    may open, with groups of fewer than 5 people suppressed (null) unless they read the
    project's participation.
    """
    rel = projects.get_project(session, user=user, project_id=project_id)
    return report(session, rel=rel)


@pages.get("/projects/{project_id}/influence")
def influence_page(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """The influence report as tables, for everyone who may see the project."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    context = {
        "project": rel.project,
        "tabs": project_tabs.tabs_for(session, rel=rel, current=None),
        "report": report(session, rel=rel),
        "cell": cell,
        "column_label": column_label,
        "shown_columns": shown_columns,
    }
    return render(request, "influence/report.html", context)
