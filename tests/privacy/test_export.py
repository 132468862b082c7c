"""GET /api/v1/me/export: everything about the caller, never anyone else's data or a secret."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import World, login
from tests.helpers import Api
from tests.market import ASKED, SECRET_BODY, UNANSWERED, Market


def export(api: Api, user: Any) -> dict[str, Any]:
    response = api.get("/me/export", user)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def test_a_visitor_gets_401(api: Api) -> None:
    assert api.get("/me/export").status_code == 401


def test_a_suppliers_export_holds_everything_they_did(
    api: Api, world: World, scene: Market
) -> None:
    assert api.post("/auth/tokens", world.supplier, json={"name": "Eksportskript"}).is_success
    data = export(api, world.supplier)
    tables = data["tables"]
    me = world.supplier
    assert data["user_id"] == me.id
    assert [(u["email"], u["display_name"]) for u in tables["user"]] == [
        (me.email, me.display_name)
    ]
    assert {m["organisation_id"] for m in tables["membership"]} == {world.supplier_org.id}
    assert "Eksportskript" in {t["name"] for t in tables["api_token"]}
    assert {q["body"] for q in tables["question"]} >= {ASKED, UNANSWERED}
    assert SECRET_BODY in {p["body"] for p in tables["proposal"]}
    assert [a["filename"] for a in tables["proposal_attachment"]] == ["pris.pdf"]
    assert [r["project_id"] for r in tables["supplier_registration"]] == [scene.project]
    assert [b["slot_id"] for b in tables["slot_booking"]] == [scene.slot]
    assert len(tables["event_registration"]) == 1
    verbs = {e["verb"] for e in tables["participation_event"]}
    assert {"asked", "proposed", "registered"} <= verbs
    assert all(e["actor_id"] == me.id for e in tables["participation_event"])


def test_a_citizens_export_has_their_comment(api: Api, world: World, scene: Market) -> None:
    tables = export(api, world.citizen)["tables"]
    assert scene.comment in {c["id"] for c in tables["comment"]}
    assert tables["question"] == [] and tables["proposal"] == []


def test_the_export_never_holds_a_secret_nor_anyone_elses_data(
    api: Api, world: World, scene: Market
) -> None:
    for person in (world.supplier, scene.users["supplier_b"], world.citizen, world.procurer):
        text = json.dumps(export(api, person))
        for secret in ("password_hash", "$argon2", "token_hash", "key_hash", "pseudonym_secret"):
            assert secret not in text, (person.email, secret)
        for other in (world.supplier, scene.users["supplier_b"], world.citizen, world.procurer):
            if other.id != person.id:
                assert other.email not in text, (person.email, other.email)
        # The person they answered is not named: events keep no addressee.
        assert '"addressee_id"' not in text
    supplier_b = json.dumps(export(api, scene.users["supplier_b"]))
    assert ASKED not in supplier_b and SECRET_BODY not in supplier_b


def test_the_profile_offers_the_download(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    page = client.get("/profile")
    assert 'href="/api/v1/me/export"' in page.text
    response = client.get("/api/v1/me/export")  # the browser's session is enough
    assert response.status_code == 200
    assert response.json()["tables"]["user"][0]["email"] == world.citizen.email
