"""Notifications: the page and its settings, marking read, following, one-click unsubscribe, API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.db import SessionDep
from app.models import Need
from app.models.base import Cursor, Id
from app.models.notification import DeliveryChoices, MarkRead, NotificationPage
from app.services import following, needs, permissions, projects
from app.services.notifications import delivery, inbox
from app.services.permissions import ProjectRelation
from app.web import CommittingRoute, CurrentUser, api_router, is_htmx, page_router, redirect, render

pages = page_router()
api = api_router("notifications")
# The unsubscribe link works without a login or a CSRF token: the signed token is the authority,
# and RFC 8058 mail clients POST to it on their own.
unsubscribe_pages = APIRouter(route_class=CommittingRoute, include_in_schema=False)


@pages.get("/me/notifications")
def notifications_page(
    request: Request, session: SessionDep, user: CurrentUser, before: Cursor | None = None
) -> Response:
    """The person's notifications, newest first, thirty at a time."""
    user = permissions.require_user(user)
    views, next_before = inbox.page(session, user=user, before=before or None)
    context = {
        "views": views,
        "next_before": next_before,
        "unread": inbox.unread_count(session, user=user),
    }
    return render(request, "notifications/page.html", context)


@pages.post("/me/notifications/{notification_id}/read")
def mark_one_read(
    request: Request, session: SessionDep, user: CurrentUser, notification_id: Id
) -> Response:
    """Mark one notification read (htmx: the item again; without JavaScript: back to the list)."""
    user = permissions.require_user(user)
    inbox.mark_read(session, user=user, ids=[notification_id])
    if is_htmx(request):
        views = [v for v in inbox.page(session, user=user, before=notification_id + 1, limit=1)[0]]
        if views and views[0].notification.id == notification_id:
            return render(request, "notifications/_item.html", {"view": views[0]})
        return Response(status_code=200)
    return redirect(request, f"/me/notifications#notification-{notification_id}")


