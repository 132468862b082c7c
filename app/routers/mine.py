"""My contributions: the /me page and `GET /api/v1/me/contributions`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.models.mine import ContributionKind, ContributionsPage
from app.services import mine, permissions
from app.web import CurrentUser, api_router, page_router, render

pages = page_router()
api = api_router("me", prefix="/me")


@pages.get("/me")
def my_contributions_page(
    request: Request, session: SessionDep, user: CurrentUser, kind: str = "", cursor: str = ""
) -> Response:
    """My needs, comments, supports, questions, proposals, registrations and bookings, each with
    where it stands and what is new since I last looked here (then marked as seen)."""
    me = permissions.require_user(user)
    chosen = mine.parse_kind(kind)
    seen_at = me.contributions_seen_at
    if chosen is None:
        pages_by_kind = mine.by_kind(session, user=me)
        mine.mark_seen(session, user=me)  # the whole page was looked at
    else:  # one kind, from a "more" link: the next page of it
        pages_by_kind = {chosen: mine.contributions(session, user=me, kind=chosen, cursor=cursor)}
    context = {
        "pages": pages_by_kind,
        "seen_at": seen_at,
        "chosen": chosen,
        "Kind": ContributionKind,
    }
    return render(request, "mine/contributions.html", context)


@api.get("/contributions")
def my_contributions(
    session: SessionDep,
    user: CurrentUser,
    kind: Annotated[
        str,
        Query(
            description="need, comment, support, question, proposal, registration or "
            "booking; empty for all of them in one feed"
        ),
    ] = "",
    cursor: Annotated[str, Query(description="The `next` of the page before")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = mine.PAGE_SIZE,
) -> ContributionsPage:
    """My contributions across projects, newest first: of one kind, or all kinds in one feed.

    Each item has its current status and `new_count`, what others did to it since I last
    opened /me (reading the API does not move that moment). Send `next` back as `cursor`
    (with the same `kind`) for the next page.
    """
    me = permissions.require_user(user)
    chosen = mine.parse_kind(kind)
    return mine.contributions(session, user=me, kind=chosen, cursor=cursor or None, limit=limit)
