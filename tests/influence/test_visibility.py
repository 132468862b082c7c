"""Who sees what of the influence report: the project's procurers all of it; every other role
only what it may open, never a confidential link, never a supplier named; small groups
suppressed for those who do not read the project's participation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import User
from app.models.base import Role
from tests.conftest import Factory, login
from tests.helpers import Api
from tests.influence.conftest import CONFIDENTIAL_TITLE, SUPPLIER_B, Scene, link, need

# Everyone who may see the public project but is not one of its procurers.
OUTSIDERS = (
    "co_author",
    "owner_employee",
    "partner_employee",
    "other_employee",
    "other_procurer",
    "citizen",
    "supplier",
    "supplier_b",
    "researcher",
    "anonymous",
)
PROCURERS = ("procurer", "partner_procurer", "admin")


def member(scene: Scene, factory: Factory, name: str) -> User | None:
    """The cast member by role name (the co-author is the owner's invited employee)."""
    world = scene.world
    if name == "anonymous":
        return None
    if name == "co_author":
        return world.employee
    if name == "owner_employee":
        return factory.user(Role.employee, world.owner)
    if name == "supplier_b":
        return scene.supplier_b
    return getattr(world, name)


def report(api: Api, scene: Scene, user: User | None) -> dict[str, Any]:
    response = api.get(f"/projects/{scene.project_id}/influence", user)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("name", PROCURERS)
def test_the_projects_procurers_get_the_full_report(
    api: Api, scene: Scene, factory: Factory, name: str
) -> None:
    body = report(api, scene, member(scene, factory, name))
    assert (body["view"], body["links"]) == ("full", 10)
    assert CONFIDENTIAL_TITLE in str(body)


@pytest.mark.parametrize("name", OUTSIDERS)
def test_everyone_else_never_counts_a_confidential_link_nor_learns_a_supplier(
    api: Api, scene: Scene, factory: Factory, name: str
) -> None:
    body = report(api, scene, member(scene, factory, name))
    assert (body["view"], body["requirements"], body["links"]) == ("restricted", 6, 8)
    text = str(body)
    assert CONFIDENTIAL_TITLE not in text
    assert "Leverandør AS" not in text and SUPPLIER_B not in text
    assert all(risk["proposals"] is None for risk in body["single_supplier"])
    # Only the researcher reads the participation, as on the dashboards.
    assert body["suppressed_cells"] is (name != "researcher")


@pytest.mark.parametrize("name", [n for n in OUTSIDERS if n != "co_author"])
def test_a_draft_specification_shows_outsiders_no_requirement_and_no_link(
    api: Api, draft_scene: Scene, factory: Factory, name: str
) -> None:
    body = report(api, draft_scene, member(draft_scene, factory, name))
    assert (body["requirements"], body["links"], body["needs_reached"]) == (0, 0, [])
    assert body["inputs_by_group"]["rows"] == []


def test_a_co_author_sees_the_drafts_but_no_confidential_link(api: Api, draft_scene: Scene) -> None:
    body = report(api, draft_scene, draft_scene.world.employee)
    assert (body["view"], body["requirements"], body["links"]) == ("restricted", 6, 8)
    assert CONFIDENTIAL_TITLE not in str(body)


@pytest.mark.parametrize("name", ["citizen", "other_employee", "supplier", "anonymous"])
def test_an_internal_projects_report_is_not_found_for_those_who_may_not_see_it(
    api: Api, scene: Scene, factory: Factory, name: str
) -> None:
    user = member(scene, factory, name)
    response = api.get(f"/projects/{scene.world.internal.id}/influence", user)
    assert response.status_code == 404


def test_groups_under_five_people_are_suppressed_for_outsiders(
    api: Api, scene: Scene, session: Session, factory: Factory
) -> None:
    rows = report(api, scene, scene.world.citizen)["inputs_by_group"]["rows"]
    assert all(row["inputs"] is None for row in rows)  # every group counts 1 or 2 people
    r1 = scene.requirements["R1"]
    for n in range(5):
        author = factory.user(Role.citizen)
        link(session, r1, need(session, author, scene.project_id, f"Behov {n}"), by=author)
    session.commit()
    figure = report(api, scene, scene.world.citizen)["inputs_by_group"]
    shown = {(r["author_role"], r["organisation_kind"]): r for r in figure["rows"]}
    assert shown[("citizen", "none")] == {
        "author_role": "citizen",
        "organisation_kind": "none",
        "inputs": 7,
        "reached": 7,
        "requirements": 2,
    }
    assert shown[("supplier", "supplier")]["inputs"] is None
    assert figure["suppressed"] == 3
    # The procurer's full report is never suppressed.
    full = report(api, scene, scene.world.procurer)["inputs_by_group"]
    assert full["suppressed"] == 0


def test_the_page_shows_the_procurer_the_proposals_and_a_citizen_neither(
    client: TestClient, other_client: TestClient, scene: Scene
) -> None:
    page = login(client, scene.world.procurer).get(f"/projects/{scene.project_id}/influence")
    assert page.status_code == 200
    assert CONFIDENTIAL_TITLE in page.text and "Leverandør AS" in page.text
    assert "Påvirkningsrapport" in page.text
    citizen = login(other_client, scene.world.citizen).get(
        f"/projects/{scene.project_id}/influence"
    )
    assert citizen.status_code == 200
    assert CONFIDENTIAL_TITLE not in citizen.text and "Leverandør AS" not in citizen.text
    assert "Krav R3" in citizen.text  # flagged, without naming the supplier
    # The project page and the specification workspace lead to it.
    link = f'href="/projects/{scene.project_id}/influence"'
    assert link in other_client.get(f"/projects/{scene.project_id}").text
    assert link in client.get(f"/projects/{scene.project_id}/specification").text


def test_the_page_says_plainly_when_no_requirement_is_final_yet(
    client: TestClient, draft_scene: Scene
) -> None:
    page = login(client, draft_scene.world.procurer).get(
        f"/projects/{draft_scene.project_id}/influence"
    )
    assert page.status_code == 200
    assert 'id="influence-none-final"' in page.text
    assert "Ingen krav er endelige ennå." in page.text


def test_the_page_has_no_such_notice_once_requirements_are_final(
    client: TestClient, scene: Scene
) -> None:
    page = login(client, scene.world.procurer).get(f"/projects/{scene.project_id}/influence")
    assert 'id="influence-none-final"' not in page.text