@pages.post("/me/notifications/read")
def mark_all_read(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Mark every notification read."""
    inbox.mark_read(session, user=permissions.require_user(user))
    return redirect(request, "/me/notifications")


@pages.get("/me/notifications/settings")
def settings_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """How each kind of notification reaches the person by e-mail."""
    user = permissions.require_user(user)
    chosen = delivery.preferences(session, user_id=user.id or 0)
    saved = request.query_params.get("saved") == "1"
    return render(request, "notifications/settings.html", {"chosen": chosen, "saved": saved})


@pages.post("/me/notifications/settings")
def save_settings(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    choices: Annotated[DeliveryChoices, Form()],
) -> Response:
    """Store the person's choices."""
    user = permissions.require_user(user)
    delivery.set_preferences(session, user=user, choices=choices.chosen())
    return redirect(request, "/me/notifications/settings?saved=1")


@unsubscribe_pages.get("/unsubscribe/{unsubscribe_token}")
def unsubscribe_page(request: Request, session: SessionDep, unsubscribe_token: str) -> Response:
    """Ask to confirm (a mail scanner that fetches the link changes nothing)."""
    token = unsubscribe_token
    user, scope = delivery.read_token(session, token=token)
    kinds = delivery.scope_kinds(session, user_id=user.id or 0, scope=scope)
    context = {"token": token, "kinds": kinds, "done": False, "digest": scope == delivery.DIGEST}
    return render(request, "notifications/unsubscribe.html", context)


@unsubscribe_pages.post("/unsubscribe/{unsubscribe_token}")
def unsubscribe(request: Request, session: SessionDep, unsubscribe_token: str) -> Response:
    """Turn the mail off: the one-click POST of RFC 8058, or the confirm page's button."""
    _user, kinds = delivery.unsubscribe(session, token=unsubscribe_token)
    context = {"token": unsubscribe_token, "kinds": kinds, "done": True, "digest": False}
    return render(request, "notifications/unsubscribe.html", context)


@pages.post("/projects/{project_id}/follow")
def follow_project(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """Follow a project from its page."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return _set_following(request, session, rel, rel.project, follows=True)


@pages.post("/projects/{project_id}/unfollow")
def unfollow_project(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id
) -> Response:
    """Stop following a project."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return _set_following(request, session, rel, rel.project, follows=False)


@pages.post("/needs/{need_id}/follow")
def follow_need(request: Request, session: SessionDep, user: CurrentUser, need_id: Id) -> Response:
    """Follow a need from its page."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    return _set_following(request, session, rel, need, follows=True)


@pages.post("/needs/{need_id}/unfollow")
def unfollow_need(
    request: Request, session: SessionDep, user: CurrentUser, need_id: Id
) -> Response:
    """Stop following a need."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    return _set_following(request, session, rel, need, follows=False)


def _set_following(
    request: Request,
    session: Session,
    rel: ProjectRelation,
    subject: following.Followable,
    *,
    follows: bool,
) -> Response:
    """Follow or stop following; htmx gets the button again, a plain form its page back."""
    (following.follow if follows else following.unfollow)(session, rel=rel, subject=subject)
    kind = "need" if isinstance(subject, Need) else "project"
    url = f"/{kind}s/{subject.id}"
    if is_htmx(request):
        context = {"follow_url": url, "follows": follows, "follow_kind": kind}
        return render(request, "notifications/_follow.html", context)
    return redirect(request, url)


@api.get("/me/notifications", response_model=NotificationPage)
def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    before: Cursor | None = None,
    limit: Annotated[int, Query(ge=1, le=inbox.MAX_PAGE_SIZE)] = inbox.PAGE_SIZE,
) -> NotificationPage:
    """The caller's notifications, newest first, with the unread count; page on with `before`."""
    user = permissions.require_user(user)
    return inbox.inbox(session, user=user, before=before or None, limit=limit)


@api.post("/me/notifications/read", response_model=NotificationPage)
def read_notifications(session: SessionDep, user: CurrentUser, body: MarkRead) -> NotificationPage:
    """Mark the given notifications read (or all of them without `ids`); the first page after."""
    user = permissions.require_user(user)
    inbox.mark_read(session, user=user, ids=body.ids)
    return inbox.inbox(session, user=user)


@api.get("/me/notifications/settings", response_model=DeliveryChoices)
def delivery_settings(session: SessionDep, user: CurrentUser) -> DeliveryChoices:
    """How each kind of notification reaches the person by e-mail (their choice or the default)."""
    user = permissions.require_user(user)
    return DeliveryChoices(**delivery.preferences(session, user_id=user.id or 0))


@api.patch("/me/notifications/settings", response_model=DeliveryChoices)
def change_delivery_settings(
    session: SessionDep, user: CurrentUser, choices: DeliveryChoices
) -> DeliveryChoices:
    """Change how the kinds named are mailed (the others keep theirs); every kind's delivery."""
    user = permissions.require_user(user)
    return DeliveryChoices(**delivery.set_preferences(session, user=user, choices=choices.chosen()))


@api.post("/projects/{project_id}/follow", status_code=201)
def follow_project_api(session: SessionDep, user: CurrentUser, project_id: Id) -> dict[str, bool]:
    """Follow a project one can see (409 if one already does)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    following.follow(session, rel=rel, subject=rel.project)
    return {"following": True}


@api.delete("/projects/{project_id}/follow", status_code=204)
def unfollow_project_api(session: SessionDep, user: CurrentUser, project_id: Id) -> None:
    """Stop following a project (404 if one did not)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    following.unfollow(session, rel=rel, subject=rel.project)


@api.post("/needs/{need_id}/follow", status_code=201)
def follow_need_api(session: SessionDep, user: CurrentUser, need_id: Id) -> dict[str, bool]:
    """Follow a need one can see (409 if one already does)."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    following.follow(session, rel=rel, subject=need)
    return {"following": True}


@api.delete("/needs/{need_id}/follow", status_code=204)
def unfollow_need_api(session: SessionDep, user: CurrentUser, need_id: Id) -> None:
    """Stop following a need (404 if one did not)."""
    rel, need = needs.find_need(session, user=user, need_id=need_id)
    following.unfollow(session, rel=rel, subject=need)
