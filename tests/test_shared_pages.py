"""Logged-in people's pages are rendered once for everyone who stands alike to the project and
shared; each person still sees only their own name, token and own parts, a person who stands
otherwise never gets someone else's render, and an ended session or membership counts at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import User
from app.models.base import OrganisationKind, Phase, Role, id_of, utcnow
from app.models.need import CommentCreate, NeedCreate
from app.services import needs, permissions, render_cache, sessions
from app.services.permissions import AudienceViewer, SharedRenderError
from tests.conftest import CSRF_RE, Factory, World, login
from tests.helpers import Api


def _token(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found is not None
    return found.group(1)


def _page(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/projects/{p}",
        "/projects/{p}/questions",
        "/projects/{p}/proposals",
        "/projects/{p}/documents",
        "/projects/{p}/metrics",
    ],
)
def test_two_employees_share_the_render_but_each_sees_only_their_own_name_and_token(
    client: TestClient, other_client: TestClient, world: World, factory: Factory, path: str
) -> None:
    colleague = factory.user(Role.employee, world.owner, name="Kari Kollega")
    login(client, world.employee)
    login(other_client, colleague)
    url = path.format(p=world.public.id)
    render_cache.clear_all()
    mine = _page(client, url)
    misses = render_cache.shared_pages.misses
    theirs = _page(other_client, url)
    assert render_cache.shared_pages.misses == misses  # the second one came from the shared render
    assert "Emil Employee" in mine and "Kari Kollega" not in mine
    assert "Kari Kollega" in theirs and "Emil Employee" not in theirs
    assert _token(mine) != _token(theirs)
    assert _token(theirs) not in mine and _token(mine) not in theirs
    assert f"/ws/people/{world.employee.id}" in mine
    assert (
        f"/ws/people/{colleague.id}" in theirs and f"/ws/people/{world.employee.id}" not in theirs
    )


def test_following_a_project_shows_on_the_follower_page_only(
    client: TestClient, other_client: TestClient, world: World, factory: Factory
) -> None:
    colleague = factory.user(Role.employee, world.owner, name="Kari Kollega")
    login(client, world.employee)
    login(other_client, colleague)
    url = f"/projects/{world.public.id}"
    _page(other_client, url)  # the shared render exists before anyone follows
    assert client.post(f"{url}/follow").status_code in (200, 303)
    assert f'action="{url}/unfollow"' in _page(client, url)
    theirs = _page(other_client, url)
    assert f'action="{url}/unfollow"' not in theirs and f'action="{url}/follow"' in theirs


@pytest.mark.parametrize(
    "first, second",
    [
        ("employee", "procurer"),
        ("procurer", "employee"),
        ("employee", "partner_employee"),
        ("employee", "other_employee"),
        ("citizen", "moderator"),
        ("supplier", "other_supplier"),
    ],
)
def test_who_stands_otherwise_never_gets_the_render_of_another(
    client: TestClient,
    other_client: TestClient,
    world: World,
    factory: Factory,
    session: Session,
    first: str,
    second: str,
) -> None:
    people = {
        "moderator": _moderator(factory, session),
        "other_supplier": factory.user(
            Role.supplier, factory.org(OrganisationKind.supplier, name="Annen leverandør AS")
        ),
    }

    def person(name: str) -> User:
        return people.get(name) or getattr(world, name)

    login(client, person(first))
    login(other_client, person(second))
    url = f"/projects/{world.public.id}"
    render_cache.clear_all()
    _page(client, url)
    misses = render_cache.shared_pages.misses
    page = _page(other_client, url)
    assert render_cache.shared_pages.misses == misses + 1  # rendered for the second one anew
    editing = f"/projects/{world.public.id}/edit"
    assert (editing in page) == (second == "procurer")
    queue = f"/projects/{world.public.id}/reports"
    assert (queue in page) == (second in ("procurer", "moderator"))


def _moderator(factory: Factory, session: Session) -> User:
    user = factory.user(Role.citizen, name="Mona Moderator")
    user.is_moderator = True
    session.add(user)
    session.commit()
    return user


def test_an_ended_membership_counts_at_the_next_request(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.employee)
    url = f"/projects/{world.internal.id}"
    assert "Internt prosjekt" in _page(client, url)
    # Ending the membership leaves a citizen account (memberships.lifecycle.sync_user).
    employee = session.get(User, world.employee.id)
    assert employee is not None
    employee.role, employee.organisation_id = Role.citizen, None
    session.add(employee)
    session.commit()
    assert client.get(url).status_code == 404
    front = _page(client, "/")
    assert "Internt prosjekt" not in front and "Offentlig prosjekt" in front


def test_a_session_ended_elsewhere_gets_the_visitors_page_at_once(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.employee)
    url = f"/projects/{world.public.id}"
    assert "Emil Employee" in _page(client, url)
    sessions.end_all(session, user=world.employee)
    session.commit()
    page = _page(client, url)
    assert "Emil Employee" not in page and 'href="/login"' in page


def test_the_stand_in_of_an_audience_tells_nothing_of_the_person() -> None:
    viewer = AudienceViewer(Role.employee, 1, False, False)
    assert viewer.role == Role.employee
    for own in ("id", "display_name", "email"):
        with pytest.raises(SharedRenderError):
            getattr(viewer, own)


def _need_with_comment(session: Session, world: World, commenter: User) -> int:
    """A need by the partner's employee with one comment by `commenter`; its id."""
    author_rel = permissions.relation(session, world.partner_employee, world.public)
    need = needs.post_need(
        session, rel=author_rel, data=NeedCreate(title="Felles behov", problem="Et problem.")
    )
    rel = permissions.relation(session, commenter, world.public)
    needs.add_comment(session, rel=rel, need=need, data=CommentCreate(body="Min egen kommentar"))
    session.commit()
    return id_of(need)


