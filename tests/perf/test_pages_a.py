"""The front page, the project page, the need page and the Q&A page cost the same number of
queries whatever the size of what they list, and a need's long thread comes a page at a time."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Comment, Need, Question, User
from app.models.base import Phase, Role, utcnow
from app.models.question import QuestionStatus
from app.services import render_cache, threads
from tests.conftest import Factory, World
from tests.helpers import Api, counted_queries

MOMENT = utcnow() - timedelta(days=30)
PAGE = threads.COMMENT_PAGE


def queries(client: TestClient, api: Api, path: str, user: User | None) -> int:
    """The statements one view of the page runs, rendered anew (the visitors' cache cleared)."""
    headers = api.headers(user)
    assert client.get(path, headers=headers).status_code == 200  # warm the token
    render_cache.clear_all()
    with counted_queries() as statements:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.text
    return len(statements)


def add_needs(session: Session, world: World, count: int) -> list[int]:
    """`count` needs straight into the public project."""
    rows = [
        Need(
            project_id=world.public.id,
            author_id=world.citizen.id,
            title=f"Behov {n}",
            problem="Et problem som trenger en løsning.",
            created_at=MOMENT + timedelta(minutes=n),
        )
        for n in range(count)
    ]
    session.add_all(rows)
    session.commit()
    return [need.id for need in rows]  # type: ignore[misc]


def add_comments(
    session: Session, need_id: int, authors: list[User], count: int, *, start: int = 0
) -> list[Comment]:
    """`count` comments on the need, every third a reply to the top-level comment before it."""
    made: list[Comment] = []
    root: Comment | None = None
    for n in range(start, start + count):
        reply = n % 3 == 2 and root is not None
        comment = Comment(
            need_id=need_id,
            author_id=authors[n % len(authors)].id,  # type: ignore[arg-type]
            body=f"Kommentar {n}",
            parent_id=root.id if reply and root else None,
            root_id=root.id if reply and root else None,
            depth=2 if reply else 1,
            created_at=MOMENT + timedelta(minutes=n),
        )
        session.add(comment)
        session.flush()
        made.append(comment)
        if not reply:
            root = comment
    session.commit()
    return made


def comment_ids(html: str) -> list[int]:
    """The ids of the comments in a piece of a thread, in the order they show."""
    return [int(found) for found in re.findall(r'<li id="comment-(\d+)"', html)]


def more_cursors(html: str) -> tuple[str, str] | None:
    """The "load more" link's cursors: for the plain link and for htmx (None: no more)."""
    found = re.search(r'<li id="comments-more".*?href="([^"]+)".*?hx-get="([^"]+)"', html, re.S)
    if found is None:
        return None
    href, hx = (urlparse(url.replace("&amp;", "&")) for url in found.groups())
    return parse_qs(href.query)["cursor"][0], parse_qs(hx.query)["cursor"][0]


def thread(client: TestClient, need_id: int, *, plain: bool, **headers: Any) -> list[list[int]]:
    """Every page of the thread, following the plain links or the htmx ones."""
    html = client.get(f"/needs/{need_id}", headers=headers).text
    pages = [comment_ids(html.split('id="comments"', 1)[1].split("</ol>\n</section>", 1)[0])]
    while (cursors := more_cursors(html)) is not None:
        if plain:
            html = client.get(f"/needs/{need_id}", params={"cursor": cursors[0]}).text
            html = html.split('id="comments"', 1)[1]
        else:
            html = client.get(f"/needs/{need_id}/comments", params={"cursor": cursors[1]}).text
        pages.append(comment_ids(html.split('id="comments-more"', 1)[0]))
    return pages


# ---- queries per page ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "employee"])
def test_front_page_queries_do_not_grow_with_the_number_of_projects(
    client: TestClient, api: Api, world: World, factory: Factory, session: Session, who: str | None
) -> None:
    from app.models.project import ProjectCreate
    from app.services import projects

    user = world.member(who)
    few = queries(client, api, "/", user)
    for n in range(12):
        data = ProjectCreate(
            title=f"Prosjekt {n}", summary="Et.", service_area="Helse", innovation_ambition="Mer."
        )
        projects.create_project(session, user=world.procurer, data=data)
    session.commit()
    assert queries(client, api, "/", user) == few


@pytest.mark.parametrize("who", [None, "employee"])
def test_project_page_queries_do_not_grow_with_the_number_of_needs(
    client: TestClient, api: Api, world: World, session: Session, who: str | None
) -> None:
    path, user = f"/projects/{world.public.id}", world.member(who)
    add_needs(session, world, 3)
    few = queries(client, api, path, user)
    add_needs(session, world, 80)
    assert queries(client, api, path, user) == few


@pytest.mark.parametrize("who", [None, "employee", "procurer"])
def test_need_page_queries_do_not_grow_with_the_number_of_comments(
    client: TestClient, api: Api, world: World, session: Session, who: str | None
) -> None:
    [need_id] = add_needs(session, world, 1)
    user = world.member(who)
    authors = [world.citizen, world.employee, world.procurer]
    add_comments(session, need_id, authors, 6)
    few = queries(client, api, f"/needs/{need_id}", user)
    add_comments(session, need_id, authors, 3 * PAGE, start=6)
    assert queries(client, api, f"/needs/{need_id}", user) == few


@pytest.mark.parametrize("who", [None, "supplier"])
def test_questions_page_queries_do_not_grow_with_the_number_of_questions(
    client: TestClient, api: Api, world: World, session: Session, who: str | None
) -> None:
    path, user = f"/projects/{world.public.id}/questions", world.member(who)

    def publish(count: int) -> None:
        for n in range(count):
            session.add(
                Question(
                    project_id=world.public.id,  # type: ignore[arg-type]
                    asked_by_id=world.supplier.id,  # type: ignore[arg-type]
                    organisation_id=world.supplier_org.id,  # type: ignore[arg-type]
                    body=f"Spørsmål {n} om behovet?",
                    status=QuestionStatus.published,
                    public_question=f"Spørsmål {n}?",
                    answer=f"Svar {n}.",
                    published_at=MOMENT + timedelta(minutes=n),
                )
            )
        session.commit()

    publish(2)
    few = queries(client, api, path, user)
    publish(60)
    assert queries(client, api, path, user) == few


# ---- the thread a page at a time ---------------------------------------------------------------


@pytest.mark.parametrize("plain", [True, False], ids=["without-javascript", "htmx"])
def test_a_long_thread_comes_a_page_at_a_time_without_gaps_or_repeats(
    client: TestClient, world: World, session: Session, plain: bool
) -> None:
    [need_id] = add_needs(session, world, 1)
    made = add_comments(session, need_id, [world.citizen, world.employee], 2 * PAGE + PAGE // 2)
    tops = [c.id for c in made if c.parent_id is None]

    pages = thread(client, need_id, plain=plain)

    shown = [comment_id for page in pages for comment_id in page]
    assert shown == [c.id for c in _thread_order(made)]  # every comment once, in thread order
    assert len(pages) == -(-len(tops) // PAGE)
    assert all(len([i for i in page if i in tops]) <= PAGE for page in pages)


def _thread_order(comments: list[Comment]) -> list[Comment]:
    """Top-level comments oldest first, each followed by its replies."""
    order: list[Comment] = []
    for top in (c for c in comments if c.parent_id is None):
        order += [top, *(c for c in comments if c.parent_id == top.id)]
    return order


def test_a_comment_posted_between_two_pages_neither_repeats_nor_hides_one(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    [need_id] = add_needs(session, world, 1)
    made = add_comments(session, need_id, [world.citizen], 2 * PAGE)
    first = client.get(f"/needs/{need_id}").text
    plain, live = more_cursors(first) or ("", "")
    rest = [c.id for c in made if c.id not in comment_ids(first)]

    posted = api.comment(world.employee, need_id, "Skrevet mellom to sider")["id"]

    # Without JavaScript the next page holds every later comment, the new one last.
    later = client.get(f"/needs/{need_id}", params={"cursor": plain}).text
    later = later.split('id="comments"', 1)[1].split("</ol>\n</section>", 1)[0]
    assert comment_ids(later) == [*rest, posted]
    # With htmx the new one was pushed to the page live, so "load more" leaves it out.
    more = client.get(f"/needs/{need_id}/comments", params={"cursor": live}).text
    assert posted not in comment_ids(more)
    assert sorted(comment_ids(first) + comment_ids(more)) == sorted(c.id for c in made)


@pytest.mark.parametrize("path", ["/needs/{id}", "/needs/{id}/comments"])
@pytest.mark.parametrize("cursor", ["nonsense", "WzEsMiwzXQ", "WyJ4IiwxLDBd", ""])
def test_a_garbage_comment_cursor_is_a_422_not_a_500(
    client: TestClient, world: World, session: Session, path: str, cursor: str
) -> None:
    [need_id] = add_needs(session, world, 1)
    response = client.get(path.format(id=need_id), params={"cursor": cursor})
    if cursor == "" and path == "/needs/{id}":
        assert response.status_code == 200  # no cursor: the first page
    else:
        assert response.status_code == 422


def test_held_comments_and_their_replies_show_as_before_on_a_paged_thread(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    [need_id] = add_needs(session, world, 1)
    made = add_comments(session, need_id, [world.citizen], PAGE + 3)
    held = Comment(need_id=need_id, author_id=world.employee.id, body="Venter", held=True)  # type: ignore[arg-type]
    session.add(held)
    session.flush()
    reply = Comment(
        need_id=need_id,
        author_id=world.citizen.id,  # type: ignore[arg-type]
        body="Svar på en som venter",
        parent_id=held.id,
        root_id=held.id,
        depth=2,
    )
    session.add(reply)
    session.commit()

    as_citizen = thread(client, need_id, plain=False, **api.headers(world.citizen))
    as_procurer = thread(client, need_id, plain=False, **api.headers(world.procurer))

    seen = [i for page in as_citizen for i in page]
    assert held.id not in seen and seen.count(reply.id) == 1  # the reply stands on its own
    assert sorted(seen) == sorted([c.id for c in made] + [reply.id])
    seen = [i for page in as_procurer for i in page]
    assert seen[-2:] == [held.id, reply.id]  # moderators see it with its reply under it
    assert world.procurer.role == Role.procurer


# ---- the front page for visitors ---------------------------------------------------------------


def test_visitors_front_page_is_rendered_once_per_change_of_the_projects(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    from app.models.project import ProjectCreate
    from app.services import projects

    assert client.get("/").status_code == 200
    with counted_queries() as statements:
        again = client.get("/")
    assert again.status_code == 200 and len(statements) == 1  # the version, no rendering

    data = ProjectCreate(
        title="Nytt prosjekt", summary="Et.", service_area="Helse", innovation_ambition="Mer."
    )
    projects.create_project(session, user=world.procurer, data=data)
    session.commit()
    assert "Nytt prosjekt" in client.get("/").text
    english = {"Accept-Language": "en"}
    assert "Market dialogue" not in client.get("/", headers=english).text
    api.advance(world.procurer, world.public.id, Phase.market_dialogue)
    assert "Market dialogue" in client.get("/", headers=english).text
    # The internal project is listed for its own people, never for visitors.
    assert "Internt prosjekt" not in client.get("/").text
    assert "Internt prosjekt" in client.get("/", headers=api.headers(world.employee)).text
