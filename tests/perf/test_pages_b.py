"""The proposals, events, documents and metrics pages cost the same number of queries whatever the
size of the project, for a visitor and for participants, and their lists page without duplicates
or gaps."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import (
    DialogueEvent,
    Document,
    Need,
    ParticipationEvent,
    Proposal,
    ProposalNeed,
    SupplierRegistration,
)
from app.models.event import EventRegistration
from app.models.project import ProjectCreate
from app.services import documents, events, projects, proposals
from app.services.render_cache import clear_all
from tests.conftest import World, login
from tests.helpers import EN, counted_queries

MOMENT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
VIEWERS = (None, "employee", "supplier", "procurer")
CARD = {
    "proposals": re.compile(r'id="proposal-(\d+)-card"'),
    "documents": re.compile(r'id="document-(\d+)"'),
    "events": re.compile(r'<a href="/events/(\d+)">'),
}
MORE = re.compile(r'hx-get="(/projects/\d+/\w+/more\?cursor=[^"]+)"')


def register_supplier(session: Session, world: World) -> None:
    """The world's supplier company registered for the public project's market dialogue."""
    session.add(
        SupplierRegistration(
            project_id=world.public.id,  # type: ignore[arg-type]
            organisation_id=world.supplier_org.id,  # type: ignore[arg-type]
            registered_by_id=world.supplier.id,  # type: ignore[arg-type]
        )
    )
    session.commit()


def add_proposals(session: Session, world: World, count: int, *, start: int = 0) -> None:
    """`count` proposals by the world's supplier, every other one with its summary published,
    each answering a need; all at one moment, so the paging must break ties by id."""
    need = Need(
        project_id=world.public.id,  # type: ignore[arg-type]
        author_id=world.employee.id,  # type: ignore[arg-type]
        title="Et behov",
        problem="Et problem som trenger en løsning.",
    )
    session.add(need)
    session.flush()
    for n in range(start, start + count):
        proposal = Proposal(
            project_id=world.public.id,  # type: ignore[arg-type]
            organisation_id=world.supplier_org.id,  # type: ignore[arg-type]
            submitted_by_id=world.supplier.id,  # type: ignore[arg-type]
            title=f"Forslag {n:03d}",
            summary="Et forslag til løsning.",
            body="Hele forslaget.",
            submitted_at=MOMENT,
            summary_published=n % 2 == 0,
        )
        session.add(proposal)
        session.flush()
        session.add(ProposalNeed(proposal_id=proposal.id, need_id=need.id))  # type: ignore[arg-type]
    session.commit()


def add_events(session: Session, world: World, count: int, *, start: int = 0) -> None:
    """`count` conferences, each with the employee registered (every other one waitlisted)."""
    for n in range(start, start + count):
        event = DialogueEvent(
            project_id=world.public.id,  # type: ignore[arg-type]
            created_by_id=world.procurer.id,  # type: ignore[arg-type]
            kind="conference",
            title=f"Konferanse {n:03d}",
            description="Om behovene.",
            location="Rådhuset",
            starts_at=MOMENT + timedelta(days=n % 7),
            ends_at=MOMENT + timedelta(days=n % 7, hours=2),
            capacity=10,
        )
        session.add(event)
        session.flush()
        status = "confirmed" if n % 2 else "waitlisted"
        for user in (world.employee, world.supplier):
            session.add(EventRegistration(event_id=event.id, user_id=user.id, status=status))  # type: ignore[arg-type]
    session.commit()


def add_documents(session: Session, world: World, count: int, *, start: int = 0) -> None:
    """`count` documents for every audience: published, drafts and withdrawn, moments shared."""
    for n in range(start, start + count):
        published = MOMENT + timedelta(hours=n % 3) if n % 5 else None
        session.add(
            Document(
                project_id=world.public.id,  # type: ignore[arg-type]
                kind="other",
                title=f"Dokument {n:03d}",
                audience=("public", "participants", "procurers")[n % 3],
                sha256="0" * 64,
                size=1000,
                content_type="application/pdf",
                filename=f"dokument-{n}.pdf",
                uploaded_by_id=world.procurer.id,  # type: ignore[arg-type]
                uploaded_at=MOMENT + timedelta(hours=n % 4),
                published_at=published,
                withdrawn_at=MOMENT + timedelta(days=1) if n % 7 == 0 else None,
            )
        )
    session.commit()


def add_participation(session: Session, world: World, count: int) -> None:
    """`count` participation events in the public project (comments by the employee)."""
    session.add_all(
        ParticipationEvent(
            occurred_at=MOMENT + timedelta(minutes=n),
            project_id=world.public.id,  # type: ignore[arg-type]
            phase="needs",
            actor_id=world.employee.id,
            actor_role="employee",
            actor_org_id=world.owner.id,
            actor_org_kind="municipality",
            verb="commented",
            object_type="need",
            object_id=n + 1,
        )
        for n in range(count)
    )
    world.public.content_version += 1
    session.add(world.public)
    session.commit()


def add_projects(session: Session, world: World, count: int) -> None:
    """`count` more public projects of the owner municipality."""
    for n in range(count):
        projects.create_project(
            session,
            user=world.procurer,
            data=ProjectCreate(
                title=f"Prosjekt {n}",
                summary="Bedre oppfølging hjemme.",
                service_area="Helse",
                innovation_ambition="Fra besøk etter liste til oppfølging etter behov.",
            ),
        )
    session.commit()


def queries(client: TestClient, path: str, *, cold: bool = False) -> int:
    """How many SQL statements one request of the page runs (after one to warm up; `cold`
    forgets the rendered caches first, so the figures are computed in the request)."""
    assert client.get(path, headers=EN).status_code == 200
    if cold:
        clear_all()
    with counted_queries() as statements:
        response = client.get(path, headers=EN)
        assert response.status_code == 200, response.text[:300]
    return len(statements)


def as_viewer(client: TestClient, world: World, who: str | None) -> TestClient:
    """The client logged in as the world's member (a visitor for None)."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    return login(client, world.member(who)) if who else client  # type: ignore[arg-type]