def test_the_need_page_is_shared_but_own_comments_show_to_their_writer_only(
    client: TestClient, other_client: TestClient, world: World, factory: Factory, session: Session
) -> None:
    colleague = factory.user(Role.employee, world.owner, name="Kari Kollega")
    need_id = _need_with_comment(session, world, world.employee)
    login(client, world.employee)
    login(other_client, colleague)
    render_cache.clear_all()
    mine = _page(client, f"/needs/{need_id}")
    misses = render_cache.shared_pages.misses
    theirs = _page(other_client, f"/needs/{need_id}")
    assert render_cache.shared_pages.misses == misses
    assert 'id="own-comments-heading"' in mine and 'id="own-comments-heading"' not in theirs
    assert "Min egen kommentar" in theirs  # in the thread, for everyone
    assert "Kari Kollega" in theirs and "Emil Employee" not in theirs.split("<main")[0]


def test_the_need_author_gets_a_page_of_their_own_shared_with_no_colleague(
    client: TestClient, other_client: TestClient, world: World, factory: Factory, session: Session
) -> None:
    colleague = factory.user(Role.employee, world.partner, name="Kari Kollega")
    need_id = _need_with_comment(session, world, world.employee)
    login(client, world.partner_employee)  # who wrote the need
    login(other_client, colleague)
    render_cache.clear_all()
    misses = render_cache.shared_pages.misses
    theirs = _page(other_client, f"/needs/{need_id}")
    mine = _page(client, f"/needs/{need_id}")
    assert render_cache.shared_pages.misses == misses + 2
    assert f'href="/needs/{need_id}/edit"' in mine
    assert f'href="/needs/{need_id}/edit"' not in theirs


def test_a_supplier_company_pending_question_never_reaches_a_rival_company(
    client: TestClient, other_client: TestClient, world: World, factory: Factory, api: Api
) -> None:
    project = world.public.id
    api.post_need(world.employee, project)
    api.advance(world.procurer, project, Phase.market_dialogue)
    rival = factory.user(Role.supplier, factory.org(OrganisationKind.supplier, name="Rival AS"))
    assert api.post(f"/projects/{project}/suppliers", world.supplier).status_code == 201
    question = {"body": "Hvor mange brukere har tjenesten i dag?"}
    asked = api.post(f"/projects/{project}/questions", world.supplier, json=question)
    assert asked.status_code == 201, asked.text
    login(client, world.supplier)
    login(other_client, rival)
    url = f"/projects/{project}/questions"
    render_cache.clear_all()
    assert question["body"] in _page(client, url)
    assert question["body"] not in _page(other_client, url)
    assert question["body"] in _page(client, url)  # from the cache, still the company's own


def test_a_registration_for_an_event_shows_on_its_own_page_only(
    client: TestClient, other_client: TestClient, world: World, factory: Factory, api: Api
) -> None:
    project = world.public.id
    api.advance(world.procurer, project, Phase.market_dialogue)
    assert api.post(f"/projects/{project}/suppliers", world.supplier).status_code == 201
    colleague = factory.user(Role.supplier, world.supplier_org, name="Kollega")
    starts = utcnow() + timedelta(days=30)
    event = {
        "kind": "conference",
        "title": "Dialogkonferanse",
        "description": "Vi presenterer behovene.",
        "location": "Rådhuset",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
        "capacity": 5,
    }
    planned = api.post(f"/projects/{project}/events", world.procurer, json=event)
    assert planned.status_code == 201, planned.text
    registered = api.post(f"/events/{planned.json()['id']}/registrations", world.supplier)
    assert registered.status_code == 201, registered.text
    login(client, world.supplier)
    login(other_client, colleague)
    url = f"/projects/{project}/events"
    render_cache.clear_all()
    theirs = _page(other_client, url)
    misses = render_cache.shared_pages.misses
    mine = _page(client, url)
    assert render_cache.shared_pages.misses == misses  # one company: one shared render
    assert "Dialogkonferanse" in mine and "Dialogkonferanse" in theirs
    assert "påmeldt" in mine.lower() or "registered" in mine
    assert "påmeldt" not in theirs.lower() and "registered" not in theirs


def test_a_part_not_marked_as_the_persons_own_fails_in_tests_and_renders_alone_in_production(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings
    from app.services import project_tabs

    tabs_for = project_tabs.tabs_for

    def reading_the_person(session: Session, *, rel: permissions.ProjectRelation, **kw: object):  # type: ignore[no-untyped-def]
        assert rel.user is not None and rel.user.id  # a stand-in refuses the id
        return tabs_for(session, rel=rel, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(project_tabs, "tabs_for", reading_the_person)
    login(client, world.employee)
    render_cache.clear_all()
    with pytest.raises(SharedRenderError):
        client.get(f"/projects/{world.public.id}/documents")
    monkeypatch.setattr(get_settings(), "environment", "production")
    page = _page(client, f"/projects/{world.public.id}/documents")  # for the person alone
    assert "Emil Employee" in page
