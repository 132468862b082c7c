"""Registering a study through the web form, and the page that lists studies with their exports."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models import User
from app.models.base import Role
from tests.conftest import CSRF_RE, Factory, World, login
from tests.helpers import EN, Api
from tests.research.conftest import study_input

FORM = "/research/studies/new"


def page_token(client: TestClient, url: str = FORM) -> str:
    page = client.get(url, headers=EN)
    assert page.status_code == 200, page.text
    return CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]


def submit(client: TestClient, token: str, **fields: Any):
    """Post the form as a browser would: checkboxes only when ticked, repeated for lists."""
    data: dict[str, Any] = {"csrf_token": token, **fields}
    if data.pop("include_free_text", False):
        data["include_free_text"] = "true"
    return client.post(FORM, data=data, headers=EN, follow_redirects=False)


def all_studies(api: Api, world: World) -> list[dict[str, Any]]:
    return api.get("/research/studies", world.admin).json()


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p id="study-{name}-error" class="field-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def test_the_form_registers_exactly_the_study_the_api_would(
    client: TestClient, api: Api, world: World
) -> None:
    fields = study_input(project_ids=[world.public.id])
    login(client, world.researcher)
    form = client.get(FORM, headers=EN)
    assert f'value="{world.public.id}"' in form.text
    assert "Internt prosjekt" not in form.text  # only projects the researcher may see

    response = submit(client, page_token(client), **fields)

    assert response.status_code == 303, response.text
    location = response.headers["location"]
    match = re.fullmatch(r"/research/studies#study-(\d+)", location)
    assert match, location
    via_form = api.get(f"/research/studies/{match.group(1)}", world.researcher).json()
    via_api = api.post("/research/studies", world.researcher, json=fields).json()
    differ = {"id", "created_at"}
    assert {k: v for k, v in via_form.items() if k not in differ} == {
        k: v for k, v in via_api.items() if k not in differ
    }
    listing = client.get("/research/studies", headers=EN)
    assert f'id="study-{via_form["id"]}"' in listing.text


def test_no_ticked_project_covers_every_project_and_no_tick_means_no_free_text(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.researcher)
    fields = study_input(legal_basis="public_interest", include_free_text=False)
    response = submit(client, page_token(client), **fields)
    assert response.status_code == 303, response.text
    [study] = all_studies(api, world)
    assert study["project_ids"] == [] and study["include_free_text"] is False
    assert study["legal_basis"] == "public_interest"


def test_a_period_ending_before_it_starts_gives_the_form_back_and_writes_nothing(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.researcher)
    fields = study_input(
        title="Baklengs studie",
        period_start="2030-06-01",
        period_end="2030-01-01",
        project_ids=[world.public.id],
    )
    response = submit(client, page_token(client), **fields)

    assert response.status_code == 422
    assert field_error(response.text, "period_end") == "The period must end on or after its start."
    assert 'href="#study-period_end"' in response.text  # the summary links to the field
    assert re.search(
        r'id="study-period_end"[^>]*aria-invalid="true"[^>]*'
        r'aria-describedby="study-period_end-error"',
        response.text,
    )
    # What the researcher typed is still there.
    assert 'value="Baklengs studie"' in response.text
    assert 'value="2030-06-01"' in response.text and 'value="2030-01-01"' in response.text
    assert re.search(rf'value="{world.public.id}" checked', response.text)
    assert re.search(r'value="consent" checked', response.text)
    assert all_studies(api, world) == []


def test_missing_fields_are_named_one_by_one_and_nothing_is_written(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.researcher)
    response = submit(client, page_token(client), title="Ab", institution="NTNU")

    assert response.status_code == 422
    assert field_error(response.text, "title") == "Title must be at least 3 characters."
    assert field_error(response.text, "institution") == ""
    assert (
        field_error(response.text, "ethics_reference") == "Data-protection reference is required."
    )
    assert field_error(response.text, "legal_basis") == "Legal basis is required."
    assert field_error(response.text, "period_start") == "Start of the period is required."
    assert field_error(response.text, "period_end") == "End of the period is required."
    assert 'value="NTNU"' in response.text
    assert all_studies(api, world) == []


def test_a_project_the_researcher_cannot_see_is_refused_without_naming_it(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.researcher)
    response = submit(client, page_token(client), **study_input(project_ids=[world.internal.id]))
    assert response.status_code == 404
    assert "Internt prosjekt" not in response.text
    assert all_studies(api, world) == []


@pytest.mark.parametrize("role", ["citizen", "supplier", "procurer", "employee"])
def test_only_researchers_and_admins_get_the_form(
    client: TestClient, api: Api, world: World, role: str
) -> None:
    login(client, getattr(world, role))
    assert client.get(FORM, headers=EN).status_code == 403
    token = CSRF_RE.search(client.get("/profile").text).group(1)  # type: ignore[union-attr]
    response = submit(client, token, **study_input())
    assert response.status_code == 403
    assert "Only researchers and admins can register a study." in response.text
    assert all_studies(api, world) == []


def test_visitors_are_asked_to_log_in(client: TestClient, api: Api, world: World) -> None:
    for url in ("/research/studies", FORM):
        response = client.get(url, headers=EN)
        assert response.status_code == 401
        assert f'href="/login?next={url}"' in response.text
    token = page_token(client, "/login")
    assert submit(client, token, **study_input()).status_code == 401
    assert all_studies(api, world) == []


def test_the_form_needs_the_sessions_csrf_token(client: TestClient, api: Api, world: World) -> None:
    login(client, world.researcher)
    response = client.post(
        FORM,
        data={"csrf_token": "forged", **study_input()},
        headers={**EN, "X-CSRF-Token": ""},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert all_studies(api, world) == []


def export_links(client: TestClient, user: User, study_id: int) -> list[str]:
    login(client, user)
    page = client.get("/research/studies", headers=EN)
    assert page.status_code == 200, page.text
    return re.findall(rf'href="(/api/v1/research/studies/{study_id}/export[^"]*)"', page.text)


def test_the_list_offers_the_export_only_to_its_researcher_and_admins(
    client: TestClient, api: Api, world: World, factory: Factory
) -> None:
    free = api.post("/research/studies", world.researcher, json=study_input()).json()
    plain = api.post(
        "/research/studies", world.researcher, json=study_input(include_free_text=False)
    ).json()
    base = f"/api/v1/research/studies/{free['id']}/export"
    assert export_links(client, world.researcher, free["id"]) == [base, f"{base}?free_text=true"]
    assert export_links(client, world.admin, free["id"]) == [base, f"{base}?free_text=true"]
    assert export_links(client, world.researcher, plain["id"]) == [
        f"/api/v1/research/studies/{plain['id']}/export"
    ]
    colleague = factory.user(Role.researcher, world.research_org)
    for user in (colleague, world.citizen, world.procurer, world.supplier):
        assert export_links(client, user, free["id"]) == [], user.role
    # The links lead to the export itself, with the session's login.
    login(client, world.researcher)
    download = client.get(f"{base}?free_text=true")
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_the_list_shows_each_study_as_the_viewer_may_see_it(
    client: TestClient, api: Api, world: World
) -> None:
    consent = api.post(
        "/research/studies",
        world.admin,
        json=study_input(title="Samtykkestudien", project_ids=[world.public.id, world.internal.id]),
    ).json()
    public = api.post(
        "/research/studies",
        world.researcher,
        json=study_input(title="Allmenn studie", legal_basis="public_interest"),
    ).json()

    login(client, world.citizen)
    page = client.get("/research/studies", headers=EN).text
    assert "Samtykkestudien" in page and "Sikt 123456" in page and "NTNU" in page
    assert "Allmenn studie" not in page  # not a study the citizen can consent to
    assert "Offentlig prosjekt" in page
    assert "Internt prosjekt" not in page and "1 project you cannot see" in page
    assert f'href="/profile#study-{consent["id"]}"' in page
    assert "Register a study" not in page and 'href="/research/studies"' not in page  # no nav

    login(client, world.researcher)
    page = client.get("/research/studies", headers=EN).text
    assert f'id="study-{public["id"]}"' in page and f'id="study-{consent["id"]}"' in page
    assert "All projects the registering researcher can see" in page
    assert 'href="/research/studies/new"' in page
    assert 'href="/research/studies"' in page  # the navigation
    profile = client.get("/profile", headers=EN).text
    assert "Register studies and download their exports" in profile
