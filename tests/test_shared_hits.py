"""A logged-in person's page from the render their audience shares, read in one statement
(app/web/shared_hits.py), is the page the full path draws for them, byte for byte; and
whatever the statement cannot vouch for (a session due its touch or gone idle, a page out of
sight, a procurer's need page, an unread count to check) goes the full way."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import Comment, LoginSession, Need, Notification, User
from app.models.base import Role, id_of, utcnow
from app.models.need import CommentCreate, CommentUpdate, NeedCreate
from app.services import editing, needs, permissions, render_cache, requirements, sessions
from tests.conftest import Factory, World, login
from tests.helpers import counted_queries

PAGES = [
    "/",
    "/projects/{p}",
    "/needs/{n}",
    "/projects/{p}/questions",
    "/projects/{p}/proposals",
    "/projects/{p}/events",
    "/projects/{p}/documents",
    "/projects/{p}/metrics",
]
PEOPLE = [
    "employee",
    "partner_employee",
    "other_employee",
    "citizen",
    "supplier",
    "researcher",
    "admin",
]


def _need(session: Session, world: World, author: User, *, comment_by: User | None = None) -> int:
    """A need in the public project by `author`, with a comment by `comment_by`; its id."""
    rel = permissions.relation(session, author, world.public)
    data = NeedCreate(title="Behovet", problem="Et problem vi har.")
    need = needs.post_need(session, rel=rel, data=data)
    if comment_by is not None:
        commenter = permissions.relation(session, comment_by, world.public)
        needs.add_comment(session, rel=commenter, need=need, data=CommentCreate(body="Min tanke"))
    session.commit()
    return id_of(need)


def _twice(client: TestClient, url: str) -> tuple[str, str, int]:
    """The page drawn the full way, then asked again; and the statements the second took."""
    first = client.get(url)
    assert first.status_code == 200, first.text
    with counted_queries() as statements:
        second = client.get(url)
    assert second.status_code == 200, second.text
    return first.text, second.text, len(statements)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("path", PAGES)
def test_the_page_read_in_one_statement_is_the_page_drawn_the_full_way(
    client: TestClient, world: World, session: Session, path: str, person: str
) -> None:
    need_id = _need(session, world, world.partner_employee, comment_by=world.employee)
    login(client, world.member(person))  # type: ignore[arg-type]
    render_cache.clear_all()
    url = path.format(p=world.public.id, n=need_id)
    full, hit, statements = _twice(client, url)
    assert hit == full
    if path == "/needs/{n}" and person == "admin":
        # An admin is the project's procurer: their need page is theirs alone (merge
        # suggestions are recorded as shown to them), drawn the full way each time.
        assert statements > 1
    else:
        # One statement (the front page: and the version of the projects they may see).
        assert statements == (2 if path == "/" else 1)


def test_a_need_page_with_own_comments_is_the_same_from_the_kept_parts(
    client: TestClient, world: World, session: Session
) -> None:
    need_id = _need(session, world, world.employee, comment_by=world.employee)
    login(client, world.employee)
    render_cache.clear_all()
    full, hit, statements = _twice(client, f"/needs/{need_id}")
    assert hit == full and statements == 1
    assert 'id="own-comments-heading"' in hit and "Min tanke" in hit


def test_kept_own_parts_move_on_with_the_page_version(
    client: TestClient, world: World, session: Session
) -> None:
    need_id = _need(session, world, world.partner_employee, comment_by=world.employee)
    login(client, world.employee)
    url = f"/needs/{need_id}"
    _twice(client, url)
    comment = session.exec(select(Comment).where(Comment.need_id == need_id)).one()
    rel = permissions.relation(session, world.employee, world.public)
    editing.edit_comment(
        session, rel=rel, comment=comment, data=CommentUpdate(body="Min nye tanke")
    )
    session.commit()
    page = client.get(url).text
    own = page.split('id="own-comments-heading"', 1)[1]
    assert "Min nye tanke" in own and "Min tanke<" not in own


def test_one_persons_kept_parts_never_reach_a_colleague(
    client: TestClient, other_client: TestClient, world: World, factory: Factory, session: Session
) -> None:
    colleague = factory.user(Role.employee, world.owner, name="Kari Kollega")
    need_id = _need(session, world, world.partner_employee, comment_by=world.employee)
    login(client, world.employee)
    login(other_client, colleague)
    url = f"/needs/{need_id}"
    render_cache.clear_all()
    _full, mine, _ = _twice(client, url)
    _full, theirs, statements = _twice(other_client, url)
    assert statements == 1
    assert 'id="own-comments-heading"' in mine
    assert 'id="own-comments-heading"' not in theirs
    assert "Kari Kollega" in theirs and "Emil Employee" not in theirs.split("<main")[0]


def test_a_procurers_need_page_is_theirs_alone(
    client: TestClient, world: World, session: Session
) -> None:
    need_id = _need(session, world, world.employee)
    login(client, world.procurer)
    _full, _again, statements = _twice(client, f"/needs/{need_id}")
    assert statements > 1  # merge suggestions are recorded as shown: never a shared hit


def test_a_held_need_stays_out_of_a_colleagues_sight(
    client: TestClient, other_client: TestClient, world: World, factory: Factory, session: Session
) -> None:
    colleague = factory.user(Role.employee, world.owner, name="Kari Kollega")
    need_id = _need(session, world, world.employee)
    session.execute(update(Need).where(col(Need.id) == need_id).values(held=True))
    session.commit()
    login(client, world.employee)
    login(other_client, colleague)
    render_cache.clear_all()
    _twice(client, f"/needs/{need_id}")  # the author sees it, twice
    for _ in range(2):
        assert other_client.get(f"/needs/{need_id}").status_code == 404


def _session_row(session: Session, user: User) -> LoginSession:
    return session.exec(select(LoginSession).where(LoginSession.user_id == user.id)).one()


def _last_seen(client: TestClient, world: World, session: Session, at: datetime) -> str:
    """The employee's project page, asked twice, then once more after their session was last
    seen `at`."""
    login(client, world.employee)
    url = f"/projects/{world.public.id}"
    _twice(client, url)
    row = _session_row(session, world.employee)
    session.execute(
        update(LoginSession).where(col(LoginSession.id) == row.id).values(last_seen_at=at)
    )
    session.commit()
    return client.get(url).text


def test_a_session_due_its_touch_is_touched(
    client: TestClient, world: World, session: Session
) -> None:
    long_ago = utcnow() - sessions.TOUCH_EVERY - timedelta(minutes=1)
    assert "Emil Employee" in _last_seen(client, world, session, long_ago)
    session.expire_all()
    assert _session_row(session, world.employee).last_seen_at > long_ago + timedelta(minutes=1)


def test_an_idle_session_gets_the_visitors_page(
    client: TestClient, world: World, session: Session
) -> None:
    page = _last_seen(client, world, session, utcnow() - timedelta(days=400))
    assert "Emil Employee" not in page and 'href="/login"' in page


def test_unread_notifications_are_counted_the_full_way_then_kept(
    client: TestClient, world: World, session: Session
) -> None:
    need_id = _need(session, world, world.employee)
    login(client, world.employee)
    url = f"/projects/{world.public.id}"
    rel = permissions.relation(session, world.partner_employee, world.public)
    need = session.get(Need, need_id)
    assert need is not None
    needs.add_comment(session, rel=rel, need=need, data=CommentCreate(body="Et svar til deg"))
    session.commit()
    unread = session.exec(
        select(Notification).where(
            Notification.recipient_id == world.employee.id, col(Notification.read_at).is_(None)
        )
    ).all()
    assert unread  # the author hears of the comment
    full, hit, statements = _twice(client, url)
    assert hit == full and statements == 1
    assert f'<span class="badge count">{len(unread)}<' in hit.split("<main")[0]


def test_an_invited_co_author_shares_the_page_of_co_authors_only(
    client: TestClient, other_client: TestClient, world: World, factory: Factory, session: Session
) -> None:
    colleague = factory.user(Role.employee, world.owner, name="Kari Kollega")
    procurer = permissions.relation(session, world.procurer, world.public)
    requirements.invite_co_author(session, rel=procurer, user_id=id_of(world.employee))
    session.commit()
    login(client, world.employee)
    login(other_client, colleague)
    url = f"/projects/{world.public.id}"
    render_cache.clear_all()
    full, hit, statements = _twice(client, url)
    assert hit == full and statements == 1
    _full, theirs, statements = _twice(other_client, url)
    assert statements == 1
    tab = f'href="/projects/{world.public.id}/specification"'
    assert tab in hit and tab not in theirs
