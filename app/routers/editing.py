"""Editing and withdrawing: authors' needs and comments, procurers' projects; pages and the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.db import SessionDep
from app.i18n import N_
from app.models.base import Id, Visibility, id_of
from app.models.need import CommentPublic, CommentUpdate, Need, NeedPublic, NeedUpdate
from app.models.project import ProjectCreate, ProjectPublic, ProjectUpdate
from app.models.revision import RevisionPublic
from app.services import editing, needs, permissions, project_editing, projects, themes
from app.services.errors import Invalid
from app.services.permissions import ProjectRelation
from app.web import (
    CurrentUser,
    FormView,
    api_router,
    page_router,
    parse,
    redirect,
    refuse,
    render,
)

pages = page_router()
api = api_router("editing")
CONFIRM_INTERNAL = N_(
    "Tick the box to confirm that the people outside the project's organisations lose access."
)


# ---- a need ----------------------------------------------------------------------------------


@pages.get("/needs/{need_id}/edit")
def edit_need_page(
    request: Request, session: SessionDep, user: CurrentUser, need_id: Id
) -> Response:
    """The author's form for their need, filled in (while they may still edit it)."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    editing.ensure_can_edit_need(session, rel=rel, need=need)
    return render(request, "needs/edit.html", {"need": need, **_theme_choice(session, need)})


def _theme_choice(session: Session, need: Need) -> dict[str, object]:
    """The project's themes to choose from and the need's theme (by name, "" for none)."""
    names = themes.names_by_id(session, [need.theme_id])
    return {
        "themes": themes.names_of(session, project_id=need.project_id),
        "theme": names.get(need.theme_id or 0, ""),
    }


@pages.post("/needs/{need_id}/edit")
def edit_need_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    need_id: Id,
    title: Annotated[str, Form()] = "",
    problem: Annotated[str, Form()] = "",
    affected: Annotated[str, Form()] = "",
    theme: Annotated[str, Form()] = "",
) -> Response:
    """Save the author's edit; back to the need page, which shows it edited."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    editing.ensure_can_edit_need(session, rel=rel, need=need)
    shown = {"id": need.id, "title": need.title}  # drawn again after the rollback of a refusal
    view = FormView("needs/edit.html", {"need": shown, **_theme_choice(session, need)}, page=True)
    data = parse(NeedUpdate, view, title=title, problem=problem, affected=affected, theme=theme)
    editing.edit_need(session, rel=rel, need=need, data=data)
    return redirect(request, f"/needs/{need_id}")


# ---- a comment -------------------------------------------------------------------------------


@pages.get("/comments/{comment_id}/edit")
def edit_comment_page(
    request: Request, session: SessionDep, user: CurrentUser, comment_id: Id
) -> Response:
    """The author's form for their comment, filled in (while they may still edit it)."""
    rel, need, comment = editing.find_comment(session, user=user, comment_id=comment_id)
    editing.ensure_can_edit_comment(session, rel=rel, comment=comment)
    return render(request, "needs/comment_edit.html", {"need": need, "comment": comment})


@pages.post("/comments/{comment_id}/edit")
def edit_comment_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment_id: Id,
    body: Annotated[str, Form()] = "",
) -> Response:
    """Save the author's edit of their comment; back to the need page."""
    rel, need, comment = editing.find_comment(session, user=user, comment_id=comment_id)
    editing.ensure_can_edit_comment(session, rel=rel, comment=comment)
    context = {"need": {"id": need.id, "title": need.title}, "comment": {"id": comment.id}}
    data = parse(CommentUpdate, FormView("needs/comment_edit.html", context, page=True), body=body)
    editing.edit_comment(session, rel=rel, comment=comment, data=data)
    return redirect(request, f"/needs/{need.id}#comment-{comment_id}")


@pages.post("/comments/{comment_id}/withdraw")
def withdraw_comment_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """The author withdraws their comment, once confirmed."""
    rel, need, comment = editing.find_comment(session, user=user, comment_id=comment_id)
    if confirm != "yes":
        raise Invalid("Tick the box to confirm that the comment should be withdrawn.")
    editing.withdraw_comment(session, rel=rel, comment=comment)
    return redirect(request, f"/needs/{need.id}#comment-{comment_id}")


# ---- a project -------------------------------------------------------------------------------


