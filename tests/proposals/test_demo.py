"""The demo's market dialogue has a proposal from each supplier, as the issue describes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.demo import DEMO_PASSWORD


def _headers(client: TestClient, email: str) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_demo_proposals_one_per_supplier_with_claims_and_one_published(
    database_url: str, client: TestClient
) -> None:
    assert CliRunner().invoke(cli, ["demo"]).exit_code == 0
    [project] = [
        p for p in client.get("/api/v1/projects").json() if p["phase"] == "market_dialogue"
    ]
    url = f"/api/v1/projects/{project['id']}/proposals"
    full = client.get(url, headers=_headers(client, "innkjoper@trondheim.example")).json()
    assert sorted(p["organisation_name"] for p in full) == ["Helsetek AS", "Klimaløs AS"]
    assert sorted(p["claims"][0]["decision"] for p in full) == ["accepted", "pending"]
    public = client.get(url).json()
    assert [(p["view"], p["organisation_name"]) for p in public] == [("summary", "Helsetek AS")]
    own = client.get(url, headers=_headers(client, "leverandor@klimalos.example")).json()
    assert {p["organisation_name"] for p in own} == {"Helsetek AS", "Klimaløs AS"}
    assert [p["view"] for p in own if p["organisation_name"] == "Helsetek AS"] == ["summary"]
