"""The research export's trace-link table: pseudonymised authors, no confidential link, no
rationale, valid as a Frictionless Data Package."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from frictionless import validate
from sqlmodel import Session

from app.models import Study
from app.services.research import pseudonym
from tests.helpers import Api
from tests.influence.conftest import Scene
from tests.research.conftest import everything, export, ok, study_input, table

RATIONALE = "Fordi behovet og markedet pekte hit."


def _study(api: Api, scene: Scene, basis: str) -> dict[str, Any]:
    body = study_input(legal_basis=basis, project_ids=[scene.project_id])
    return ok(api.post("/research/studies", scene.world.researcher, json=body), 201)


def test_the_trace_links_are_exported_pseudonymised_and_the_package_validates(
    api: Api, scene: Scene, session: Session, tmp_path: Path
) -> None:
    study = _study(api, scene, "public_interest")
    archive = export(api, scene.world.researcher, study["id"], free_text="true")
    archive.extractall(tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = table(archive, "trace_links")
    stored = session.get(Study, study["id"])
    assert stored is not None
    world = scene.world
    # Eight links: the two confidential ones to PA2 are left out.
    assert len(rows) == 8
    assert str(scene.proposals["PA2"].id) not in {
        r["source_id"] for r in rows if r["source_type"] == "proposal"
    }
    assert {r["link_author"] for r in rows} == {pseudonym(stored, world.procurer.id)}
    by_source = {(r["source_type"], int(r["source_id"]), int(r["requirement_id"])): r for r in rows}
    n2 = by_source[("need", scene.nid("N2"), scene.rid("R1"))]
    assert (n2["relation"], n2["requirement_kind"], n2["requirement_status"]) == (
        "refined_by",
        "functional",
        "final",
    )
    assert n2["source_author"] == pseudonym(stored, world.citizen.id)
    assert (n2["source_author_role"], n2["source_author_org_kind"]) == ("citizen", "")
    pa1 = by_source[("proposal", scene.proposals["PA1"].id, scene.rid("R3"))]
    assert (pa1["source_author_role"], pa1["source_author_org_kind"]) == ("supplier", "supplier")
    contents = everything(archive)
    assert RATIONALE.encode() not in contents  # never the rationale, even with free text
    assert b"Radarmodul" not in contents and world.procurer.email.encode() not in contents


def test_under_consent_only_consenting_link_authors_rows_and_authors_are_exported(
    api: Api, scene: Scene, session: Session
) -> None:
    study = _study(api, scene, "consent")
    world = scene.world
    assert table(export(api, world.researcher, study["id"]), "trace_links") == []
    for person in (world.procurer, world.citizen):
        ok(api.post(f"/research/studies/{study['id']}/consent", person))
    rows = table(export(api, world.researcher, study["id"]), "trace_links")
    assert len(rows) == 8
    named = {(r["source_type"], r["source_author_role"]) for r in rows if r["source_author"]}
    assert named == {("need", "citizen"), ("answer", "procurer")}
    # The employee never consented: their need's link keeps its row, not its author.
    n1 = next(
        r for r in rows if r["source_type"] == "need" and int(r["source_id"]) == scene.nid("N1")
    )
    assert (n1["source_author"], n1["source_author_role"]) == ("", "")


def test_nothing_is_exported_before_the_specification_is_final(
    api: Api, draft_scene: Scene
) -> None:
    study = _study(api, draft_scene, "public_interest")
    archive: zipfile.ZipFile = export(api, draft_scene.world.researcher, study["id"])
    assert table(archive, "trace_links") == []
