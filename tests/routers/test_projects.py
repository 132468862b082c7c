"""Projects: who opens them, for which organisation, with which partners, and who sees them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import World, login
from tests.helpers import EN, Api

PROJECT = {
    "title": "Smartere skoleskyss",
    "summary": "Færre tomme busser og tryggere skolevei.",
    "service_area": "Oppvekst",
    "innovation_ambition": "Fra faste ruter til skyss etter behov.",
}

# Who may see the internal project (owned by `owner`, with `partner` as partner) ...
SEES_INTERNAL = ["procurer", "partner_procurer", "employee", "partner_employee", "admin"]
# ... and who may not even know it exists.
BLIND_TO_INTERNAL = [
    "citizen",
    "supplier",
    "researcher",
    "other_employee",
    "other_procurer",
    None,
]


# ---- opening a project ----------------------------------------------------------------------


def test_procurer_opens_a_project_for_their_own_municipality(api: Api, world: World) -> None:
    response = api.post("/projects", world.procurer, json=PROJECT)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["owner_org_id"] == world.owner.id
    assert body["partner_org_ids"] == []
    assert body["visibility"] == "public"
    assert body["phase"] == "needs"


def test_procurer_opens_a_joint_project_with_partner_municipalities(api: Api, world: World) -> None:
    response = api.post(
        "/projects",
        world.procurer,
        json={**PROJECT, "partner_org_ids": [world.partner.id, world.elsewhere.id]},
    )
    assert response.status_code == 201
    assert sorted(response.json()["partner_org_ids"]) == sorted(
        [world.partner.id, world.elsewhere.id]
    )


@pytest.mark.parametrize("role", ["employee", "citizen", "supplier", "researcher"])
def test_only_procurers_and_admins_open_projects(api: Api, world: World, role: str) -> None:
    response = api.post("/projects", getattr(world, role), json=PROJECT)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only procurers can open a project.", "code": "forbidden"}


def test_anonymous_cannot_open_a_project(api: Api, world: World) -> None:
    response = api.post("/projects", None, json=PROJECT)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_procurer_cannot_open_a_project_for_another_municipality(api: Api, world: World) -> None:
    response = api.post(
        "/projects", world.procurer, json={**PROJECT, "owner_org_id": world.elsewhere.id}
    )
    assert response.status_code == 403
    assert "own organisation" in response.json()["detail"]
    titles = [p["title"] for p in api.get("/projects", world.admin).json()]
    assert PROJECT["title"] not in titles


@pytest.mark.parametrize("partner", ["supplier_org", "research_org"])
def test_partners_must_be_municipalities_or_counties(api: Api, world: World, partner: str) -> None:
    org = getattr(world, partner)
    response = api.post("/projects", world.procurer, json={**PROJECT, "partner_org_ids": [org.id]})
    assert response.status_code == 422
    assert response.json()["detail"] == "Owner and partners must be municipalities or counties."


@pytest.mark.parametrize("field", ["title", "summary", "service_area", "innovation_ambition"])
def test_blank_project_texts_are_refused(api: Api, world: World, field: str) -> None:
    response = api.post("/projects", world.procurer, json={**PROJECT, field: "    "})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Title, summary, service area and innovation ambition cannot be blank."
    )
    listed = {p["id"] for p in api.get("/projects", world.procurer).json()}
    assert listed == {world.internal.id, world.public.id}


def test_unknown_partner_organisation_is_refused(api: Api, world: World) -> None:
    response = api.post("/projects", world.procurer, json={**PROJECT, "partner_org_ids": [9999]})
    assert response.status_code == 422


def test_admin_opens_a_project_for_a_named_municipality(api: Api, world: World) -> None:
    response = api.post(
        "/projects", world.admin, json={**PROJECT, "owner_org_id": world.elsewhere.id}
    )
    assert response.status_code == 201
    assert response.json()["owner_org_id"] == world.elsewhere.id


def test_admin_must_name_the_owner(api: Api, world: World) -> None:
    response = api.post("/projects", world.admin, json=PROJECT)
    assert response.status_code == 422


def test_procurer_opens_a_project_from_the_form(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    assert client.get("/projects/new").status_code == 200
    response = client.post(
        "/projects",
        data={**PROJECT, "visibility": "internal", "partner_org_ids": [str(world.partner.id)]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert PROJECT["title"] in page.text
    assert "Partnerkommune" in page.text


def test_citizen_does_not_get_the_new_project_form(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    assert client.get("/projects/new", headers=EN).status_code == 403


# ---- who sees a project -----------------------------------------------------------------------


@pytest.mark.parametrize("viewer", SEES_INTERNAL)
def test_members_of_owner_and_partners_see_internal_project(
    api: Api, world: World, viewer: str
) -> None:
    user = world.member(viewer)
    assert api.get(f"/projects/{world.internal.id}", user).status_code == 200
    listed = {p["id"] for p in api.get("/projects", user).json()}
    assert listed == {world.public.id, world.internal.id}


@pytest.mark.parametrize("viewer", BLIND_TO_INTERNAL)
def test_internal_project_is_not_found_by_outsiders(api: Api, world: World, viewer: str) -> None:
    user = world.member(viewer)
    response = api.get(f"/projects/{world.internal.id}", user)
    assert response.status_code == 404  # not 403: outsiders may not learn that it exists
    assert response.json() == {"detail": "No such project.", "code": "not_found"}
    assert [p["id"] for p in api.get("/projects", user).json()] == [world.public.id]


@pytest.mark.parametrize("viewer", BLIND_TO_INTERNAL)
def test_internal_project_needs_are_not_found_by_outsiders(
    api: Api, world: World, viewer: str
) -> None:
    need = api.post_need(world.employee, world.internal.id)
    user = world.member(viewer)
    assert api.get(f"/projects/{world.internal.id}/needs", user).status_code == 404
    assert api.get(f"/needs/{need['id']}", user).status_code == 404
    assert api.get(f"/needs/{need['id']}/comments", user).status_code == 404


def test_citizen_cannot_see_internal_project(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    assert client.get(f"/projects/{world.internal.id}").status_code == 404
    home = client.get("/")
    assert "Offentlig prosjekt" in home.text
    assert "Internt prosjekt" not in home.text


def test_anonymous_visitor_sees_public_but_not_internal_pages(
    client: TestClient, world: World
) -> None:
    assert client.get(f"/projects/{world.public.id}").status_code == 200
    assert client.get(f"/projects/{world.internal.id}").status_code == 404
    assert "Internt prosjekt" not in client.get("/").text


def test_partner_employee_sees_internal_project_page(client: TestClient, world: World) -> None:
    login(client, world.partner_employee)
    page = client.get(f"/projects/{world.internal.id}")
    assert page.status_code == 200
    assert "Internt prosjekt" in page.text
    assert "Internt prosjekt" in client.get("/").text


def test_unknown_project_is_404(api: Api, world: World) -> None:
    response = api.get("/projects/4242", world.admin)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
