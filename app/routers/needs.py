"""Needs, supports, comments and need status: pages with htmx fragments, and the API."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from app.db import SessionDep
from app.i18n import gettext as _
from app.models import Comment, Need, User
from app.models.base import Id, id_of
from app.models.need import (
    CommentCreate,
    CommentPublic,
    NeedCreate,
    NeedPublic,
    NeedStatusChange,
    SimilarNeed,
)
from app.services import (
    following,
    merge_suggestions,
    moderation,
    need_list,
    needs,
    permissions,
    projects,
    similar_needs,
    suggestions,
    themes,
)
from app.services.errors import NotFound
from app.services.need_list import NeedFilter
from app.services.permissions import ProjectRelation, audience_for
from app.views import trace as trace_view
from app.views.needs import (
    comments_html,
    comments_more_html,
    editing_context,
    own_comments_context,
)
from app.web import (
    CurrentUser,
    FormView,
    api_router,
    detached,
    fragment_or_redirect,
    page_router,
    parse,
    project_content_page,
    redirect,
    render,
    render_project_page,
    shared_hits,
)

pages = page_router()
api = api_router("needs")


def need_page_context(
    session: Session,
    rel: ProjectRelation,
    need_id: int,
    cursor: str | None = None,
    own_cursor: str | None = None,
) -> dict[str, object]:
    """Everything the need page and its fragments show, for this viewer (the thread from
    `cursor`, their own comments from `own_cursor`, when a "Show more" link without JavaScript
    led here)."""
    page = need_shared_context(session, rel, need_id, cursor, as_author=True)
    own = need_own_context(session, rel, page["need"], own_cursor)  # type: ignore[arg-type]
    return {**page, **own}


def need_shared_context(
    session: Session, rel: ProjectRelation, need_id: int, cursor: str | None, *, as_author: bool
) -> dict[str, object]:
    """What the need page shows everyone who stands alike to the project (`as_author`: and
    what the need's author alone sees of it, when the viewer may be its author)."""
    view = needs.need_view(session, rel=rel, need_id=need_id, as_author=as_author)
    audience = audience_for(rel)
    merged_into = (
        needs.need_view(session, rel=rel, need_id=view.need.merged_into_id)
        if view.need.merged_into_id
        else None
    )
    return {
        "project": rel.project,
        "rel": rel,
        "view": view,
        "need": view.need,
        "merged_into": merged_into,
        "comments_html": Markup(
            comments_html(session, rel, audience, view.need, oob=False, cursor=cursor)
        ),
        "audience": audience,
        "can_support": permissions.allows(permissions.ensure_can_support, rel),
        "can_comment": permissions.allows(permissions.ensure_can_comment, rel),
        "other_needs": needs.list_needs(session, rel=rel) if rel.is_procurer else [],
        # What only the author sees: their own hidden or held need, in full.
        "own": as_author and permissions.is_author(rel, view.need),
        "may_review_need": moderation.may_ask_review(session, view.need),
        **trace_view.need_context(session, rel, need_id),
    }


def need_own_context(
    session: Session, rel: ProjectRelation, need: Need, own_cursor: str | None = None
) -> dict[str, object]:
    """What the person's own parts of the need page show: whether they support and follow it,
    what they may edit, a page of their own comments (from `own_cursor`), and their comments
    others do not see."""
    need_id = id_of(need)
    return {
        "need": need,
        "can_support": permissions.allows(permissions.ensure_can_support, rel),
        "supported": needs.has_supported(session, user=rel.user, need_id=need_id),
        "follows": following.is_following(session, user=rel.user, subject=need),
        **editing_context(session, rel, need, own_cursor),
        "own_moderated": moderation.own_moderated_comments(session, rel=rel, need_id=need_id),
    }


@pages.post("/projects/{project_id}/needs")
def post_need_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    title: Annotated[str, Form()] = "",
    problem: Annotated[str, Form()] = "",
    affected: Annotated[str, Form()] = "",
    anonymous: Annotated[bool, Form()] = False,
    theme: Annotated[str, Form()] = "",
) -> Response:
    """Post a need from the project page."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    names = themes.names_of(session, project_id=project_id)
    # drawn again after the rollback when the form fails: a copy of the project (detached)
    project = detached([rel.project])[0]
    view = FormView("projects/_need_form.html", {"project": project, "themes": names})
    data = parse(
        NeedCreate,
        view,
        title=title,
        problem=problem,
        affected=affected,
        anonymous=anonymous,
        theme=theme,
    )
    need = needs.post_need(session, rel=rel, data=data)
    context = {
        "project": rel.project,
        "themes": names,
        "message": _("Thank you! Your need has been posted."),
    }
    return fragment_or_redirect(request, f"/needs/{need.id}", "projects/_need_form.html", context)


@pages.get("/needs/{need_id}")
async def need_page(
    request: Request, need_id: Id, cursor: str = "", own_cursor: str = ""
) -> Response:
    """A need with its status, supports and comment thread (from `cursor`, and the viewer's own
    comments from `own_cursor`, when a "Show more" link without JavaScript led here)."""
    if hit := await shared_hits.need_page(request, need_id):
        return hit
    return await project_content_page(
        request,
        needs.VERSION_FOR_VISITORS,
        need_id,
        lambda session, user: _need_page(
            request, session, user, need_id, (cursor or None, own_cursor or None)
        ),
    )


def _need_page(
    request: Request,
    session: Session,
    user: User | None,
    need_id: int,
    at: tuple[str | None, str | None],
) -> Response:
    """The need page, its thread and the viewer's own comments from the cursors `at`."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    cursor, own_cursor = at
    if merge_suggestions.offered_to(rel):  # recorded as shown to them: their page is theirs

        def context(rel: ProjectRelation) -> dict[str, object]:
            # Only on the page itself (not its fragments): each one shown is recorded.
            shown = merge_suggestions.show(session, rel=rel, need=need)
            page = need_page_context(session, rel, need_id, cursor, own_cursor)
            return {**page, "merge_suggestions": shown}

        return render_project_page(request, session, "needs/detail.html", rel, context)
    # The need's author sees it as no one else does (hidden or held, in full): a page of
    # their own, also shared with no one.
    wrote = id_of(need) if permissions.is_author(rel, need) else None

    def shared(viewed: ProjectRelation) -> dict[str, object]:
        return need_shared_context(session, viewed, need_id, cursor, as_author=wrote is not None)

    def own(viewed: ProjectRelation) -> dict[str, object]:
        return need_own_context(session, viewed, need, own_cursor)

    return render_project_page(request, session, "needs/detail.html", rel, shared, own, wrote=wrote)


