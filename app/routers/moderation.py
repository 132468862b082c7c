"""Moderation: reporting, the queue, decisions, review requests and the hold setting."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.db import SessionDep
from app.i18n import gettext as _
from app.models.base import Id
from app.models.moderation import Report, ReportCreate, ReportDecision, ReportPublic
from app.services import moderation, permissions, project_tabs, projects
from app.views.moderation import queue_html
from app.web import (
    CurrentUser,
    api_router,
    fragment_or_redirect,
    is_htmx,
    page_router,
    parse,
    redirect,
    render,
)

pages = page_router()
api = api_router("moderation")
SENT = "moderation/_sent.html"  # the form's place, once sent


def _public(report: Report) -> ReportPublic:
    return ReportPublic.model_validate(report)


def _form_data(
    object_type: Annotated[str, Form()] = "",
    object_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> ReportCreate:
    """A report or review form's fields, parsed as the API's input."""
    return parse(ReportCreate, object_type=object_type, object_id=object_id, reason=reason)


AskForm = Annotated[ReportCreate, Depends(_form_data)]


@pages.post("/reports")
def report_form(
    request: Request, session: SessionDep, user: CurrentUser, data: AskForm
) -> Response:
    """Report a need or a comment to the moderators."""
    filed = moderation.report(session, user=user, data=data)
    return _sent(request, filed, _("Thank you. The moderators will look at it."))


@pages.post("/reviews")
def review_form(
    request: Request, session: SessionDep, user: CurrentUser, data: AskForm
) -> Response:
    """The author of hidden content asks for a review."""
    review = moderation.request_review(session, user=user, data=data)
    return _sent(request, review, _("You have asked for a review. The moderators will look again."))


def _sent(request: Request, filed: Report, message: str) -> Response:
    """The form's place says it was sent (htmx); a plain form goes back to the need."""
    context = {"message": message}
    return fragment_or_redirect(request, f"/needs/{filed.need_id}", SENT, context)


@pages.get("/projects/{project_id}/reports")
def queue_page(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """The project's moderation queue (its procurers and the platform's moderators)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    permissions.ensure_can_moderate(rel)
    audience = permissions.audience_for(rel)
    context = {
        "project": rel.project,
        "tabs": project_tabs.tabs_for(session, rel=rel, current=None),
        "queue_html": Markup(queue_html(session, rel, audience, oob=False)),
    }
    return render(request, "moderation/queue.html", context)


@pages.post("/reports/{report_id}/decision")
def decision_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    report_id: Id,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A moderator's decision from the queue (the queue's live channel redraws the item)."""
    rel, found = moderation.find_report(session, user=user, report_id=report_id)
    data = parse(ReportDecision, decision=decision, reason=reason)
    moderation.decide(session, rel=rel, report=found, data=data)
    if is_htmx(request):
        return Response(status_code=204)
    return redirect(request, f"/projects/{found.project_id}/reports")


@pages.post("/projects/{project_id}/moderation")
def settings_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    hold_first: Annotated[bool, Form()] = False,
) -> Response:
    """The project's procurers choose whether first contributions are held for review."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    moderation.set_holding(session, rel=rel, hold_first=hold_first)
    return redirect(request, f"/projects/{project_id}")


# ---- JSON API -------------------------------------------------------------------------------


@api.post("/reports", status_code=201)
def create_report(session: SessionDep, user: CurrentUser, data: ReportCreate) -> ReportPublic:
    """Report a need or a comment with a reason (one open report per person and object)."""
    return _public(moderation.report(session, user=user, data=data))


@api.post("/reviews", status_code=201)
def create_review(session: SessionDep, user: CurrentUser, data: ReportCreate) -> ReportPublic:
    """The author of hidden content asks for a review (once)."""
    return _public(moderation.request_review(session, user=user, data=data))


@api.get("/projects/{project_id}/reports")
def list_reports(session: SessionDep, user: CurrentUser, project_id: Id) -> list[ReportPublic]:
    """The project's open reports, oldest first (its moderators)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return [_public(r) for r in moderation.open_reports(session, rel=rel)]


@api.post("/reports/{report_id}/decision")
def decide_report(
    session: SessionDep, user: CurrentUser, report_id: Id, data: ReportDecision
) -> ReportPublic:
    """Hide the reported content (with a public reason), show it again, or dismiss the report."""
    rel, found = moderation.find_report(session, user=user, report_id=report_id)
    return _public(moderation.decide(session, rel=rel, report=found, data=data))
