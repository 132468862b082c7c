"""The specification workspace: its pages, its forms and the requirements' JSON API.

Rules live in `app/services/requirements.py`; this module parses, calls and renders.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.db import SessionDep
from app.i18n import N_
from app.models import Requirement, User
from app.models.base import Id, id_of
from app.models.requirement import (
    CoAuthorInvite,
    DiffOpPublic,
    RequirementCreate,
    RequirementDiffPublic,
    RequirementKind,
    RequirementPublic,
    RequirementStatus,
    RequirementUpdate,
    RequirementVersionPublic,
)
from app.services import (
    documents,
    hearings,
    permissions,
    project_tabs,
    projects,
    requirements,
    spec_export,
    trace_suggestions,
)
from app.services.errors import Invalid, NotFound
from app.services.permissions import ProjectRelation
from app.services.project_tabs import Section
from app.services.spec_export import MEDIA_TYPES, ExportFormat
from app.views import trace as trace_view
from app.web import (
    CurrentUser,
    FormView,
    api_router,
    detached,
    page_router,
    parse,
    redirect,
    render,
)

pages = page_router()
api = api_router("specification")
CONFIRM_FINAL = N_("Tick the box to confirm that the specification is final and cannot be changed.")


def _public(requirement: Requirement) -> RequirementPublic:
    return RequirementPublic.model_validate(requirement, from_attributes=True)


@api.get("/projects/{project_id}/requirements")
def list_requirements(
    session: SessionDep, user: CurrentUser, project_id: Id
) -> list[RequirementPublic]:
    """The project's requirements the caller may see (drafts for procurers and co-authors)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return [_public(r) for r in requirements.list_requirements(session, rel=rel)]


@api.post("/projects/{project_id}/requirements", status_code=201)
def create_requirement(
    session: SessionDep, user: CurrentUser, project_id: Id, data: RequirementCreate
) -> RequirementPublic:
    """Draft a requirement (the project's procurers and co-authors, from the market dialogue)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return _public(requirements.create(session, rel=rel, data=data))


@api.get("/requirements/{requirement_id}")
def read_requirement(
    session: SessionDep, user: CurrentUser, requirement_id: Id
) -> RequirementPublic:
    """One requirement, for those who may see it (404 otherwise)."""
    requirement, _rel = requirements.find(session, user=user, requirement_id=requirement_id)
    return _public(requirement)


@api.patch("/requirements/{requirement_id}")
def edit_requirement(
    session: SessionDep, user: CurrentUser, requirement_id: Id, data: RequirementUpdate
) -> RequirementPublic:
    """Change a requirement's fields and/or status; every change is a new version."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    return _public(requirements.edit(session, rel=rel, requirement=requirement, data=data))


@api.get("/requirements/{requirement_id}/versions")
def list_versions(
    session: SessionDep, user: CurrentUser, requirement_id: Id
) -> list[RequirementVersionPublic]:
    """Every version of a requirement, newest first."""
    requirement, _rel = requirements.find(session, user=user, requirement_id=requirement_id)
    return [
        RequirementVersionPublic.model_validate(v, from_attributes=True)
        for v in requirements.versions(session, requirement=requirement)
    ]


@api.get("/requirements/{requirement_id}/versions/diff")
def diff_versions(
    session: SessionDep,
    user: CurrentUser,
    requirement_id: Id,
    from_: Annotated[Id, Query(alias="from")],
    to: Annotated[Id, Query()],
) -> RequirementDiffPublic:
    """The word-level difference between two versions' texts, as the requirement's page shows it."""
    requirement, _rel = requirements.find(session, user=user, requirement_id=requirement_id)
    ops = requirements.version_diff(session, requirement=requirement, old=from_, new=to)
    public = [DiffOpPublic.model_validate(op, from_attributes=True) for op in ops]
    return RequirementDiffPublic(from_version=from_, to_version=to, ops=public)


@api.post("/projects/{project_id}/specification/co-authors", status_code=201)
def invite_co_author(
    session: SessionDep, user: CurrentUser, project_id: Id, data: CoAuthorInvite
) -> dict[str, int]:
    """A procurer invites an employee of the owner or a partner municipality as co-author."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    invitee = requirements.invite_co_author(session, rel=rel, user_id=data.user_id)
    return {"user_id": id_of(invitee)}


@api.post("/projects/{project_id}/specification/final")
def finalise_specification(
    session: SessionDep, user: CurrentUser, project_id: Id
) -> dict[str, bool]:
    """Mark the specification final (procurers): every requirement final, weights at 100 %."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    requirements.finalise(session, rel=rel)
    return {"specification_final": True}


def _exported(session: Session, user: User | None, project_id: int, fmt: ExportFormat) -> Response:
    rel = projects.get_project(session, user=user, project_id=project_id)
    exported = spec_export.export(session, rel=rel, fmt=fmt)
    headers = {
        "Content-Disposition": documents.content_disposition(exported.filename),
        "Cache-Control": "private, no-store",
    }
    return Response(exported.data, media_type=exported.media_type, headers=headers)


@api.get(
    "/projects/{project_id}/specification.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def export_pdf(session: SessionDep, user: CurrentUser, project_id: Id) -> Response:
    """The specification as a PDF to attach to the tender (for those who may open it)."""
    return _exported(session, user, project_id, ExportFormat.pdf)


@api.get(
    "/projects/{project_id}/specification.docx",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[ExportFormat.docx]: {}}}},
)
def export_docx(session: SessionDep, user: CurrentUser, project_id: Id) -> Response:
    """The specification as a Word document (for those who may open it)."""
    return _exported(session, user, project_id, ExportFormat.docx)


# ---- pages -------------------------------------------------------------------------------------


