"""GET /api/v1/projects/{id}/ocds: a valid OCDS release package for whoever may see the project.

Validated against the official OCDS 1.1.5 schemas with the Enquiries extension (zero errors), and
holding nothing beyond the project's public fields and its organisations.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.demo import load_demo
from app.models import Comment, Project
from app.models.base import Visibility
from app.models.organisation import is_valid_org_number
from app.services import needs
from app.services.permissions import relation
from tests.conftest import World
from tests.helpers import Api
from tests.ocds_schema import assert_valid_package

# Keys whose values are identifiers, codes, dates or addresses rather than prose.
STRUCTURAL_KEYS = {
    "uri",
    "publishedDate",
    "version",
    "extensions",
    "ocid",
    "id",
    "date",
    "tag",
    "initiationType",
    "language",
    "roles",
    "scheme",
    "status",
}


def _ocds(api: Api, project_id: int, user: Any = None) -> Any:
    return api.get(f"/projects/{project_id}/ocds", user)


def _prose(node: Any, key: str = "") -> list[str]:
    """Every free-text string in the package (values of non-structural keys)."""
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in STRUCTURAL_KEYS for s in _prose(v, k)]
    if isinstance(node, list):
        return [s for item in node for s in _prose(item, key)]
    return [node] if isinstance(node, str) else []


def test_anyone_reads_a_public_projects_package_as_json(api: Api, world: World) -> None:
    response = _ocds(api, world.public.id)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    package = response.json()
    assert_valid_package(package)
    [release] = package["releases"]
    assert package["uri"] == f"http://testserver/api/v1/projects/{world.public.id}/ocds"
    assert release["ocid"] == f"ocds-pivotal-{world.public.id}"
    assert release["tag"] == ["planning"]
    assert release["tender"]["status"] == "planning"
    assert release["buyer"]["name"] == "Eierkommune"


def test_demo_projects_packages_validate(client: TestClient, api: Api, session: Session) -> None:
    load_demo(session)
    session.commit()
    demo_projects = session.exec(select(Project)).all()
    assert demo_projects
    admin = api.client.post(
        "/api/v1/auth/token",
        data={"username": "admin@pivotal.example", "password": "pivotal-demo"},
    ).json()["access_token"]
    for project in demo_projects:
        response = client.get(
            f"/api/v1/projects/{project.id}/ocds", headers={"Authorization": f"Bearer {admin}"}
        )
        assert response.status_code == 200, response.text
        package = response.json()
        assert_valid_package(package)
        [release] = package["releases"]
        for party in release["parties"]:
            assert party["identifier"]["scheme"] == "NO-BRC"
            assert is_valid_org_number(party["identifier"]["id"])
            assert party["id"] == f"NO-BRC-{party['identifier']['id']}"
        if project.visibility == Visibility.public:
            assert _ocds(api, project.id).json() == package  # type: ignore[arg-type]


SEES_INTERNAL = ["procurer", "partner_procurer", "employee", "partner_employee", "admin"]
BLIND_TO_INTERNAL = [None, "citizen", "supplier", "researcher", "other_employee", "other_procurer"]


@pytest.mark.parametrize("who", BLIND_TO_INTERNAL)
def test_internal_projects_package_is_404_for_outsiders(
    api: Api, world: World, who: str | None
) -> None:
    user = getattr(world, who) if who else None
    response = _ocds(api, world.internal.id, user)  # type: ignore[arg-type]
    assert response.status_code == 404
    # The same answer as the project itself: the package does not reveal that the project exists.
    assert response.json() == api.get(f"/projects/{world.internal.id}", user).json()


@pytest.mark.parametrize("who", SEES_INTERNAL)
def test_internal_projects_package_is_visible_to_its_members(
    api: Api, world: World, who: str
) -> None:
    response = _ocds(api, world.internal.id, getattr(world, who))  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert_valid_package(response.json())


def test_unknown_or_impossible_project_ids_are_client_errors(api: Api, world: World) -> None:
    assert _ocds(api, 999_999).status_code == 404
    assert api.get("/projects/99999999999999999999/ocds").status_code == 422
    assert api.get("/projects/-1/ocds").status_code == 422  # no row has an id below 1
    assert api.get("/projects/abc/ocds").status_code == 422


def test_package_holds_nothing_beyond_the_projects_public_fields(
    api: Api, world: World, session: Session
) -> None:
    project_id: int = world.public.id  # type: ignore[assignment]
    secrets = {
        "anonymous need title": "Hemmelig behovstittel",
        "anonymous need problem": "Kun prosjektet skal vite om dette problemet.",
        "comment": "Intern kommentar om leverandøren.",
        "hidden comment": "Denne kommentaren er skjult av moderator.",
        "hiding reason": "Personopplysninger i kommentaren.",
        "rejection reason": "Avvist av grunner som bare forfatteren får se.",
    }
    need = api.post_need(
        world.employee,
        project_id,
        title=secrets["anonymous need title"],
        problem=secrets["anonymous need problem"],
        anonymous=True,
    )
    api.comment(world.supplier, need["id"], body=secrets["comment"])
    hidden = api.comment(world.citizen, need["id"], body=secrets["hidden comment"])
    other = api.post_need(world.citizen, project_id)
    response = api.set_status(
        world.procurer, other["id"], status="rejected", reason=secrets["rejection reason"]
    )
    assert response.status_code == 200, response.text
    comment = session.get(Comment, hidden["id"])
    assert comment is not None
    needs.hide_comment(
        session,
        rel=relation(session, world.procurer, world.public),
        comment=comment,
        reason=secrets["hiding reason"],
    )
    session.commit()
    people = [world.employee, world.citizen, world.supplier, world.procurer]
    markers = [
        *secrets.values(),
        *(u.display_name for u in people),
        *(u.email for u in people),
        world.internal.title,
        world.supplier_org.name,
        world.elsewhere.name,
    ]

    for reader in (None, world.procurer, world.admin):
        response = _ocds(api, project_id, reader)
        assert response.status_code == 200
        for marker in markers:
            assert marker not in response.text, marker
        package = response.json()
        assert_valid_package(package)
        public_texts = {
            world.public.title,
            world.public.summary,
            world.public.innovation_ambition,
            world.owner.name,
            world.partner.name,
            "Pivotal",
        }
        assert set(_prose(package)) <= public_texts


def test_package_is_the_same_for_every_viewer(api: Api, world: World) -> None:
    anonymous = _ocds(api, world.public.id).json()  # type: ignore[arg-type]
    for reader in (world.procurer, world.supplier, world.admin):
        assert _ocds(api, world.public.id, reader).json() == anonymous  # type: ignore[arg-type]


def test_ocid_prefix_comes_from_the_settings(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "ocds_prefix", "ocds-q1w2e3")
    [release] = _ocds(api, world.public.id).json()["releases"]  # type: ignore[arg-type]
    assert release["ocid"] == f"ocds-q1w2e3-{world.public.id}"


def test_openapi_describes_the_export(client: TestClient) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/projects/{project_id}/ocds"
    ]["get"]
    assert operation["tags"] == ["open data"]
    assert "Open Contracting Data Standard" in operation["description"]
    assert "application/json" in operation["responses"]["200"]["content"]
    assert "404" in operation["responses"]
