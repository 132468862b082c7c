"""Projects: the list (home page), the project page with its phases and live needs list, the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from app.db import SessionDep
from app.i18n import N_
from app.models import Organisation, User
from app.models.base import Id, Visibility, id_of
from app.models.project import (
    AutoThemePublic,
    ManualThemePublic,
    PhaseMoveCreate,
    ProjectCreate,
    ProjectPhasePublic,
    ProjectPublic,
    ProjectThemesPublic,
)
from app.services import (
    auto_themes,
    dialogue,
    following,
    hearings,
    need_list,
    permissions,
    project_tabs,
    projects,
    themes,
)
from app.services.errors import Invalid
from app.services.need_list import NeedFilter, NeedSort
from app.services.permissions import ProjectRelation, audience_for
from app.services.project_tabs import Section
from app.views.needs import needs_list_html, needs_more_html, needs_results_html
from app.web import (
    CurrentUser,
    FormView,
    OwnParts,
    api_router,
    detached,
    page_router,
    parse,
    project_view_page,
    redirect,
    render,
    site_page,
)

pages = page_router()
# The needs list's `q`, `status`, `theme` and `sort` query parameters (422 for an unknown status,
# theme or order).
NeedListFilter = Annotated[NeedFilter, Depends(need_list.parse_filter)]
api = api_router("projects", prefix="/projects")
CONFIRM_GATE_DECISION = N_(
    "Tick the box to confirm the gate decision; the project cannot go back to an earlier phase."
)


@pages.get("/")
async def project_list(request: Request) -> Response:
    """All projects the visitor may see (for visitors who are not logged in: cached)."""

    def context(session: Session, user: User | None) -> dict[str, object]:
        items = projects.list_projects(session, user=user)
        orgs = projects.organisations_by_id(session, {p.owner_org_id for p in items})
        return {"projects": items, "orgs": orgs}

    version = projects.LIST_VERSION_FOR_VISITORS
    return await site_page(request, version, "projects/list.html", context, projects.list_version)


@pages.get("/projects/new")
def new_project_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The form for opening a project (procurers)."""
    user = permissions.ensure_can_create_project(user)
    return render(request, "projects/new.html", {"organisations": _partner_candidates(session)})


def _partner_candidates(session: Session) -> list[Organisation]:
    return projects.public_sector_organisations(session)


@pages.post("/projects")
def create_project_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    service_area: Annotated[str, Form()] = "",
    innovation_ambition: Annotated[str, Form()] = "",
    visibility: Annotated[str, Form()] = Visibility.public,
    language: Annotated[str, Form(max_length=2)] = "",
    partner_org_ids: Annotated[list[Id] | None, Form()] = None,
) -> Response:
    """Open a project from the form."""
    permissions.ensure_can_create_project(user)  # before the form is drawn again for anyone
    view = FormView("projects/new.html", {"organisations": detached(_partner_candidates(session))})
    data = parse(
        ProjectCreate,
        view,
        title=title,
        summary=summary,
        service_area=service_area,
        innovation_ambition=innovation_ambition,
        visibility=visibility,
        language=language or None,
        partner_org_ids=partner_org_ids or [],
    )
    project = projects.create_project(session, user=user, data=data)
    url = f"/projects/{project.id}"
    return redirect(request, url)


@pages.get("/projects/{project_id}")
async def project_page(
    request: Request, project_id: Id, wanted: NeedListFilter, cursor: str = ""
) -> Response:
    """A project with its live needs list (searched, filtered, sorted and paged as asked)."""

    def context(session: Session, rel: ProjectRelation) -> dict[str, object]:
        return _project_context(session, rel, wanted, cursor or None)

    return await project_view_page(
        request, project_id, "projects/detail.html", context, PROJECT_OWN
    )


