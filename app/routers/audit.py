"""The audit log of a project's decisions: a page and the API, for the project's procurers."""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.i18n import N_
from app.i18n import gettext as _
from app.models.audit import AuditEntryPublic
from app.models.base import Cursor, Id, NeedStatus, Phase
from app.models.document import DocumentAudience
from app.models.vocabulary import AuditAction, label_for
from app.services import audit, projects
from app.web import CommittingRoute, CsrfProtected, CurrentUser, render

pages = APIRouter(
    route_class=CommittingRoute, include_in_schema=False, dependencies=[CsrfProtected]
)
api = APIRouter(route_class=CommittingRoute, tags=["audit"])

PAGE_SIZE = 200
FIELD_LABELS = {
    "phase": N_("Phase"),
    "status": N_("Status"),
    "reason": N_("Reason"),
    "merged_into_id": N_("Merged into need"),
    "hidden": N_("Hidden"),
    "hidden_reason": N_("Reason"),
    "title": N_("Title"),
    "audience": N_("Who may see it"),
    "published": N_("Published"),
    "withdrawn": N_("Withdrawn"),
}
# Which enum names the values recorded under a key.
VALUE_ENUMS: dict[str, type[StrEnum]] = {
    "phase": Phase,
    "status": NeedStatus,
    "audience": DocumentAudience,
}


def _field_label(key: str) -> str:
    return _(FIELD_LABELS[key]) if key in FIELD_LABELS else key


def _value_label(key: str, value: Any) -> str:
    """A recorded value as a person reads it: translated labels, yes/no, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    enum = VALUE_ENUMS.get(key)
    return label_for(enum, value) if enum is not None else str(value)


@pages.get("/projects/{project_id}/audit-log")
def audit_log_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    after_id: Annotated[Cursor, Query()] = 0,
) -> Response:
    """The project's decisions as a table (procurers only)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    entries = audit.list_for_project(session, rel=rel, after_id=after_id, limit=PAGE_SIZE)
    context = {
        "project": rel.project,
        "entries": entries,
        "next_after": entries[-1].id if len(entries) == PAGE_SIZE else None,
        "action_label": partial(label_for, AuditAction),
        "field_label": _field_label,
        "value_label": _value_label,
    }
    return render(request, "projects/audit_log.html", context)


@api.get("/projects/{project_id}/audit-log")
def list_entries(
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[AuditEntryPublic]:
    """The project's audit entries in order; page with `after_id` = the last id seen."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return audit.list_for_project(session, rel=rel, after_id=after_id, limit=limit)
