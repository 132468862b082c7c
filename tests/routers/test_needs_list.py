"""The needs list that scales: search, status filter, three orders, keyset paging, on the
project page, its "load more" fragment and the API, in a constant number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Comment, Need, Support, User
from app.models.base import NeedStatus
from app.services import need_list
from tests.conftest import Factory, World, login
from tests.helpers import EN, Api, counted_queries

MOMENT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def add_needs(
    session: Session, world: World, count: int, *, title: str = "Behov", same_moment: bool = False
) -> list[int]:
    """`count` needs straight into the public project (oldest first), returning their ids."""
    needs = [
        Need(
            project_id=world.public.id,
            author_id=world.citizen.id,
            title=f"{title} {n:03d}",
            problem="Et problem som trenger en løsning.",
            created_at=MOMENT if same_moment else MOMENT + timedelta(minutes=n),
        )
        for n in range(count)
    ]
    session.add_all(needs)
    session.commit()
    return [n.id for n in needs]  # type: ignore[misc]


def supporters(factory: Factory, count: int) -> list[User]:
    from app.models.base import Role

    return [factory.user(Role.citizen) for _ in range(count)]


def walk(api: Api, project_id: int, user: User | None = None, **params: Any) -> list[list[int]]:
    """Every page of the API list, following `X-Next-Cursor`, as lists of need ids."""
    pages: list[list[int]] = []
    cursor = ""
    while True:
        response = api.get(
            f"/projects/{project_id}/needs", user, params={**params, "cursor": cursor}
        )
        assert response.status_code == 200, response.text
        pages.append([need["id"] for need in response.json()])
        cursor = response.headers.get("X-Next-Cursor", "")
        if not cursor:
            return pages
        assert 'rel="next"' in response.headers["Link"]


# ---- paging -------------------------------------------------------------------------------------


def test_pages_of_needs_that_share_a_moment_have_no_duplicates_or_gaps(
    api: Api, world: World, session: Session
) -> None:
    ids = add_needs(session, world, 60, same_moment=True)
    pages = walk(api, world.public.id, limit=25)
    assert [len(p) for p in pages] == [25, 25, 10]
    seen = [i for page in pages for i in page]
    assert seen == sorted(ids, reverse=True)


def test_most_supported_pages_through_many_needs_with_the_same_count(
    api: Api, world: World, session: Session, factory: Factory
) -> None:
    ids = add_needs(session, world, 40)
    people = supporters(factory, 3)
    # Needs 0-2 get 3, 2 and 1 supports; the other 37 share the count 0.
    for n, need_id in enumerate(ids[:3]):
        for person in people[: 3 - n]:
            session.add(Support(need_id=need_id, user_id=person.id))  # type: ignore[arg-type]
    session.commit()
    pages = walk(api, world.public.id, sort="supported", limit=10)
    seen = [i for page in pages for i in page]
    assert seen[:3] == ids[:3]
    assert seen[3:] == sorted(ids[3:], reverse=True)
    assert len(seen) == len(set(seen)) == 40


def test_most_discussed_puts_the_needs_with_most_visible_comments_first(
    api: Api, world: World, session: Session
) -> None:
    quiet, talked, hushed = add_needs(session, world, 3)
    for body in ("En", "To"):
        session.add(Comment(need_id=talked, author_id=world.employee.id, body=body))  # type: ignore[arg-type]
    for body in ("Skjult", "Også skjult", "Tre"):
        session.add(
            Comment(need_id=hushed, author_id=world.employee.id, body=body, hidden=body != "Tre")  # type: ignore[arg-type]
        )
    session.commit()
    [page] = walk(api, world.public.id, sort="discussed")
    assert page == [talked, hushed, quiet]


def test_a_need_posted_between_two_pages_neither_repeats_nor_hides_a_need(
    api: Api, world: World, session: Session
) -> None:
    ids = add_needs(session, world, 30)
    first = api.get(f"/projects/{world.public.id}/needs", params={"limit": 20})
    cursor = first.headers["X-Next-Cursor"]
    new = api.post_need(world.citizen, world.public.id)["id"]
    rest = api.get(
        f"/projects/{world.public.id}/needs", params={"limit": 20, "cursor": cursor}
    ).json()
    seen = [n["id"] for n in first.json()] + [n["id"] for n in rest]
    assert seen == sorted(ids, reverse=True)
    assert new not in seen  # it is on the first page of a fresh list
    assert api.needs(None, world.public.id)[0]["id"] == new


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        "W10",  # []
        "WyJuZXdlc3QiLCJ4IiwxXQ",  # ["newest","x",1]
        "WyJzdXBwb3J0ZWQiLDEsMV0",  # ["supported",1,1]: made for another order
        "WyJuZXdlc3QiLCIyMDI2LTAxLTAxVDAwOjAwOjAwIiwxXQ",  # a moment without a zone
        "WyJuZXdlc3QiLCIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiw5OTk5OTk5OTk5OV0",  # id too big
    ],
)
def test_a_cursor_the_list_did_not_make_is_invalid_input(
    api: Api, world: World, cursor: str
) -> None:
    response = api.get(f"/projects/{world.public.id}/needs", params={"cursor": cursor})
    assert response.status_code == 422, response.text
    assert "first page" in response.json()["detail"]


def test_unknown_status_or_order_is_invalid_input(api: Api, world: World) -> None:
    for params in ({"status": "lost"}, {"sort": "oldest"}, {"q": "x" * 201}):
        response = api.get(f"/projects/{world.public.id}/needs", params=params)
        assert response.status_code == 422, (params, response.text)


def test_current_callers_still_get_a_plain_list_of_all_needs(
    api: Api, world: World, session: Session
) -> None:
    add_needs(session, world, 3)
    response = api.get(f"/projects/{world.public.id}/needs")
    assert response.status_code == 200
    assert isinstance(response.json(), list) and len(response.json()) == 3
    assert "Link" not in response.headers and "X-Next-Cursor" not in response.headers


# ---- search and filter --------------------------------------------------------------------------


def test_search_matches_title_or_problem_in_any_case_including_norwegian_letters(
    api: Api, world: World
) -> None:
    hit_title = api.post_need(world.citizen, world.public.id, title="Ærlig tilbakemelding på ØKT")
    hit_problem = api.post_need(
        world.citizen,
        world.public.id,
        title="Noe annet",
        problem="Beboerne trenger økt trygghet om natten.",
    )
    api.post_need(world.citizen, world.public.id, title="Helt urelatert")
    [page] = walk(api, world.public.id, q="ØKT")
    assert sorted(page) == sorted([hit_title["id"], hit_problem["id"]])
    [page] = walk(api, world.public.id, q="ærlig")
    assert page == [hit_title["id"]]


def test_search_takes_percent_and_underscore_literally(api: Api, world: World) -> None:
    percent = api.post_need(world.citizen, world.public.id, title="Redusere ventetid 50% raskere")
    underscore = api.post_need(world.citizen, world.public.id, title="Felt med snake_case navn")
    api.post_need(world.citizen, world.public.id, title="Snakecase og prosent uten tegn")
    assert walk(api, world.public.id, q="%") == [[percent["id"]]]
    assert walk(api, world.public.id, q="e_c") == [[underscore["id"]]]
    assert walk(api, world.public.id, q="\\") == [[]]


def test_status_filter_keeps_only_needs_in_that_status(api: Api, world: World) -> None:
    verified = api.post_need(world.citizen, world.public.id)
    api.post_need(world.citizen, world.public.id)
    assert api.set_status(world.procurer, verified["id"], status="verified").status_code == 200
    assert walk(api, world.public.id, status="verified") == [[verified["id"]]]
    assert walk(api, world.public.id, status="rejected") == [[]]


def test_the_list_never_shows_another_projects_needs(api: Api, world: World) -> None:
    api.post_need(world.employee, world.internal.id, title="Internt behov")
    assert walk(api, world.public.id, q="Internt") == [[]]
    response = api.get(f"/projects/{world.internal.id}/needs", world.citizen, params={"q": "x"})
    assert response.status_code == 404


# ---- the project page ---------------------------------------------------------------------------


def test_project_page_offers_a_bookmarkable_filter_form_with_labels(
    client: TestClient, world: World, session: Session
) -> None:
    add_needs(session, world, 3)
    login(client, world.citizen)
    page = client.get(f"/projects/{world.public.id}", params={"status": "submitted"}).text
    assert 'method="get"' in page and 'role="search"' in page
    for field in ("needs-q", "needs-status", "needs-sort"):
        assert f'<label for="{field}">' in page
    assert '<option value="submitted" selected>' in page
    assert 'href="#new-need-heading"' in page  # the "new need" button jumps to the form


def test_project_page_loads_more_needs_with_and_without_htmx(
    client: TestClient, world: World, session: Session
) -> None:
    ids = add_needs(session, world, 30)
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert page.count('class="card need-card"') == 25
    link = re.search(r'<li id="needs-more".*?href="([^"]+)" hx-get="([^"]+)"', page, re.S)
    assert link
    plain, htmx = (u.replace("&amp;", "&") for u in link.groups())
    more = client.get(htmx, headers={"HX-Request": "true", **EN}).text
    shown = [int(i) for i in re.findall(r'id="need-(\d+)-card"', more)]
    assert shown == sorted(ids, reverse=True)[25:]
    assert 'id="needs-more"' not in more
    # Without JavaScript the link is the project page with the next page of the list.
    second = client.get(plain, headers=EN).text
    assert re.findall(r'id="need-(\d+)-card"', second) == [str(i) for i in shown]
    assert 'id="needs-results"' in second  # not the live list new needs are put first in


def test_a_filtered_page_is_not_served_from_the_visitors_cache(
    client: TestClient, world: World, api: Api
) -> None:
    api.post_need(world.citizen, world.public.id, title="Finn meg")
    api.post_need(world.citizen, world.public.id, title="Ikke meg")
    assert "Ikke meg" in client.get(f"/projects/{world.public.id}").text  # fills the cache
    filtered = client.get(f"/projects/{world.public.id}", params={"q": "Finn"}).text
    assert "Finn meg" in filtered and "Ikke meg" not in filtered


def test_the_load_more_fragment_of_an_internal_project_is_missing_for_outsiders(
    client: TestClient, api: Api, world: World
) -> None:
    api.post_need(world.employee, world.internal.id, title="Internt behov")
    path = f"/projects/{world.internal.id}/needs"
    assert client.get(path, headers={"HX-Request": "true"}).status_code == 404
    login(client, world.citizen)
    assert client.get(path, headers={"HX-Request": "true"}).status_code == 404
    login(client, world.employee)
    assert "Internt behov" in client.get(path, headers={"HX-Request": "true"}).text


def test_a_garbage_cursor_on_the_page_is_a_422_not_a_500(client: TestClient, world: World) -> None:
    response = client.get(f"/projects/{world.public.id}", params={"cursor": "nonsense"})
    assert response.status_code == 422


def test_queries_per_page_do_not_grow_with_the_number_of_needs(
    client: TestClient, api: Api, world: World, session: Session, factory: Factory
) -> None:
    def queries(path: str, **params: Any) -> int:
        api.get(f"/projects/{world.public.id}/needs", world.citizen)  # warm the token
        with counted_queries() as statements:
            response = api.get(path, world.citizen, params=params)
            assert response.status_code == 200
        return len(statements)

    path = f"/projects/{world.public.id}/needs"
    add_needs(session, world, 5)
    few = [queries(path, sort=s) for s in ("newest", "supported", "discussed")]
    ids = add_needs(session, world, 120)
    for person in supporters(factory, 2):
        session.add(Support(need_id=ids[0], user_id=person.id))  # type: ignore[arg-type]
    session.commit()
    many = [queries(path, sort=s) for s in ("newest", "supported", "discussed")]
    assert many == few


# ---- the live list ------------------------------------------------------------------------------


def test_a_filtered_list_gets_a_notice_where_the_plain_list_gets_the_card(
    world: World, session: Session
) -> None:
    from app.models.vocabulary import LiveKind
    from app.services import needs
    from app.services.live import LiveEvent
    from app.services.permissions import audience_for, relation
    from app.views.needs import card_added

    [need_id] = add_needs(session, world, 1)
    rel = relation(session, None, world.public)
    event_ = LiveEvent(LiveKind.need_created, need_id, world.public.id, need_id=need_id)
    html = card_added(session, rel, event_, None, audience_for(rel, "en"))  # type: ignore[arg-type]
    assert 'hx-swap-oob="afterbegin:#needs-list"' in html
    assert 'hx-swap-oob="innerHTML:#needs-new-notice"' in html and "Refresh the list" in html
    assert needs.need_view(session, rel=rel, need_id=need_id)


def test_every_page_holds_the_targets_of_the_live_pushes_and_only_one_shows_them(
    client: TestClient, world: World, session: Session
) -> None:
    """htmx logs an error for a push without a target, and the socket's resync replaces the
    plain list: a filtered page keeps both out of sight, the plain page its notice."""
    add_needs(session, world, 2)
    plain = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert '<ul id="needs-list"' in plain
    assert '<p id="needs-new-notice" class="live-note" hidden>' in plain
    assert 'id="needs-live-sink"' not in plain
    filtered = client.get(f"/projects/{world.public.id}", params={"sort": "discussed"}).text
    # data-live-sink: static/js/htmx-extras.js drops what the socket sends there, so the sink
    # never repeats the ids of the results' cards.
    assert '<div id="needs-live-sink" data-live-sink hidden><ul id="needs-list"></ul>' in filtered
    assert '<p id="needs-new-notice" class="live-note" role="status"></p>' in filtered


def test_the_filter_params_round_trip_without_defaults() -> None:
    wanted = need_list.parse_filter(q=" natt ", status="verified", sort="newest")
    assert wanted.params() == {"q": "natt", "status": "verified"}
    assert need_list.parse_filter().is_default
    assert not need_list.parse_filter(sort="supported").is_default
    assert NeedStatus.verified == wanted.status
