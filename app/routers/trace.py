"""Trace links of a requirement: the JSON API and the forms on the requirement's page.

Rules live in `app/services/trace.py` (links) and `app/services/trace_suggestions.py`
(suggested links); this module parses, calls and answers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.i18n import N_
from app.models.base import Id, id_of
from app.models.trace import TraceLinkCreate, TraceLinkPublic
from app.services import requirements, trace, trace_suggestions
from app.services.errors import Invalid
from app.services.trace import LinkView
from app.web import CurrentUser, api_router, page_router, parse, redirect

pages = page_router()
api = api_router("specification")
CONFIRM_REMOVE = N_("Tick the box to confirm that the link is to be removed.")
NO_SOURCE = N_("Choose the input the requirement is traced to.")


def _public(view: LinkView) -> TraceLinkPublic:
    link = view.link
    return TraceLinkPublic(
        id=id_of(link),
        requirement_id=link.requirement_id,
        source_type=link.source_type,
        source_id=link.source_id,
        source_title=view.source.title,
        source_url=view.source.url,
        relation=link.relation,
        rationale=link.rationale,
        confidential=link.confidential,
        created_at=link.created_at,
    )


@api.get("/requirements/{requirement_id}/links")
def list_links(session: SessionDep, user: CurrentUser, requirement_id: Id) -> list[TraceLinkPublic]:
    """The requirement's trace links the caller may see (confidential ones: procurers only)."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    views = trace.visible_links(session, rel=rel, requirement_id=id_of(requirement))
    return [_public(view) for view in views]


@api.post("/requirements/{requirement_id}/links", status_code=201)
def add_link(
    session: SessionDep, user: CurrentUser, requirement_id: Id, data: TraceLinkCreate
) -> TraceLinkPublic:
    """Trace a requirement to an input of its project (procurers and co-authors)."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    link = trace.add_link(session, rel=rel, requirement=requirement, data=data)
    return _public(trace.view_of(session, link=link, requirement=requirement))


@api.delete("/requirements/{requirement_id}/links/{link_id}", status_code=204)
def remove_link(session: SessionDep, user: CurrentUser, requirement_id: Id, link_id: Id) -> None:
    """Remove a trace link of the requirement (procurers and co-authors)."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    trace.remove_link(session, rel=rel, requirement=requirement, link_id=link_id)


# ---- forms on the requirement's page ------------------------------------------------------------


def _source(value: str) -> tuple[str, str]:
    """A choice such as "need:12" as its kind and id (refused when it names none)."""
    kind, _, source_id = value.partition(":")
    if not kind or not source_id.isdigit():
        raise Invalid(NO_SOURCE)
    return kind, source_id


@pages.post("/requirements/{requirement_id}/links")
def add_link_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    requirement_id: Id,
    source: Annotated[str, Form()] = "",
    relation: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    confidential: Annotated[str, Form()] = "",
) -> Response:
    """A writer adds a trace link from the requirement's page; back to its links."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    kind, source_id = _source(source)
    data = parse(
        TraceLinkCreate,
        source_type=kind,
        source_id=source_id,
        relation=relation,
        rationale=rationale,
        confidential=confidential == "yes",
    )
    trace.add_link(session, rel=rel, requirement=requirement, data=data)
    return redirect(request, f"/requirements/{requirement_id}#links")


@pages.post("/requirements/{requirement_id}/links/{link_id}/remove")
def remove_link_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    requirement_id: Id,
    link_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """A writer removes a trace link, after ticking that they mean it."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    if confirm != "yes":
        raise Invalid(CONFIRM_REMOVE)
    trace.remove_link(session, rel=rel, requirement=requirement, link_id=link_id)
    return redirect(request, f"/requirements/{requirement_id}#links")


@pages.post("/requirements/{requirement_id}/suggestions/{suggestion_id}/accept")
def accept_suggestion_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    requirement_id: Id,
    suggestion_id: Id,
    rationale: Annotated[str, Form()] = "",
) -> Response:
    """A writer accepts a suggested link, with the default rationale or their own."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    trace_suggestions.accept(
        session, rel=rel, requirement=requirement, suggestion_id=suggestion_id, rationale=rationale
    )
    return redirect(request, f"/requirements/{requirement_id}#links")


@pages.post("/requirements/{requirement_id}/suggestions/{suggestion_id}/dismiss")
def dismiss_suggestion_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    requirement_id: Id,
    suggestion_id: Id,
) -> Response:
    """A writer says a suggested input did not shape the requirement."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    trace_suggestions.dismiss(
        session, rel=rel, requirement=requirement, suggestion_id=suggestion_id
    )
    return redirect(request, f"/requirements/{requirement_id}#trace-suggestions")
