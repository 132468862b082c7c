"""Role labels on comments: a procurer's, a supplier's or an employee's reply is marked as such,
in the thread as loaded, as pushed live, and without a query per comment."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services import needs
from app.services.permissions import relation
from tests.conftest import World
from tests.helpers import EN, Api, counted_queries


def labels_on_page(client: TestClient, need_id: int) -> dict[str, str]:
    """Author name → role label, as the need page shows each comment."""
    page = client.get(f"/needs/{need_id}", headers=EN).text
    found = re.findall(
        r'<strong>([^<]+)</strong> <span class="badge role-label">([^<]+)</span>', page
    )
    return dict(found)


def test_each_comment_shows_its_authors_role(api: Api, world: World, client: TestClient) -> None:
    need = api.post_need(world.citizen, world.public.id)
    for who in (world.citizen, world.employee, world.procurer, world.partner_procurer):
        api.comment(who, need["id"], "Et innspill.")
    labels = labels_on_page(client, need["id"])
    assert labels["Cecilie Citizen"] == "Citizen"
    assert labels["Emil Employee"] == "Employee"
    assert labels["Petra Procurer"] == "Procurer"
    assert labels[world.partner_procurer.display_name] == "Procurer"  # a partner's procurer


def test_a_procurer_of_another_municipality_is_not_labelled_the_projects_procurer(
    api: Api, world: World, client: TestClient
) -> None:
    need = api.post_need(world.citizen, world.public.id)
    api.comment(world.other_procurer, need["id"], "Vi har gjort dette hos oss.")
    assert labels_on_page(client, need["id"])[world.other_procurer.display_name] == "Employee"


def test_the_thread_reads_roles_in_the_same_single_query(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.citizen, world.public.id)
    rel = relation(session, None, world.public)

    def queries() -> int:
        with counted_queries() as statements:
            needs.comment_tree(session, rel=rel, need_id=need["id"])
        return len(statements)

    api.comment(world.employee, need["id"], "Første.")
    one = queries()
    for who in (world.procurer, world.citizen, world.partner_employee) * 3:
        api.comment(who, need["id"], "Flere innspill.")
    assert queries() == one == 1
    tree = needs.comment_tree(session, rel=rel, need_id=need["id"])
    assert {str(view.author_role) for view in tree} == {"employee", "procurer", "citizen"}


def test_the_comment_just_written_carries_the_authors_role(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.citizen, world.public.id)
    comment = api.comment(world.procurer, need["id"], "Svar fra innkjøper.")
    rel = relation(session, None, world.public)
    view = needs.comment_view(session, rel=rel, comment_id=comment["id"])
    assert view.author_role == "procurer"