@pages.get("/needs/{need_id}/comments")
def comments_fragment(session: SessionDep, user: CurrentUser, need_id: Id, cursor: str) -> Response:
    """The next page of a need's thread and its "load more" link (htmx puts it in place of the
    link clicked; without htmx the link goes to the need page with the same cursor)."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    return HTMLResponse(comments_more_html(session, rel, audience_for(rel), need, cursor))


@pages.get("/needs/{need_id}/own-comments")
def own_comments_fragment(
    request: Request, session: SessionDep, user: CurrentUser, need_id: Id, cursor: str = ""
) -> Response:
    """The next page of the viewer's own comments on the need and its "Show more" link (htmx
    puts it in place of the link clicked; without htmx the link goes to the need page with
    `own_cursor`). Anyone who may see the need asks it, but only ever of their own comments."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    context = own_comments_context(session, rel, need, cursor or None)
    return render(request, "needs/_own_comments_more.html", context)


@pages.post("/needs/{need_id}/support")
def support_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    need_id: Id,
    suggestion_id: Annotated[Id | None, Form()] = None,
) -> Response:
    """Support a need; from a suggestion under the new-need form, that suggestion is accepted."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    if suggestion_id is None:
        needs.support_need(session, rel=rel, need=need)
        return _need_fragment(request, session, rel, need_id, "needs/_support.html")
    # The suggestion first: a refused one must leave no support behind, and on SQLite the
    # support's savepoint commits at once unless a write has begun the transaction before it.
    suggestions.accept(session, rel=rel, suggestion_id=suggestion_id, need=need)
    needs.support_need(session, rel=rel, need=need)
    context = {"need_id": need_id}
    return fragment_or_redirect(
        request, f"/needs/{need_id}", "projects/_similar_supported.html", context
    )


@pages.post("/needs/{need_id}/support/withdraw")
def withdraw_support_form(
    request: Request, session: SessionDep, user: CurrentUser, need_id: Id
) -> Response:
    """Withdraw a support."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    needs.withdraw_support(session, rel=rel, need=need)
    return _need_fragment(request, session, rel, need_id, "needs/_support.html")


