"""The influence report's figures on the hand-built ledger (see conftest), as the procurer and
as a reader who may open only part of it."""

from __future__ import annotations

from typing import Any

from app.models.base import id_of
from tests.helpers import Api
from tests.influence.conftest import CONFIDENTIAL_TITLE, SUPPLIER_B, Scene


def report(api: Api, scene: Scene, user: Any) -> dict[str, Any]:
    response = api.get(f"/projects/{scene.project_id}/influence", user)
    assert response.status_code == 200, response.text
    return response.json()


def ids(items: list[dict[str, Any]], key: str = "requirement_id") -> list[int]:
    return sorted(item[key] for item in items)


def test_the_procurer_counts_every_link_and_every_group(api: Api, scene: Scene) -> None:
    body = report(api, scene, scene.world.procurer)
    assert body["view"] == "full"
    assert body["suppressed_cells"] is False
    assert (body["requirements"], body["final_requirements"], body["links"]) == (6, 6, 10)
    assert body["inputs_by_group"]["rows"] == [
        {"author_role": "citizen", "organisation_kind": "none", "inputs": 2, "reached": 2,
         "requirements": 2},
        {"author_role": "employee", "organisation_kind": "municipality", "inputs": 2,
         "reached": 1, "requirements": 1},
        {"author_role": "procurer", "organisation_kind": "municipality", "inputs": 1,
         "reached": 1, "requirements": 1},
        {"author_role": "supplier", "organisation_kind": "supplier", "inputs": 3, "reached": 3,
         "requirements": 4},
    ]  # fmt: skip


def test_needs_that_reached_final_requirements_and_verified_needs_that_did_not(
    api: Api, scene: Scene
) -> None:
    body = report(api, scene, scene.world.procurer)
    reached = {n["need_id"]: ids(n["requirements"]) for n in body["needs_reached"]}
    assert reached == {
        scene.nid("N1"): [scene.rid("R1")],
        scene.nid("N2"): [scene.rid("R1")],
        scene.nid("N4"): [scene.rid("R2")],
    }
    # N3 was only rejected input: it reached nothing.
    assert ids(body["verified_needs_unreached"], "need_id") == [scene.nid("N3")]


def test_requirements_without_a_verified_need_include_one_resting_on_a_submitted_need(
    api: Api, scene: Scene
) -> None:
    body = report(api, scene, scene.world.procurer)
    expected = sorted(scene.rid(r) for r in ("R2", "R3", "R4", "R5", "R6"))
    assert ids(body["requirements_without_verified_need"]) == expected


def test_the_procurer_sees_which_proposals_of_which_supplier_a_risk_rests_on(
    api: Api, scene: Scene
) -> None:
    body = report(api, scene, scene.world.procurer)
    risks = {r["requirement"]["requirement_id"]: r["proposals"] for r in body["single_supplier"]}
    assert sorted(risks) == sorted(scene.rid(r) for r in ("R3", "R4", "R5"))
    assert [p["title"] for p in risks[scene.rid("R3")]] == ["Sensor i gulvet", CONFIDENTIAL_TITLE]
    assert {p["supplier"] for p in risks[scene.rid("R3")]} == {"Leverandør AS"}
    assert [(p["title"], p["supplier"]) for p in risks[scene.rid("R5")]] == [
        ("Varmestyring", SUPPLIER_B)
    ]


def test_a_reader_counts_only_what_they_may_open_and_learns_no_supplier(
    api: Api, scene: Scene
) -> None:
    body = report(api, scene, scene.world.researcher)
    assert body["view"] == "restricted"
    assert (body["requirements"], body["final_requirements"], body["links"]) == (6, 6, 8)
    # The researcher reads the participation: no suppression, but no confidential link either.
    assert body["inputs_by_group"]["rows"][-1] == {
        "author_role": "supplier",
        "organisation_kind": "supplier",
        "inputs": 2,
        "reached": 2,
        "requirements": 3,
    }
    risks = {r["requirement"]["requirement_id"]: r["proposals"] for r in body["single_supplier"]}
    # R4 rests on a confidential link alone: out of sight, so not flagged either.
    assert risks == {scene.rid("R3"): None, scene.rid("R5"): None}
    assert CONFIDENTIAL_TITLE not in str(body)
    assert "Leverandør AS" not in str(body) and SUPPLIER_B not in str(body)


def test_a_need_linked_only_to_a_draft_has_not_reached_the_specification(
    api: Api, draft_scene: Scene
) -> None:
    body = report(api, draft_scene, draft_scene.world.procurer)
    assert (body["requirements"], body["final_requirements"]) == (6, 0)
    assert body["needs_reached"] == []
    expected = sorted(draft_scene.nid(n) for n in ("N1", "N2", "N3"))
    assert ids(body["verified_needs_unreached"], "need_id") == expected
    assert id_of(draft_scene.world.public) == body["project_id"]