def counts_for_each_viewer(
    client: TestClient, world: World, path: str, *, cold: bool = False
) -> dict[str | None, int]:
    return {who: queries(as_viewer(client, world, who), path, cold=cold) for who in VIEWERS}


@pytest.mark.parametrize(
    ("page", "grow"),
    [
        ("proposals", add_proposals),
        ("events", add_events),
        ("documents", add_documents),
    ],
)
def test_queries_per_list_page_do_not_grow_with_the_list(
    client: TestClient,
    world: World,
    session: Session,
    page: str,
    grow: Callable[..., None],
) -> None:
    register_supplier(session, world)
    path = f"/projects/{world.public.id}/{page}"
    grow(session, world, 4)
    few = counts_for_each_viewer(client, world, path)
    grow(session, world, 150, start=4)
    many = counts_for_each_viewer(client, world, path)
    assert many == few


def test_queries_of_a_project_dashboard_do_not_grow_with_participation(
    client: TestClient, world: World, session: Session
) -> None:
    path = f"/projects/{world.public.id}/metrics"
    add_participation(session, world, 5)
    few = counts_for_each_viewer(client, world, path, cold=True)
    add_participation(session, world, 500)
    many = counts_for_each_viewer(client, world, path, cold=True)
    assert many == few


@pytest.mark.parametrize("dashboard", ["platform", "organisation"])
def test_queries_of_a_dashboard_over_projects_do_not_grow_with_the_projects(
    client: TestClient, world: World, session: Session, dashboard: str
) -> None:
    path = (
        "/platform/metrics"
        if dashboard == "platform"
        else f"/organisations/{world.owner.id}/metrics"
    )
    add_participation(session, world, 20)
    few = counts_for_each_viewer(client, world, path)
    add_projects(session, world, 6)
    add_participation(session, world, 200)
    many = counts_for_each_viewer(client, world, path)
    assert many == few


def test_a_dashboard_over_projects_follows_a_new_contribution(
    client: TestClient, world: World, session: Session
) -> None:
    def participants() -> str:
        page = as_viewer(client, world, "procurer").get("/platform/metrics", headers=EN)
        return page.text

    before = participants()
    add_participation(session, world, 30)
    assert participants() != before