def _need_fragment(
    request: Request, session: Session, rel: ProjectRelation, need_id: int, template: str
) -> Response:
    """The need page's part that changed, for htmx; else back to the need page."""
    context = need_page_context(session, rel, need_id)
    return fragment_or_redirect(request, f"/needs/{need_id}", template, context)


@pages.post("/needs/{need_id}/comments")
def comment_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    need_id: Id,
    body: Annotated[str, Form()] = "",
    parent_id: Annotated[str, Form()] = "",
) -> Response:
    """Comment on a need or reply to a comment."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    reply_to = int(parent_id) if parent_id.isascii() and parent_id.isdigit() else None
    view = FormView("needs/_comment_form.html", {"need": need, "parent_id": reply_to})
    data = parse(CommentCreate, view, body=body, parent_id=parent_id or None)
    needs.add_comment(session, rel=rel, need=need, data=data)
    context: dict[str, object] = {
        "need": need,
        "parent_id": data.parent_id,
        "message": _("Your comment has been posted."),
    }
    return fragment_or_redirect(request, f"/needs/{need_id}", "needs/_comment_form.html", context)


@pages.post("/needs/{need_id}/status")
def status_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    need_id: Id,
    status: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    merged_into_id: Annotated[str, Form()] = "",
) -> Response:
    """The procurer's decision on a need."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    change = parse(
        NeedStatusChange,
        status=status,
        reason=reason,
        merged_into_id=merged_into_id or None,
    )
    needs.set_status(session, rel=rel, need=need, change=change)
    return _need_fragment(request, session, rel, need_id, "needs/_status.html")


@pages.post("/comments/{comment_id}/hide")
def hide_comment_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    comment_id: Id,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A procurer hides a comment, with a reason."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("No such comment.")
    rel, _need = needs.find_need(session, user=user, need_id=comment.need_id)
    needs.hide_comment(session, rel=rel, comment=comment, reason=reason)
    return redirect(request, f"/needs/{comment.need_id}")


@pages.post("/needs/{need_id}/hide")
def hide_need_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    need_id: Id,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A moderator hides a need, with a reason shown in its place."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    moderation.hide(session, rel=rel, content=need, reason=reason)
    return redirect(request, f"/needs/{need_id}")


# ---- JSON API -------------------------------------------------------------------------------


@api.get("/projects/{project_id}/needs")
def list_needs(
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    response: Response,
    wanted: Annotated[NeedFilter, Depends(need_list.parse_filter)],
    cursor: Annotated[str, Query(description="Where to go on: the `next` of a page")] = "",
    limit: Annotated[int, Query(ge=1, le=need_list.API_PAGE_MAX)] = need_list.API_PAGE_MAX,
) -> list[NeedPublic]:
    """The project's needs with counts, a page at a time: `q` searches title and problem (any
    case), `status` keeps one status, `theme` the needs of one of the project's themes (by
    name; 422 for another), `group` those of one of its automatic themes (by the `key` of
    `GET /projects/{id}/themes`; 422 for another), `sort` is `newest` (the default),
    `supported` or `discussed`.

    The body is the page; when there is more, the `Link` header holds the next page's URL
    (`rel="next"`) and `X-Next-Cursor` its cursor, to send back as `cursor` with the same
    `q`, `status`, `theme`, `group` and `sort`.
    """
    rel = projects.get_project(session, user=user, project_id=project_id)
    page = need_list.list_page(session, rel=rel, wanted=wanted, cursor=cursor or None, limit=limit)
    if page.next_cursor:
        params = urlencode({**wanted.params(), "cursor": page.next_cursor, "limit": limit})
        next_url = f"/api/v1/projects/{project_id}/needs?{params}"
        response.headers["Link"] = "<" + next_url + '>; rel="next"'  # RFC 8288
        response.headers["X-Next-Cursor"] = page.next_cursor
    return [view.to_public() for view in page.views]


