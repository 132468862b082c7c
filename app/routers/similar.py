"""Similar needs under the new-need form (htmx), merge suggestions on a need's page, and
answering a suggestion (issue 13)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.models.base import Id
from app.models.suggestion import SuggestionKind
from app.services import merge_suggestions, permissions, projects, similar_needs, suggestions
from app.services.errors import Invalid
from app.web import CurrentUser, is_htmx, page_router, redirect, render

pages = page_router()
# Under the form, a few: enough to spot a duplicate, not a list to read.
SHOWN = 3


@pages.get("/projects/{project_id}/needs/similar")
def similar_fragment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    title: Annotated[str, Query(max_length=similar_needs.TEXT_MAX)] = "",
    problem: Annotated[str, Query(max_length=20_000)] = "",
) -> Response:
    """The needs most like the title and problem being typed, each recorded as shown."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    text = f"{title}\n{problem}"[: similar_needs.TEXT_MAX].strip()
    found = (
        similar_needs.similar(session, rel=rel, text=text, limit=SHOWN)
        if len(text) >= similar_needs.TEXT_MIN
        else []
    )
    shown = suggestions.show(session, rel=rel, candidates=found)
    context = {
        "project": rel.project,
        "pairs": list(zip(found, shown, strict=True)),
        "can_support": permissions.allows(permissions.ensure_can_support, rel),
    }
    return render(request, "projects/_similar_needs.html", context)


@pages.post("/suggestions/{suggestion_id}/dismiss")
def dismiss_form(
    request: Request, session: SessionDep, user: CurrentUser, suggestion_id: Id
) -> Response:
    """ "Not the same": the suggestion leaves the list (and is recorded as dismissed); a merge
    suggestion's pair is not suggested again."""
    suggestion = suggestions.find(session, user=user, suggestion_id=suggestion_id)
    rel = projects.get_project(session, user=user, project_id=suggestion.project_id)
    if suggestion.kind == SuggestionKind.merge_need:
        merge_suggestions.dismiss(session, rel=rel, suggestion_id=suggestion_id)
        if is_htmx(request):
            return render(request, "needs/_merge_dismissed.html", {})
        return redirect(request, f"/needs/{suggestion.shown_on_need_id}#merge-heading")
    suggestions.dismiss(session, rel=rel, suggestion_id=suggestion_id)
    if is_htmx(request):
        return render(request, "projects/_similar_dismissed.html", {})
    return redirect(request, f"/projects/{suggestion.project_id}#new-need-heading")


@pages.post("/suggestions/{suggestion_id}/merge")
def merge_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    suggestion_id: Id,
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Merge the suggested need into the need it was suggested on (confirmed; the procurers'
    status decision with its reason); then the kept need's page."""
    suggestion = suggestions.find(session, user=user, suggestion_id=suggestion_id)
    rel = projects.get_project(session, user=user, project_id=suggestion.project_id)
    permissions.ensure_procurer(rel)
    if confirm != "yes":
        raise Invalid("Tick the box to confirm; this cannot be undone.")
    kept = merge_suggestions.merge(session, rel=rel, suggestion_id=suggestion_id, reason=reason)
    return redirect(request, f"/needs/{kept.id}")
