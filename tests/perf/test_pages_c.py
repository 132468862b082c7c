"""The need page's "Your comments here", the Q&A page's published answers and its questions
waiting for an answer (the procurers' queue, a supplier's own) come a page at a time: the same
number of queries whatever their number, every item once in order, with and without JavaScript,
refused alike to whoever may not see the page."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Comment, Need, Project, Question, User
from app.models.base import id_of, utcnow
from app.models.question import QuestionStatus
from app.services import editing, render_cache
from app.services import questions as question_service
from tests.conftest import Factory, World
from tests.helpers import Api, counted_queries

MOMENT = utcnow() - timedelta(days=30)
OWN_PAGE = editing.OWN_COMMENT_PAGE
ANSWER_PAGE = question_service.ANSWER_PAGE
OPEN_PAGE = question_service.OPEN_PAGE
# Not base64 JSON; three values for two; not a moment; a moment without its zone; past year 1 in
# UTC (the column's conversion would overflow).
GARBAGE = [
    "nonsense",
    "WzEsMiwzXQ",
    "WyJ4IiwxXQ",
    "WyIyMDIwLTAxLTAxVDAwOjAwOjAwIiwxXQ",
    "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwxXQ",
]
OWN_ITEM = re.compile(r'<p id="own-comment-(\d+)-text"')
QA_ITEM = re.compile(r'<li id="qa-(\d+)"')
QUEUE_ITEM = re.compile(r'<li id="question-(\d+)" class="card"')
MINE_ITEM = re.compile(r'<li id="my-question-(\d+)"')


def add_need(session: Session, project: Project, author: User) -> int:
    """A need in the project, straight into the database."""
    need = Need(project_id=id_of(project), author_id=id_of(author), title="Behov", problem="Et.")
    session.add(need)
    session.commit()
    return id_of(need)


def add_own_comments(session: Session, need_id: int, author: User, count: int) -> list[int]:
    """`count` top-level comments by `author`, a minute apart but every fifth at the moment of the
    one before (so the paging must break ties by id); their ids, oldest first."""
    made = []
    for n in range(count):
        at = MOMENT + timedelta(minutes=n - (1 if n % 5 == 4 else 0))
        body = f"{author.display_name} {n}"
        comment = Comment(need_id=need_id, author_id=id_of(author), body=body, created_at=at)
        session.add(comment)
        made.append(comment)
    session.commit()
    return [id_of(c) for c in made]


def reply(session: Session, comment_id: int, author: User) -> None:
    """`author` replies to the comment."""
    session.add(
        Comment(
            need_id=session.get(Comment, comment_id).need_id,  # type: ignore[union-attr]
            author_id=id_of(author),
            body="Svar",
            parent_id=comment_id,
            root_id=comment_id,
            depth=2,
        )
    )
    session.commit()


def publish(session: Session, world: World, count: int, *, start: int = 0) -> list[int]:
    """`count` published questions in the public project, two by two at the same moment (put
    in straight, so the visitors' cached pages are dropped by hand)."""
    made = []
    for n in range(start, start + count):
        question = Question(
            project_id=id_of(world.public),
            asked_by_id=id_of(world.supplier),
            organisation_id=id_of(world.supplier_org),
            body=f"Spørsmål {n} om behovet?",
            status=QuestionStatus.published,
            public_question=f"Spørsmål {n}?",
            answer=f"Svar {n}.",
            published_at=MOMENT + timedelta(minutes=n // 2),
        )
        session.add(question)
        made.append(question)
    session.commit()
    render_cache.clear_all()
    return [id_of(q) for q in made]


def more_link(html: str, li_id: str, param: str) -> tuple[str, str] | None:
    """The "Show more" link's plain URL and its htmx URL (None: no more)."""
    found = re.search(rf'<li id="{li_id}".*?href="([^"]+)".*?hx-get="([^"]+)"', html, re.S)
    if found is None:
        return None
    href, hx = (url.replace("&amp;", "&") for url in found.groups())
    assert param in parse_qs(urlparse(href).query)
    return href, hx


def follow(
    client: TestClient,
    start: str,
    item: re.Pattern[str],
    link: tuple[str, str],
    *,
    plain: bool,
    headers: dict[str, str] | None = None,
) -> list[list[int]]:
    """Every page of a list, from the page at `start`, following the plain or the htmx links
    (`link`: the "Show more" item's id and the plain link's cursor parameter)."""
    html = client.get(start, headers=headers).text
    pages = [[int(i) for i in item.findall(html)]]
    while (found := more_link(html, *link)) is not None:
        response = client.get(found[0] if plain else found[1], headers=headers)
        assert response.status_code == 200, response.text
        html = response.text
        pages.append([int(i) for i in item.findall(html)])
        assert len(pages) < 20
    return pages


def queries(client: TestClient, path: str, headers: dict[str, str]) -> int:
    """The statements one view of the page runs, rendered anew."""
    assert client.get(path, headers=headers).status_code == 200
    render_cache.clear_all()
    with counted_queries() as statements:
        assert client.get(path, headers=headers).status_code == 200
    return len(statements)


# ---- the need page's own comments ----------------------------------------------------------------


def test_need_page_queries_do_not_grow_with_the_number_of_own_comments(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    need_id = add_need(session, world.public, world.employee)
    headers = api.headers(world.citizen)
    reply(session, add_own_comments(session, need_id, world.citizen, 3)[0], world.procurer)
    path, more = f"/needs/{need_id}", f"/needs/{need_id}/own-comments"
    few = queries(client, path, headers), queries(client, more, headers)
    many = add_own_comments(session, need_id, world.citizen, 3 * OWN_PAGE)
    for comment_id in many[::7]:  # locked: a procurer replied
        reply(session, comment_id, world.procurer)
    assert (queries(client, path, headers), queries(client, more, headers)) == few
    page = client.get(path, headers=headers).text
    assert len(OWN_ITEM.findall(page)) == OWN_PAGE
    assert "Show more of your comments" in page


@pytest.mark.parametrize("plain", [True, False], ids=["without-javascript", "htmx"])
def test_own_comments_come_newest_first_a_page_at_a_time_without_gaps_or_repeats(
    client: TestClient, api: Api, world: World, session: Session, plain: bool
) -> None:
    need_id = add_need(session, world.public, world.employee)
    made = add_own_comments(session, need_id, world.citizen, 2 * OWN_PAGE + OWN_PAGE // 2)
    add_own_comments(session, need_id, world.employee, 3)  # someone else's: never listed
    withdrawn = session.get(Comment, made[3])
    withdrawn.withdrawn_at = utcnow()  # type: ignore[union-attr]
    session.commit()
    headers = api.headers(world.citizen)
    link = ("own-comments-more", "own_cursor")

    pages = follow(client, f"/needs/{need_id}", OWN_ITEM, link, plain=plain, headers=headers)

    expected = sorted(
        (c for c in made if c != made[3]),
        key=lambda i: (session.get(Comment, i).created_at, i),  # type: ignore[union-attr]
        reverse=True,
    )
    assert [i for page in pages for i in page] == expected
    assert [len(page) for page in pages] == [OWN_PAGE, OWN_PAGE, OWN_PAGE // 2 - 1]


def test_each_own_comment_on_a_later_page_says_whether_it_can_still_be_edited(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    need_id = add_need(session, world.public, world.employee)
    made = add_own_comments(session, need_id, world.citizen, OWN_PAGE + 2)
    reply(session, made[0], world.procurer)  # the oldest, so on the second page
    headers = api.headers(world.citizen)
    page = client.get(f"/needs/{need_id}", headers=headers).text
    link = more_link(page, "own-comments-more", "own_cursor")
    assert link is not None

    more = client.get(link[1], headers=headers).text

    oldest = more.split(f'id="own-comment-{made[0]}-text"', 1)[1].split("</li>", 1)[0]
    assert "a procurer has replied to the comment" in oldest
    assert f"/comments/{made[0]}/edit" not in more and f"/comments/{made[1]}/edit" in more
    assert 'name="csrf_token" value="' in more  # its withdraw forms work as plain forms


def test_the_own_comments_fragment_lists_only_the_viewers_own_comments(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    need_id = add_need(session, world.public, world.employee)
    add_own_comments(session, need_id, world.citizen, OWN_PAGE + 5)
    mine = add_own_comments(session, need_id, world.employee, 2)
    page = client.get(f"/needs/{need_id}", headers=api.headers(world.citizen)).text
    link = more_link(page, "own-comments-more", "own_cursor")
    assert link is not None

    # Another participant given the citizen's cursor sees only their own, and a visitor none.
    as_employee = client.get(link[1], headers=api.headers(world.employee))
    as_visitor = client.get(link[1], headers=api.headers(None))

    assert as_employee.status_code == as_visitor.status_code == 200
    assert [int(i) for i in OWN_ITEM.findall(as_employee.text)] == mine[::-1]
    assert not OWN_ITEM.findall(as_visitor.text)
    assert world.citizen.display_name not in as_employee.text + as_visitor.text


@pytest.mark.parametrize("who", [None, "citizen", "other_employee"])
def test_own_comments_are_refused_as_the_need_page_is(
    client: TestClient, api: Api, world: World, session: Session, who: str | None
) -> None:
    need_id = add_need(session, world.internal, world.employee)
    headers = api.headers(world.member(who))
    page = client.get(f"/needs/{need_id}", headers=headers)
    more = client.get(f"/needs/{need_id}/own-comments", headers=headers)
    assert page.status_code in {401, 403, 404}
    assert more.status_code == page.status_code


@pytest.mark.parametrize("cursor", GARBAGE)
@pytest.mark.parametrize("path", ["/needs/{id}?own_cursor=", "/needs/{id}/own-comments?cursor="])
def test_a_garbage_own_comments_cursor_is_a_422_not_a_500(
    client: TestClient, api: Api, world: World, session: Session, path: str, cursor: str
) -> None:
    need_id = add_need(session, world.public, world.employee)
    add_own_comments(session, need_id, world.citizen, 2)
    url = path.format(id=need_id) + cursor
    assert client.get(url, headers=api.headers(world.citizen)).status_code == 422


# ---- the Q&A page's published answers ------------------------------------------------------------


@pytest.mark.parametrize("plain", [True, False], ids=["without-javascript", "htmx"])
def test_published_answers_come_newest_first_a_page_at_a_time(
    client: TestClient, api: Api, world: World, session: Session, plain: bool
) -> None:
    made = publish(session, world, 2 * ANSWER_PAGE + 7)
    start = f"/projects/{world.public.id}/questions"

    pages = follow(client, start, QA_ITEM, ("qa-more", "cursor"), plain=plain)

    def order(question_id: int) -> tuple[object, int]:
        return session.get(Question, question_id).published_at, question_id  # type: ignore[union-attr]

    assert [i for page in pages for i in page] == sorted(made, key=order, reverse=True)
    assert [len(page) for page in pages] == [ANSWER_PAGE, ANSWER_PAGE, 7]


def test_an_answer_published_between_two_pages_neither_repeats_nor_hides_one(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    made = publish(session, world, ANSWER_PAGE + 3)
    first = client.get(f"/projects/{world.public.id}/questions").text
    link = more_link(first, "qa-more", "cursor")
    assert link is not None

    [new] = publish(session, world, 1, start=10 * ANSWER_PAGE)  # pushed live above the list

    more = client.get(link[1]).text
    shown = [int(i) for i in QA_ITEM.findall(first) + QA_ITEM.findall(more)]
    assert sorted(shown) == sorted(made) and new not in shown
    again = client.get(f"/projects/{world.public.id}/questions").text
    assert int(QA_ITEM.findall(again)[0]) == new


def test_the_empty_note_shows_only_without_published_answers(
    client: TestClient, world: World, session: Session
) -> None:
    path = f"/projects/{world.public.id}/questions"
    empty = client.get(path).text.split('id="qa-list"', 1)[1].split('id="qa-empty-note"', 1)[0]
    assert "<li" not in empty  # the stylesheet shows the note while the list has no item
    publish(session, world, 1)
    assert "<li" in client.get(path).text.split('id="qa-list"', 1)[1].split("qa-empty-note")[0]


@pytest.mark.parametrize("who", [None, "citizen", "supplier"])
def test_published_answers_are_refused_as_the_qa_page_is(
    client: TestClient, api: Api, world: World, who: str | None
) -> None:
    headers = api.headers(world.member(who))
    page = client.get(f"/projects/{world.internal.id}/questions", headers=headers)
    more = client.get(f"/projects/{world.internal.id}/questions/more", headers=headers)
    assert page.status_code in {401, 403, 404}
    assert more.status_code == page.status_code


@pytest.mark.parametrize("cursor", GARBAGE)
@pytest.mark.parametrize("path", ["/projects/{id}/questions", "/projects/{id}/questions/more"])
def test_a_garbage_answers_cursor_is_a_422_not_a_500(
    client: TestClient, world: World, session: Session, path: str, cursor: str
) -> None:
    publish(session, world, 2)
    response = client.get(path.format(id=world.public.id), params={"cursor": cursor})
    assert response.status_code == 422


# ---- the questions waiting for an answer --------------------------------------------------------


def ask(
    session: Session, world: World, count: int, *, by: User | None = None, start: int = 0
) -> list[int]:
    """`count` questions waiting for an answer in the public project (by the world's supplier
    unless `by`), a minute apart from `start` but every third at the moment of the one before;
    their ids, oldest first."""
    asker = by or world.supplier
    made = []
    for n in range(start, start + count):
        question = Question(
            project_id=id_of(world.public),
            asked_by_id=id_of(asker),
            organisation_id=asker.organisation_id,  # type: ignore[arg-type]
            body=f"Spørsmål {n} fra {asker.display_name}?",
            asked_at=MOMENT + timedelta(minutes=n - (1 if n % 3 == 2 else 0)),
        )
        session.add(question)
        made.append(question)
    session.commit()
    return [id_of(q) for q in made]


LISTS = {"procurer": (QUEUE_ITEM, "question-queue"), "supplier": (MINE_ITEM, "my-questions")}


@pytest.mark.parametrize("who", ["procurer", "supplier"])
def test_qa_page_queries_do_not_grow_with_the_number_of_waiting_questions(
    client: TestClient, api: Api, world: World, session: Session, who: str
) -> None:
    headers = api.headers(world.member(who))
    path, more = (
        f"/projects/{world.public.id}/questions",
        f"/projects/{world.public.id}/questions/open",
    )
    ask(session, world, 3)
    few = queries(client, path, headers), queries(client, more, headers)
    ask(session, world, 3 * OPEN_PAGE)
    assert (queries(client, path, headers), queries(client, more, headers)) == few
    page = client.get(path, headers=headers).text
    assert len(LISTS[who][0].findall(page)) == OPEN_PAGE


@pytest.mark.parametrize("plain", [True, False], ids=["without-javascript", "htmx"])
@pytest.mark.parametrize("who", ["procurer", "supplier"])
def test_waiting_questions_come_oldest_first_a_page_at_a_time(
    client: TestClient, api: Api, world: World, session: Session, who: str, plain: bool
) -> None:
    made = ask(session, world, 2 * OPEN_PAGE + 3)
    start = f"/projects/{world.public.id}/questions"
    item = LISTS[who][0]

    pages = follow(
        client,
        start,
        item,
        ("open-questions-more", "open_cursor"),
        plain=plain,
        headers=api.headers(world.member(who)),
    )

    def order(question_id: int) -> tuple[object, int]:
        return session.get(Question, question_id).asked_at, question_id  # type: ignore[union-attr]

    assert [i for page in pages for i in page] == sorted(made, key=order)
    assert [len(page) for page in pages] == [OPEN_PAGE, OPEN_PAGE, 3]


def test_a_question_asked_between_two_pages_of_the_queue_shows_once(
    client: TestClient, api: Api, world: World, session: Session
) -> None:
    headers = api.headers(world.procurer)
    made = ask(session, world, OPEN_PAGE + 2)
    first = client.get(f"/projects/{world.public.id}/questions", headers=headers).text
    link = more_link(first, "open-questions-more", "open_cursor")
    assert link is not None

    [new] = ask(session, world, 1, start=10 * OPEN_PAGE)  # pushed live to the end of the queue

    # Without JavaScript the next page holds every later question, the new one last.
    plain = client.get(link[0], headers=headers).text
    assert [int(i) for i in QUEUE_ITEM.findall(plain)] == [*made[OPEN_PAGE:], new]
    # With htmx the new one is on the page already, so "Show more" leaves it out.
    more = client.get(link[1], headers=headers).text
    assert [int(i) for i in QUEUE_ITEM.findall(more)] == made[OPEN_PAGE:]
    assert 'name="csrf_token" value="' in more  # its forms work as plain forms


def test_waiting_questions_are_shown_only_to_the_procurers_and_the_asking_company(
    client: TestClient, api: Api, world: World, session: Session, factory: Factory
) -> None:
    from app.models.base import OrganisationKind, Role

    ask(session, world, OPEN_PAGE + 4)
    other_company = factory.org(OrganisationKind.supplier, name="Annen leverandør AS")
    rival = factory.user(Role.supplier, other_company)
    theirs = ask(session, world, 2, by=rival, start=10 * OPEN_PAGE)
    page = client.get(
        f"/projects/{world.public.id}/questions", headers=api.headers(world.procurer)
    ).text
    link = more_link(page, "open-questions-more", "open_cursor")
    assert link is not None

    for who, expected in ((rival, theirs), (world.employee, []), (None, [])):
        response = client.get(link[1], headers=api.headers(who))
        assert response.status_code == 200
        shown = QUEUE_ITEM.findall(response.text) + MINE_ITEM.findall(response.text)
        assert [int(i) for i in shown] == expected
        assert world.supplier.display_name not in response.text


@pytest.mark.parametrize("who", [None, "citizen", "supplier"])
def test_waiting_questions_are_refused_as_the_qa_page_is(
    client: TestClient, api: Api, world: World, who: str | None
) -> None:
    headers = api.headers(world.member(who))
    page = client.get(f"/projects/{world.internal.id}/questions", headers=headers)
    more = client.get(f"/projects/{world.internal.id}/questions/open", headers=headers)
    assert page.status_code in {401, 403, 404}
    assert more.status_code == page.status_code


@pytest.mark.parametrize(
    "cursor",
    [
        *GARBAGE,
        "WyIyMDIwLTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwxXQ",  # two values for three
        "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwxLDBd",  # past year 1 in UTC
    ],
)
@pytest.mark.parametrize(
    "path", ["/projects/{id}/questions?open_cursor=", "/projects/{id}/questions/open?cursor="]
)
def test_a_garbage_waiting_questions_cursor_is_a_422_not_a_500(
    client: TestClient, api: Api, world: World, session: Session, path: str, cursor: str
) -> None:
    ask(session, world, 2)
    url = path.format(id=world.public.id) + cursor
    assert client.get(url, headers=api.headers(world.procurer)).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/needs/{need}/comments?cursor=WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwxLDBd",
        "/projects/{project}/proposals/more?cursor=WyI5OTk5LTEyLTMxVDIzOjAwOjAwLTAyOjAwIiwxXQ",
        "/projects/{project}/events/more?cursor=WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwxXQ",
    ],
)
def test_a_cursor_past_the_calendars_edge_is_a_422_on_every_paged_list(
    client: TestClient, world: World, session: Session, path: str
) -> None:
    need_id = add_need(session, world.public, world.employee)
    url = path.format(need=need_id, project=world.public.id)
    assert client.get(url).status_code == 422
