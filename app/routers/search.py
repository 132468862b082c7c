"""Search: the results page behind the header's search field, and `GET /api/v1/search`.

Rules live in `app/services/search/`; this module parses, calls and renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.i18n import gettext
from app.models.search import SEARCH_KIND_LABELS, SearchResultPublic, SearchResultsPublic
from app.services.errors import Invalid
from app.services.search import query as search
from app.services.search.snippets import heading, plain, snippet
from app.web import CurrentUser, api_router, page_router, render

pages = page_router()
api = api_router("search")
PAGE_MAX = search.OFFSET_MAX // search.PAGE_SIZE


@api.get("/search")
def search_api(
    session: SessionDep,
    user: CurrentUser,
    q: str = "",
    offset: Annotated[int, Query(ge=0, le=search.OFFSET_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=search.LIMIT_MAX)] = search.PAGE_SIZE,
) -> SearchResultsPublic:
    """What matches the words of `q` that the caller may open, best first, and how many in all."""
    found = search.search(session, user=user, query=q, offset=offset, limit=limit)
    results = [
        SearchResultPublic(
            kind=hit.kind,
            id=hit.object_id,
            project_id=hit.project_id,
            project_title=hit.project_title,
            title=hit.title,
            url=search.url_of(hit),
            snippet=plain(snippet(hit.body or hit.title, found.stems)),
        )
        for hit in found.hits
    ]
    return SearchResultsPublic(
        query=q,
        total=found.total,
        more=found.more,
        order="newest" if found.newest_first else "relevance",
        offset=found.offset,
        limit=found.limit,
        results=results,
    )


@pages.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: str = "",
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
) -> Response:
    """The results page: what matches, as a list with headings, and the count said politely."""
    try:
        found = search.search(session, user=user, query=q, offset=(page - 1) * search.PAGE_SIZE)
    except Invalid as refusal:
        context = {"q": q[: search.QUERY_MAX], "error": gettext(refusal.message, **refusal.params)}
        return render(request, "search/results.html", _page(context), status_code=422)
    results = [
        {
            "kind": SEARCH_KIND_LABELS[hit.kind],
            "title": heading(hit.title, found.stems, search.TITLE_SHOWN),
            "url": search.url_of(hit),
            "project_title": hit.project_title,
            "pieces": snippet(hit.body or hit.title, found.stems),
        }
        for hit in found.hits
    ]
    shown = {"q": q, "found": found, "results": results, "page": page}
    return render(request, "search/results.html", _page(shown))


def _page(context: Mapping[str, object]) -> dict[str, object]:
    """The page's context: what every state of the page shows, and this state's own."""
    defaults: dict[str, object] = {
        "found": None,
        "error": None,
        "query_max": search.QUERY_MAX,
        "page_max": PAGE_MAX,
    }
    return defaults | dict(context)
