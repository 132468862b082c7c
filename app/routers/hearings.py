"""The hearing of a draft specification: its page, its forms and its JSON API.

Rules live in `app/services/hearings.py`; this module parses, calls and renders.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import i18n
from app.db import SessionDep
from app.models import Hearing, HearingComment
from app.models.base import Id
from app.models.hearing import (
    HEARING_AUDIENCE_LABELS,
    HearingCommentCreate,
    HearingCommentPublic,
    HearingDetail,
    HearingOpen,
    HearingPublic,
    PassagePublic,
)
from app.services import hearings, projects
from app.services.errors import Invalid
from app.services.hearings import CommentView
from app.services.permissions import ProjectRelation
from app.views.hearings import Heard, heard
from app.web import (
    CurrentUser,
    FormView,
    api_router,
    detached,
    form_moment,
    page_router,
    parse,
    redirect,
    refuse,
    render,
)

pages = page_router()
api = api_router("hearings")

# Refusals about the passage stand beside the passage field of the form.
PASSAGE_REFUSALS = frozenset(
    {hearings.PASSAGE_MISMATCH, hearings.PASSAGE_NOT_FOUND, hearings.NO_SUCH_VERSION}
)


def _public(hearing: Hearing) -> HearingPublic:
    return HearingPublic(
        id=hearing.id or 0,
        project_id=hearing.project_id,
        deadline=hearing.deadline,
        opened_at=hearing.opened_at,
        open=hearings.is_open(hearing),
        audiences=hearings.audiences(hearing),
    )


def _comment_public(view: CommentView) -> HearingCommentPublic:
    row: HearingComment = view.comment
    passage = None
    if row.passage_quote is not None:
        passage = PassagePublic(
            start=row.passage_start or 0,
            end=row.passage_end or 0,
            quote=row.passage_quote,
            version=row.passage_version or 0,
        )
    return HearingCommentPublic(
        id=row.id or 0,
        requirement_id=row.requirement_id,
        body=row.body,
        author_name=view.author_name or i18n.gettext(hearings.A_SUPPLIER),
        author_role=view.author_role,
        passage=passage,
        created_at=row.created_at,
    )


@api.post("/projects/{project_id}/hearings", status_code=201)
def open_hearing(
    session: SessionDep, user: CurrentUser, project_id: Id, data: HearingOpen
) -> HearingPublic:
    """Put the project's draft requirements out for hearing (the project's procurers)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return _public(hearings.open_hearing(session, rel=rel, data=data))


@api.get("/projects/{project_id}/hearings")
def list_hearings(session: SessionDep, user: CurrentUser, project_id: Id) -> list[HearingPublic]:
    """The project's hearings the caller takes part in, newest first."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return [_public(h) for h in hearings.list_hearings(session, rel=rel)]


@api.get("/hearings/{hearing_id}")
def read_hearing(session: SessionDep, user: CurrentUser, hearing_id: Id) -> HearingDetail:
    """A hearing with its comments, each author as far as the caller may know them."""
    hearing, rel = hearings.find(session, user=user, hearing_id=hearing_id)
    views = hearings.comments(session, rel=rel, hearing=hearing)
    return HearingDetail(
        **_public(hearing).model_dump(), comments=[_comment_public(v) for v in views]
    )


@api.post("/hearings/{hearing_id}/comments", status_code=201)
def comment(
    session: SessionDep, user: CurrentUser, hearing_id: Id, data: HearingCommentCreate
) -> HearingCommentPublic:
    """Comment on a requirement of the hearing, or on a passage of it, before the deadline."""
    hearing, rel = hearings.find(session, user=user, hearing_id=hearing_id)
    row = hearings.comment(session, rel=rel, hearing=hearing, data=data)
    return _comment_public(hearings.own_view(session, rel=rel, row=row))


# ---- pages -------------------------------------------------------------------------------------


def _kept(items: list[Heard]) -> list[Heard]:
    """Copies of the page's rows, for a refused form drawn after the rollback."""
    return [
        Heard(
            requirement=detached([item.requirement])[0],
            segments=item.segments,
            comments=[
                CommentView(detached([c.comment])[0], c.author_name, c.author_role)
                for c in item.comments
            ],
        )
        for item in items
    ]


def _page_context(
    session: Session, rel: ProjectRelation, hearing: Hearing, *, detach: bool = False
) -> dict[str, object]:
    """What the hearing's page shows; copies when a refused form draws it after the rollback."""
    items = heard(session, rel, hearing)
    return {
        "project": detached([rel.project])[0] if detach else rel.project,
        "hearing": detached([hearing])[0] if detach else hearing,
        "items": _kept(items) if detach else items,
        "is_open": hearings.is_open(hearing),
        "audience_names": [
            i18n.gettext(HEARING_AUDIENCE_LABELS[a]) for a in hearings.audiences(hearing)
        ],
        "HearingCommentCreate": HearingCommentCreate,
    }


@pages.get("/hearings/{hearing_id}")
def hearing_page(
    request: Request, session: SessionDep, user: CurrentUser, hearing_id: Id
) -> Response:
    """A hearing: each requirement's text with its commented passages, its comments, the forms."""
    hearing, rel = hearings.find(session, user=user, hearing_id=hearing_id)
    return render(request, "hearings/page.html", _page_context(session, rel, hearing))


@pages.post("/projects/{project_id}/hearings")
def open_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    deadline: Annotated[str, Form()] = "",
    employees: Annotated[str, Form()] = "",
    citizens: Annotated[str, Form()] = "",
    suppliers: Annotated[str, Form()] = "",
) -> Response:
    """A procurer puts the draft out for hearing from the specification workspace."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    chosen = {"employees": employees, "citizens": citizens, "suppliers": suppliers}
    data = HearingOpen.model_validate(
        {"deadline": form_moment(deadline), **{k: v == "yes" for k, v in chosen.items()}}
    )
    hearing = hearings.open_hearing(session, rel=rel, data=data)
    return redirect(request, f"/hearings/{hearing.id}")


@pages.post("/hearings/{hearing_id}/comments")
def comment_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    hearing_id: Id,
    requirement_id: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    passage: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    quote: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    """Someone heard comments from the hearing's page; back to the requirement."""
    hearing, rel = hearings.find(session, user=user, hearing_id=hearing_id)
    view = FormView("hearings/page.html", _page_context(session, rel, hearing, detach=True))
    view = FormView(view.template, view.context, page=True)
    typed = {"requirement_id": requirement_id, "body": body, "passage": passage}
    offsets = {"start": start, "end": end, "quote": quote, "version": version}
    fields = {**typed, **{k: v or None for k, v in offsets.items()}}
    data = parse(HearingCommentCreate, view, **fields)
    try:
        row = hearings.comment(session, rel=rel, hearing=hearing, data=data)
    except Invalid as refused:
        if refused.message not in PASSAGE_REFUSALS:
            raise
        refuse(view, "passage", i18n.gettext(refused.message, **refused.params), **typed)
    return redirect(request, f"/hearings/{hearing_id}#requirement-{row.requirement_id}")