def _project_form_context(session: Session, rel: ProjectRelation) -> dict[str, object]:
    """The edit form's choices and what making the project internal would cost."""
    project = rel.project
    partners = projects.partner_ids(session, project_id=id_of(project))
    losing = 0
    if project.visibility == Visibility.public:
        orgs = {project.owner_org_id, *partners}
        losing = project_editing.people_losing_access(session, project=project, org_ids=orgs)
    return {
        "project": {"id": project.id, "title": project.title, "visibility": project.visibility},
        "organisations": [
            {"id": org.id, "name": org.name}
            for org in projects.public_sector_organisations(session)
            if org.id != project.owner_org_id
        ],
        "losing": losing,
        "current": {
            "title": project.title,
            "summary": project.summary,
            "innovation_ambition": project.innovation_ambition,
            "visibility": str(project.visibility),
            "language": project.language,
            "login_level": project.login_level,
            "partner_org_ids": partners,
            "themes": "\n".join(themes.names_of(session, project_id=id_of(project))),
        },
        "ProjectCreate": ProjectCreate,
    }


@pages.get("/projects/{project_id}/edit")
def edit_project_page(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """The procurers' form for the project's details, filled in."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    permissions.ensure_procurer(rel)
    return render(request, "projects/edit.html", _project_form_context(session, rel))


@pages.post("/projects/{project_id}/edit")
def edit_project_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    innovation_ambition: Annotated[str, Form()] = "",
    visibility: Annotated[str, Form()] = "",
    language: Annotated[str, Form(max_length=2)] = "",
    login_level: Annotated[str, Form(max_length=11)] = "",
    partner_org_ids: Annotated[list[Id] | None, Form()] = None,
    themes_text: Annotated[str | None, Form(alias="themes")] = None,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Save the project's details; making it internal needs the box ticked."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    permissions.ensure_procurer(rel)
    view = FormView("projects/edit.html", _project_form_context(session, rel), page=True)
    data = parse(
        ProjectUpdate,
        view,
        title=title,
        summary=summary,
        innovation_ambition=innovation_ambition,
        visibility=visibility or None,
        language=language or None,
        login_level=login_level or None,
        partner_org_ids=partner_org_ids or [],
        themes=None if themes_text is None else themes_text.splitlines(),  # left out: as they are
        confirm_access_loss=confirm == "yes",
    )
    shutting_out = rel.project.visibility == Visibility.public and visibility == "internal"
    if shutting_out and confirm != "yes":
        refuse(view, "visibility", CONFIRM_INTERNAL, **data.model_dump())
    project_editing.edit_project(session, rel=rel, data=data)
    return redirect(request, f"/projects/{project_id}")


# ---- JSON API --------------------------------------------------------------------------------


@api.patch("/needs/{need_id}")
def patch_need(session: SessionDep, user: CurrentUser, need_id: Id, data: NeedUpdate) -> NeedPublic:
    """Edit one's own need (title, problem, affected) while no procurer has acted on it."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    editing.edit_need(session, rel=rel, need=need, data=data)
    return needs.need_view(session, rel=rel, need_id=need_id).to_public()


@api.get("/needs/{need_id}/revisions")
def need_revisions(session: SessionDep, user: CurrentUser, need_id: Id) -> list[RevisionPublic]:
    """Earlier versions of the need and its comments, newest first (the project's procurers)."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    return editing.revisions(session, rel=rel, need=need)


@api.patch("/comments/{comment_id}")
def patch_comment(
    session: SessionDep, user: CurrentUser, comment_id: Id, data: CommentUpdate
) -> CommentPublic:
    """Edit one's own comment while no procurer has acted on it."""
    rel, _need, comment = editing.find_comment(session, user=user, comment_id=comment_id)
    editing.edit_comment(session, rel=rel, comment=comment, data=data)
    return needs.comment_view(session, rel=rel, comment_id=comment_id).to_public()


@api.delete("/comments/{comment_id}", status_code=204)
def withdraw_comment(session: SessionDep, user: CurrentUser, comment_id: Id) -> None:
    """Withdraw one's own comment for good; the thread keeps its place and its replies."""
    rel, _need, comment = editing.find_comment(session, user=user, comment_id=comment_id)
    editing.withdraw_comment(session, rel=rel, comment=comment)


@api.patch("/projects/{project_id}")
def patch_project(
    session: SessionDep, user: CurrentUser, project_id: Id, data: ProjectUpdate
) -> ProjectPublic:
    """Change the project's details (its procurers); making it internal needs
    `confirm_access_loss`, else 409 says how many people would lose access."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    project = project_editing.edit_project(session, rel=rel, data=data)
    return projects.to_public(session, project)
