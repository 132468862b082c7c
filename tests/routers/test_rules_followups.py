"""Rules tightened after review: any municipality's staff, merge chains, start phases, hiding."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from tests.conftest import World, bearer, login


def _need(client: TestClient, headers: dict[str, str], project_id: int, title: str) -> dict:
    response = client.post(
        f"/api/v1/projects/{project_id}/needs",
        json={"title": title, "problem": "Noe som må bli bedre for brukerne."},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_procurer_of_another_municipality_may_post_on_a_public_project(
    client: TestClient, world: World
) -> None:
    _need(client, bearer(client, world.other_procurer), world.public.id, "Fra nabokommunen")


def test_procurer_of_another_municipality_may_not_post_on_an_internal_project(
    client: TestClient, world: World
) -> None:
    response = client.post(
        f"/api/v1/projects/{world.internal.id}/needs",
        json={"title": "Fra nabokommunen", "problem": "Noe som må bli bedre for brukerne."},
        headers=bearer(client, world.other_procurer),
    )
    assert response.status_code == 404


def test_a_need_cannot_be_merged_into_a_need_that_was_itself_merged(
    client: TestClient, world: World
) -> None:
    employee = bearer(client, world.employee)
    a, b, c = (
        _need(client, employee, world.public.id, t) for t in ("A-behov", "B-behov", "C-behov")
    )
    procurer = bearer(client, world.procurer)
    merged = client.put(
        f"/api/v1/needs/{a['id']}/status",
        json={"status": "merged", "reason": "Samme behov", "merged_into_id": b["id"]},
        headers=procurer,
    )
    assert merged.status_code == 200
    refused = client.put(
        f"/api/v1/needs/{c['id']}/status",
        json={"status": "merged", "reason": "Samme behov", "merged_into_id": a["id"]},
        headers={**procurer, "Accept-Language": "en"},
    )
    assert refused.status_code == 422
    assert "itself merged" in refused.json()["detail"]


def test_a_project_cannot_be_created_in_a_late_phase(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/projects",
        json={
            "title": "Hoppe over porten",
            "summary": "Et prosjekt som vil starte i konkurransen.",
            "service_area": "Helse",
            "innovation_ambition": "Ingen.",
            "phase": "competition",
        },
        headers=bearer(client, world.procurer),
    )
    assert response.status_code == 422


def test_createuser_with_an_unknown_organisation_number_says_so(database_url: str) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "createuser",
            "--email",
            "ny@example.org",
            "--password",
            "langt-passord-1",
            "--role",
            "procurer",
            "--org",
            "942110464",
        ],
    )
    assert result.exit_code == 2
    assert "No organisation has the number 942110464" in result.output


def test_procurer_hides_a_comment_from_the_need_page(
    client: TestClient, other_client: TestClient, world: World
) -> None:
    need = _need(client, bearer(client, world.employee), world.public.id, "Behov med kommentar")
    client.post(
        f"/api/v1/needs/{need['id']}/comments",
        json={"body": "Navnet på naboen min er ..."},
        headers=bearer(client, world.citizen),
    )
    login(client, world.procurer)
    page = client.get(f"/needs/{need['id']}")
    assert 'hx-post="/comments/' in page.text and "/hide" in page.text
    comment_id = client.get(f"/api/v1/needs/{need['id']}/comments").json()[0]["id"]
    hidden = client.post(
        f"/comments/{comment_id}/hide",
        data={"reason": "Personvern"},
        headers={"HX-Request": "true"},
    )
    assert hidden.status_code == 204
    assert hidden.headers["HX-Redirect"] == f"/needs/{need['id']}"
    login(other_client, world.employee)  # the need's author, not the comment's
    seen = other_client.get(f"/needs/{need['id']}").text
    assert "Navnet på naboen" not in seen
    assert "/hide" not in seen  # only procurers get the moderation form
    login(other_client, world.citizen)  # the comment's author reads it, with the reason
    own = other_client.get(f"/needs/{need['id']}").text
    assert "Navnet på naboen" in own and "Personvern" in own