@api.get("/projects/{project_id}/needs/similar")
def similar_needs_api(
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    text: Annotated[
        str, Query(min_length=similar_needs.TEXT_MIN, max_length=similar_needs.TEXT_MAX)
    ],
    min_score: Annotated[float, Query(ge=0, le=1)] = similar_needs.DEFAULT_THRESHOLD,
) -> list[SimilarNeed]:
    """The project's needs most like `text` (at most ten), best first, each with its score
    (cosine, 0–1), only those at or above `min_score` and only needs the caller may read."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    found = similar_needs.similar(session, rel=rel, text=text, min_score=min_score)
    return [SimilarNeed(need_id=c.need_id, title=c.title, score=c.score) for c in found]


@api.post("/projects/{project_id}/needs", status_code=201)
def create_need(
    session: SessionDep, user: CurrentUser, project_id: Id, data: NeedCreate
) -> NeedPublic:
    """Post a need."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    need = needs.post_need(session, rel=rel, data=data)
    return needs.need_view(session, rel=rel, need_id=id_of(need), as_author=True).to_public()


@api.get("/needs/{need_id}")
def read_need(session: SessionDep, user: CurrentUser, need_id: Id) -> NeedPublic:
    """One need with counts."""
    rel, _need = needs.find_need(session, user=user, need_id=need_id)
    return needs.need_view(session, rel=rel, need_id=need_id, as_author=True).to_public()


@api.put("/needs/{need_id}/status")
def change_status(
    session: SessionDep, user: CurrentUser, need_id: Id, change: NeedStatusChange
) -> NeedPublic:
    """Set a need's status (the project's procurers)."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    needs.set_status(session, rel=rel, need=need, change=change)
    return needs.need_view(session, rel=rel, need_id=need_id).to_public()


@api.post("/needs/{need_id}/supports", status_code=201)
def add_support(session: SessionDep, user: CurrentUser, need_id: Id) -> NeedPublic:
    """Support a need (once per person)."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    needs.support_need(session, rel=rel, need=need)
    return needs.need_view(session, rel=rel, need_id=need_id).to_public()


@api.delete("/needs/{need_id}/supports", status_code=204)
def remove_support(session: SessionDep, user: CurrentUser, need_id: Id) -> None:
    """Withdraw the caller's support."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    needs.withdraw_support(session, rel=rel, need=need)


@api.get("/needs/{need_id}/comments")
def list_comments(session: SessionDep, user: CurrentUser, need_id: Id) -> list[CommentPublic]:
    """The need's comments, flat and oldest first (parent_id gives the thread)."""
    rel, _need = needs.find_need(session, user=user, need_id=need_id)
    flat: list[CommentPublic] = []
    stack = list(reversed(needs.comment_tree(session, rel=rel, need_id=need_id)))
    while stack:
        view = stack.pop()
        flat.append(view.to_public(rel.user))
        stack.extend(reversed(view.replies))
    return flat


@api.post("/needs/{need_id}/comments", status_code=201)
def create_comment(
    session: SessionDep, user: CurrentUser, need_id: Id, data: CommentCreate
) -> CommentPublic:
    """Comment on a need or reply to one of its comments."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    comment = needs.add_comment(session, rel=rel, need=need, data=data)
    return needs.own_comment_view(rel, comment).to_public()