def _workspace(session: Session, user: User | None, project_id: int) -> ProjectRelation:
    """The project, if the person may open its specification (404 otherwise, as for drafts)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    if not requirements.can_open_workspace(session, rel=rel):
        raise NotFound(requirements.NO_SUCH_SPECIFICATION)
    return rel


def _workspace_context(
    session: Session, rel: ProjectRelation, *, detach: bool = False
) -> dict[str, object]:
    """What the workspace shows; copies when a refused form draws it after the rollback."""
    keep = detached if detach else list
    listed = keep(requirements.list_requirements(session, rel=rel))
    can_write = requirements.can_write(session, rel=rel)
    candidates = requirements.eligible_co_authors(session, rel=rel) if rel.is_procurer else []
    return {
        "project": keep([rel.project])[0],
        "tabs": project_tabs.tabs_for(session, rel=rel, current=Section.specification),
        "is_procurer": rel.is_procurer,
        "groups": requirements.by_kind(listed),
        "weights_total": requirements.weights_total(listed),
        "can_write": can_write and rel.project.phase in permissions.SPECIFICATION_PHASES,
        "co_authors": keep(requirements.co_authors(session, project_id=id_of(rel.project))),
        "candidates": keep(candidates),
        "kinds": list(RequirementKind),
        "hearings": keep(hearings.list_hearings(session, rel=rel)),
        "hearing_open": hearings.open_hearing_of(session, project_id=id_of(rel.project)),
        "can_open_hearing": permissions.allows(
            lambda r: permissions.ensure_can_open_hearing(r, citizens=False), rel
        ),
    }


@pages.get("/projects/{project_id}/specification")
def specification_page(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """The specification workspace: requirements by kind, the weights' total, the forms."""
    rel = _workspace(session, user, project_id)
    return render(request, "requirements/workspace.html", _workspace_context(session, rel))


@pages.post("/projects/{project_id}/specification/requirements")
def create_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    weight: Annotated[str, Form()] = "",
) -> Response:
    """A writer drafts a requirement from the workspace; on to its page."""
    rel = _workspace(session, user, project_id)
    context = _workspace_context(session, rel, detach=True)
    view = FormView("requirements/workspace.html", context, page=True)
    fields = {"kind": kind, "title": title, "text": text, "weight": weight.strip() or None}
    data = parse(RequirementCreate, view, **fields)
    requirement = requirements.create(session, rel=rel, data=data)
    return redirect(request, f"/requirements/{requirement.id}")


@pages.post("/projects/{project_id}/specification/co-authors")
def invite_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    user_id: Annotated[int, Form()],
) -> Response:
    """A procurer invites a co-author from the workspace."""
    rel = _workspace(session, user, project_id)
    requirements.invite_co_author(session, rel=rel, user_id=user_id)
    return redirect(request, f"/projects/{project_id}/specification#co-authors")


@pages.post("/projects/{project_id}/specification/final")
def finalise_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """A procurer marks the specification final, after ticking that it cannot be undone."""
    rel = _workspace(session, user, project_id)
    if confirm != "yes":
        raise Invalid(CONFIRM_FINAL)
    requirements.finalise(session, rel=rel)
    return redirect(request, f"/projects/{project_id}/specification")


def _requirement_context(
    session: Session,
    rel: ProjectRelation,
    requirement: Requirement,
    compare: tuple[int, int],
    *,
    detach: bool = False,
) -> dict[str, object]:
    """What a requirement's page shows; copies when a refused form draws it after the rollback."""
    keep = detached if detach else list
    history = keep(requirements.versions(session, requirement=requirement))
    old, new = compare
    ops = None
    shown = [] if detach else trace_suggestions.suggest(session, rel=rel, requirement=requirement)
    if old and new:
        ops = requirements.version_diff(session, requirement=requirement, old=old, new=new)
    return {
        "project": keep([rel.project])[0],
        "requirement": keep([requirement])[0],
        "versions": history,
        "authors": requirements.author_names(session, {v.author_id for v in history}),
        "can_write": permissions.allows(
            lambda r: permissions.ensure_can_write_specification(
                r, co_author=requirements.is_co_author(session, rel=r)
            ),
            rel,
        )
        and (requirement.status != RequirementStatus.final or requirements.may_settle(rel)),
        "compare": {"from": old or (history[-1].number), "to": new or history[0].number},
        "ops": ops,
        "statuses": requirements.settable_statuses(rel, requirement),
        **trace_view.links_context(session, rel, requirement, detach=detach),
        **trace_view.form_context(session, rel),
        "trace_suggestions": shown,
        "heard_in": hearings.hearings_of(session, rel=rel, requirement=requirement),
    }


@pages.get("/requirements/{requirement_id}")
def requirement_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    requirement_id: Id,
    from_: Annotated[Id | None, Query(alias="from")] = None,
    to: Annotated[Id | None, Query()] = None,
) -> Response:
    """A requirement: its text, the edit form, its versions and the diff of two of them."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    context = _requirement_context(session, rel, requirement, (from_ or 0, to or 0))
    return render(request, "requirements/detail.html", context)


@pages.post("/requirements/{requirement_id}/edit")
def edit_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    requirement_id: Id,
    title: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    weight: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
) -> Response:
    """A writer saves an edit of a requirement (a new version); back to its page."""
    requirement, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    view = FormView(
        "requirements/detail.html",
        _requirement_context(session, rel, requirement, (0, 0), detach=True),
        page=True,
    )
    fields: dict[str, object] = {"title": title, "text": text, "status": status}
    if requirement.kind == RequirementKind.award_criterion:
        fields["weight"] = weight.strip() or None
    data = parse(RequirementUpdate, view, **fields)
    requirements.edit(session, rel=rel, requirement=requirement, data=data)
    return redirect(request, f"/requirements/{requirement_id}")
