"""The audit log of a project's decisions: a page, a CSV export and the API, for its procurers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.models.audit import AuditEntryPublic, AuditFilter
from app.models.base import Cursor, Id
from app.services import audit, project_tabs, projects
from app.views.audit import csv_download, log_context, newest_first
from app.web import CurrentUser, api_router, page_router, render

pages = page_router()
api = api_router("audit", csrf=False)

PAGE_SIZE = 200
Only = Annotated[AuditFilter, Query()]


@pages.get("/projects/{project_id}/audit-log")
def audit_log_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    only: Only,
    before_id: Annotated[Cursor, Query()] = 0,
) -> Response:
    """The project's decisions as a table, newest first, filtered (procurers only)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    page = newest_first(before_id, PAGE_SIZE)
    entries = audit.list_for_project(session, rel=rel, page=page, only=only)
    context = log_context(session, entries, only, size=PAGE_SIZE, organisation=False)
    tabs = project_tabs.tabs_for(session, rel=rel, current=None)
    return render(
        request, "projects/audit_log.html", {"project": rel.project, "tabs": tabs, **context}
    )


@pages.get("/projects/{project_id}/audit-log.csv")
def audit_log_csv(session: SessionDep, user: CurrentUser, project_id: Id, only: Only) -> Response:
    """The project's decisions as CSV, newest first, with the page's filter (procurers only)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    entries = audit.list_for_project(session, rel=rel, page=audit.EXPORT, only=only)
    return csv_download(session, entries, f"audit-log-project-{project_id}.csv")


@api.get("/projects/{project_id}/audit-log")
def list_entries(
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    only: Only,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[AuditEntryPublic]:
    """The project's audit entries in order, filtered; page with `after_id` = the last id seen."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    page = audit.AuditPage(after_id=after_id, limit=limit)
    return audit.list_for_project(session, rel=rel, page=page, only=only)
