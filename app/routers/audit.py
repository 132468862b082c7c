"""The audit log of a project's decisions: a page and the API, for the project's procurers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.i18n import N_
from app.i18n import gettext as _
from app.models.audit import AuditEntryPublic
from app.models.base import PHASE_LABELS, Cursor, Id
from app.models.document import AUDIENCE_LABELS
from app.services import audit, projects
from app.web import STATUS_LABELS, CsrfProtected, CurrentUser, render

pages = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
api = APIRouter(tags=["audit"])

PAGE_SIZE = 200
ACTION_LABELS = {
    "phase_moved": N_("Phase moved"),
    "need_status_changed": N_("Need status changed"),
    "comment_hidden": N_("Comment hidden"),
    "answer_saved": N_("Draft answer saved"),
    "answer_published": N_("Answer published to all suppliers"),
    "question_withdrawn": N_("Question withdrawn"),
    "document_published": N_("Document published"),
    "document_audience_changed": N_("Document audience changed"),
    "document_withdrawn": N_("Document withdrawn"),
}
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
VALUE_LABELS = {"phase": PHASE_LABELS, "status": STATUS_LABELS, "audience": AUDIENCE_LABELS}


def _action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def _field_label(key: str) -> str:
    return _(FIELD_LABELS[key]) if key in FIELD_LABELS else key


def _value_label(key: str, value: Any) -> str:
    """A recorded value as a person reads it: translated labels, yes/no, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    labels = VALUE_LABELS.get(key, {})
    return _(labels[value]) if value in labels else str(value)


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
        "action_label": _action_label,
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