# ---- paging -----------------------------------------------------------------------------------


def walk(client: TestClient, path: str, card: re.Pattern[str]) -> list[list[int]]:
    """The ids on the page and on every "Show more" fragment after it, page by page."""
    page = client.get(path, headers=EN)
    assert page.status_code == 200
    pages = [[int(i) for i in card.findall(page.text)]]
    more = MORE.search(page.text)
    while more:
        fragment = client.get(more.group(1).replace("&amp;", "&"), headers=EN)
        assert fragment.status_code == 200
        pages.append([int(i) for i in card.findall(fragment.text)])
        more = MORE.search(fragment.text)
    return pages


@pytest.mark.parametrize("who", VIEWERS)
def test_the_proposals_pages_show_each_visible_proposal_once_in_order(
    client: TestClient, world: World, session: Session, who: str | None
) -> None:
    register_supplier(session, world)
    add_proposals(session, world, proposals.PAGE_SIZE + 7)
    viewer = as_viewer(client, world, who)
    pages = walk(viewer, f"/projects/{world.public.id}/proposals", CARD["proposals"])
    rel = projects.get_project(session, user=world.member(who), project_id=world.public.id)
    summaries_only = not rel.is_procurer
    expected = [
        v.proposal.id
        for v in proposals.list_proposals(session, rel=rel, summaries_only=summaries_only)
    ]
    assert [i for page in pages for i in page] == expected
    assert len(pages) == -(-len(expected) // proposals.PAGE_SIZE)


@pytest.mark.parametrize("who", VIEWERS)
def test_the_documents_pages_show_each_visible_document_once_in_order(
    client: TestClient, world: World, session: Session, who: str | None
) -> None:
    add_documents(session, world, documents.PAGE_SIZE * 2 + 9)
    viewer = as_viewer(client, world, who)
    pages = walk(viewer, f"/projects/{world.public.id}/documents", CARD["documents"])
    rel = projects.get_project(session, user=world.member(who), project_id=world.public.id)
    expected = [d.id for d in documents.list_documents(session, rel=rel)]
    assert [i for page in pages for i in page] == expected
    if who == "procurer":  # drafts and withdrawn ones too
        assert len(expected) == documents.PAGE_SIZE * 2 + 9


def test_the_events_pages_show_each_event_once_in_order(
    client: TestClient, world: World, session: Session
) -> None:
    add_events(session, world, events.PAGE_SIZE + 12)
    viewer = as_viewer(client, world, "employee")
    pages = walk(viewer, f"/projects/{world.public.id}/events", CARD["events"])
    rel = projects.get_project(session, user=world.employee, project_id=world.public.id)
    expected = [v.event.id for v in events.list_events(session, rel=rel)]
    assert [i for page in pages for i in page] == expected
    assert len(pages) == 2


@pytest.mark.parametrize("page", ["proposals", "documents", "events"])
@pytest.mark.parametrize("cursor", ["garbage", "WzEsMl0", "WyJ4IiwxXQ", "W10"])
def test_a_cursor_the_server_did_not_make_is_refused(
    client: TestClient, world: World, page: str, cursor: str
) -> None:
    for path in (f"/projects/{world.public.id}/{page}", f"/projects/{world.public.id}/{page}/more"):
        response = client.get(path, params={"cursor": cursor}, headers=EN)
        assert response.status_code == 422, (path, cursor, response.status_code)
        assert "not valid" in response.text


def test_a_visitor_sees_only_published_public_documents_on_every_page(
    client: TestClient, world: World, session: Session
) -> None:
    add_documents(session, world, documents.PAGE_SIZE * 2)
    pages = walk(client, f"/projects/{world.public.id}/documents", CARD["documents"])
    shown = [session.get(Document, i) for page in pages for i in page]
    assert shown and all(d.audience == "public" and d.published_at for d in shown)  # type: ignore[union-attr]
    assert not any(d.withdrawn_at for d in shown)  # type: ignore[union-attr]