@pages.get("/projects/{project_id}/needs")
def needs_page_fragment(
    session: SessionDep, user: CurrentUser, project_id: Id, wanted: NeedListFilter, cursor: str = ""
) -> Response:
    """A page of the needs list as cards and its "load more" link (htmx puts it in place of the
    link clicked; without htmx the link goes to the project page with the same query)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    html = needs_more_html(session, rel, audience_for(rel), wanted, cursor or None)
    return HTMLResponse(html)


def _project_context(
    session: Session, rel: ProjectRelation, wanted: NeedFilter, cursor: str | None
) -> dict[str, object]:
    project_id = id_of(rel.project)
    ids = {rel.project.owner_org_id, *projects.partner_ids(session, project_id=project_id)}
    audience = audience_for(rel)
    overview = projects.phase_overview(session, rel=rel)
    if wanted.is_default and not cursor:
        needs_html = needs_list_html(session, rel, audience, oob=False)
    else:
        needs_html = needs_results_html(session, rel, audience, wanted, cursor)
    return {
        "project": rel.project,
        "rel": rel,
        "tabs": project_tabs.tabs_for(session, rel=rel, current=Section.needs),
        "orgs": projects.organisations_by_id(session, ids),
        "partner_ids": sorted(ids - {rel.project.owner_org_id}),
        "needs_list_html": Markup(needs_html),
        "wanted": wanted,
        "cursor": cursor,
        "NeedSort": NeedSort,
        "audience": audience,
        "can_post": permissions.allows(permissions.ensure_can_post_need, rel),
        "open_hearings": [
            h for h in hearings.list_hearings(session, rel=rel) if hearings.is_open(h)
        ],
        "themes": themes.names_of(session, project_id=project_id),
        "auto_themes": auto_themes.of_project(session, rel=rel),
        "steps": projects.timeline(rel.project, overview),
        "next_phases": overview.next_phases,
        "suppliers": dialogue.list_suppliers(session, rel=rel) if rel.is_procurer else [],
    }


# What the person's own parts of the project page show: whether they follow it.
PROJECT_OWN = OwnParts(
    read=lambda session, rel: {
        "follows": following.is_following(session, user=rel.user, subject=rel.project)
    },
    facts={"follows": following.follows_project},
    context=lambda facts: {"follows": bool(facts["follows"])},
)


@pages.post("/projects/{project_id}/phase")
def move_phase_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    to_phase: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """A procurer's gate decision from the project page, once confirmed; the page then shows the
    new phase."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    data = parse(PhaseMoveCreate, to_phase=to_phase, rationale=rationale)
    permissions.ensure_can_move_phase(rel)  # says who may decide before asking to confirm
    if confirm != "yes":
        raise Invalid(CONFIRM_GATE_DECISION)
    projects.move_phase(session, rel=rel, to_phase=data.to_phase, rationale=data.rationale)
    return redirect(request, f"/projects/{project_id}")


@api.get("")
def list_projects(session: SessionDep, user: CurrentUser) -> list[ProjectPublic]:
    """Projects the caller may see."""
    return [projects.to_public(session, p) for p in projects.list_projects(session, user=user)]


@api.post("", status_code=201)
def create_project(session: SessionDep, user: CurrentUser, data: ProjectCreate) -> ProjectPublic:
    """Open a project (procurers, for their own municipality)."""
    return projects.to_public(session, projects.create_project(session, user=user, data=data))


@api.get("/{project_id}")
def read_project(session: SessionDep, user: CurrentUser, project_id: Id) -> ProjectPublic:
    """One project."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return projects.to_public(session, rel.project)


@api.get("/{project_id}/themes")
def read_themes(session: SessionDep, user: CurrentUser, project_id: Id) -> ProjectThemesPublic:
    """The project's themes: the procurers' own (with how many of their needs the caller may
    see) and the automatic groups of its needs, each labelled with its characteristic words."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    found = auto_themes.of_project(session, rel=rel)
    return ProjectThemesPublic(
        manual=[
            ManualThemePublic(name=t.name, need_count=t.need_count)
            for t in auto_themes.manual_counts(session, rel=rel)
        ],
        automatic=[
            AutoThemePublic(
                key=t.key,
                words=list(t.words),
                need_ids=list(t.need_ids),
                need_count=len(t.need_ids),
            )
            for t in found.themes
        ],
        ungrouped_count=found.ungrouped,
    )


@api.get("/{project_id}/phase")
def read_phase(session: SessionDep, user: CurrentUser, project_id: Id) -> ProjectPhasePublic:
    """The project's phase, the phases it may move to next, and its gate decisions so far."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return projects.phase_overview(session, rel=rel)


@api.post("/{project_id}/phase")
def move_phase(
    session: SessionDep, user: CurrentUser, project_id: Id, data: PhaseMoveCreate
) -> ProjectPhasePublic:
    """A gate decision (the project's procurers): the next phase, or aborted, with a rationale."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    projects.move_phase(session, rel=rel, to_phase=data.to_phase, rationale=data.rationale)
    return projects.phase_overview(session, rel=rel)
