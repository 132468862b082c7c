"""Registering studies, who sees them, consent through the API and the profile page, and who
may export."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from tests.conftest import CSRF_RE, Factory, World, login
from tests.helpers import Api
from tests.research.conftest import study_input


def register(api: Api, user, **fields) -> dict:
    response = api.post("/research/studies", user, json=study_input(**fields))
    assert response.status_code == 201, response.text
    return response.json()


def test_researchers_and_admins_register_studies_others_may_not(api: Api, world: World) -> None:
    study = register(api, world.researcher, project_ids=[world.public.id])
    assert study["project_ids"] == [world.public.id]
    assert study["registered_by_id"] == world.researcher.id
    assert "pseudonym_secret" not in study and "secret" not in str(study)
    assert register(api, world.admin, project_ids=[world.internal.id])["project_ids"] == [
        world.internal.id
    ]
    for user, status in ((world.citizen, 403), (world.procurer, 403), (None, 401)):
        response = api.post("/research/studies", user, json=study_input())
        assert response.status_code == status, response.text
    # A researcher cannot put a project they may not see into a study (nor learn it exists).
    response = api.post(
        "/research/studies", world.researcher, json=study_input(project_ids=[world.internal.id])
    )
    assert response.status_code == 404
    backwards = study_input(period_end=date.today().isoformat(), period_start="2099-01-01")
    assert api.post("/research/studies", world.researcher, json=backwards).status_code == 422


def test_everyone_else_sees_only_the_studies_they_can_consent_to(api: Api, world: World) -> None:
    consent = register(api, world.researcher)
    public = register(api, world.researcher, legal_basis="public_interest")
    ids = [s["id"] for s in api.get("/research/studies", world.researcher).json()]
    assert ids == [public["id"], consent["id"]]
    assert [s["id"] for s in api.get("/research/studies", world.citizen).json()] == [consent["id"]]
    assert api.get(f"/research/studies/{public['id']}", world.citizen).status_code == 404
    assert api.get("/research/studies", None).status_code == 401


def test_consent_is_given_and_withdrawn_through_the_api(api: Api, world: World) -> None:
    study = register(api, world.researcher)
    url = f"/research/studies/{study['id']}/consent"
    assert api.get(f"/research/studies/{study['id']}", world.citizen).json()["consented"] is False
    assert api.post(url, world.citizen).json()["consented"] is True
    assert api.post(url, world.citizen).json()["consented"] is True  # twice is harmless
    assert api.delete(url, world.citizen).json()["consented"] is False
    assert api.post(url, world.citizen).json()["consented"] is True  # and again after withdrawing
    assert api.post(url, None).status_code == 401


def test_consent_is_refused_where_the_study_does_not_take_it(
    api: Api, world: World, session
) -> None:
    public = register(api, world.researcher, legal_basis="public_interest")
    response = api.post(f"/research/studies/{public['id']}/consent", world.researcher)
    assert response.status_code == 409
    assert "public interest" in response.json()["detail"]
    assert api.post(f"/research/studies/{public['id']}/consent", world.citizen).status_code == 404
    ended = register(
        api,
        world.researcher,
        period_start="2020-01-01",
        period_end=(date.today() - timedelta(days=1)).isoformat(),
    )
    response = api.post(f"/research/studies/{ended['id']}/consent", world.citizen)
    assert response.status_code == 409
    assert response.json()["detail"] == "This study has ended and no longer takes consent."


def test_only_the_registering_researcher_and_admins_export(
    api: Api, world: World, factory: Factory
) -> None:
    consent = register(api, world.researcher)
    public = register(api, world.researcher, legal_basis="public_interest")
    other_researcher = factory.user(world.researcher.role, world.research_org)
    for study in (consent, public):
        url = f"/research/studies/{study['id']}/export"
        assert api.get(url, world.researcher).status_code == 200
        response = api.get(url, world.admin)
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith(
            f'attachment; filename="pivotal-study-{study["id"]}-'
        )
        refused = api.get(url, other_researcher)
        assert refused.status_code == 403
        assert refused.json()["detail"] == (
            "Only the researcher who registered the study can export its data."
        )
        assert api.get(url, world.procurer).status_code in (403, 404)
        assert api.get(url, None).status_code == 401
    assert api.get(f"/research/studies/{consent['id']}/export", world.citizen).status_code == 403
    assert api.get(f"/research/studies/{public['id']}/export", world.citizen).status_code == 404
    assert api.get("/research/studies/999999/export", world.researcher).status_code == 404


def test_consent_from_the_profile_page(client: TestClient, api: Api, world: World) -> None:
    study = register(api, world.researcher, title="Medvirkning i Trondheim")
    login(client, world.citizen)
    page = client.get("/profile")
    assert page.status_code == 200
    assert "Medvirkning i Trondheim" in page.text and "Sikt 123456" in page.text
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    action = f"/profile/studies/{study['id']}/consent"
    assert f'action="{action}"' in page.text
    forged = client.post(action, data={}, headers={"X-CSRF-Token": ""}, follow_redirects=False)
    assert forged.status_code == 403
    given = client.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert given.status_code == 303
    assert api.get(f"/research/studies/{study['id']}", world.citizen).json()["consented"] is True
    page = client.get("/profile")
    assert f'action="/profile/studies/{study["id"]}/withdraw"' in page.text
    withdrawn = client.post(
        f"/profile/studies/{study['id']}/withdraw",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    assert api.get(f"/research/studies/{study['id']}", world.citizen).json()["consented"] is False


def test_the_profile_page_needs_a_login(client: TestClient) -> None:
    response = client.get("/profile", headers={"Accept-Language": "en"})
    assert response.status_code == 401


def test_the_demo_has_ntnus_study_with_consent_from_some_users(
    database_url: str, client: TestClient
) -> None:
    from typer.testing import CliRunner

    from app.cli import cli
    from app.demo import DEMO_PASSWORD

    assert CliRunner().invoke(cli, ["demo"]).exit_code == 0

    def headers(email: str) -> dict[str, str]:
        form = {"username": email, "password": DEMO_PASSWORD}
        token = client.post("/api/v1/auth/token", data=form).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    [study] = client.get("/api/v1/research/studies", headers=headers("forsker@ntnu.example")).json()
    assert study["institution"] == "NTNU" and study["legal_basis"] == "consent"
    mine = client.get("/api/v1/research/studies", headers=headers("innbygger@example.org")).json()
    assert mine[0]["consented"] is True
    other = client.get("/api/v1/research/studies", headers=headers("ansatt@trondheim.example"))
    assert other.json()[0]["consented"] is True
    kari = client.get("/api/v1/research/studies", headers=headers("leverandor@klimalos.example"))
    assert kari.json()[0]["consented"] is False
    export = client.get(
        f"/api/v1/research/studies/{study['id']}/export",
        headers=headers("forsker@ntnu.example"),
        params={"free_text": "true"},
    )
    assert export.status_code == 200 and export.content[:2] == b"PK"
