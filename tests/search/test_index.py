"""The index as the writes leave it, and as the migration builds it from existing rows: the same."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from sqlalchemy import text
from sqlmodel import Session

from tests.conftest import Factory, World
from tests.helpers import Api
from tests.questions import Cast, asked_question, publish_question

ROWS = (
    "SELECT kind, object_id, project_id, audience, title, body, title_terms, body_terms "
    "FROM search_item ORDER BY kind, object_id"
)


def _migration() -> ModuleType:
    folder = Path(__file__).parent.parent.parent / "migrations" / "versions"
    (path,) = folder.glob("*_b1bfe93d4d08_*.py")
    spec = importlib.util.spec_from_file_location("search_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_backfill_indexes_what_the_writes_index(
    api: Api, world: World, factory: Factory, session: Session
) -> None:
    cast = Cast(api, world, factory)
    project = cast.project_id
    shown = api.post_need(world.employee, project, affected="Eldre som bor alene.")["id"]
    hidden = api.post_need(world.citizen, project)["id"]
    about = {"object_type": "need", "object_id": hidden, "reason": "Feil"}
    report = api.post("/reports", world.employee, json=about).json()["id"]
    decision = {"decision": "hide", "reason": "Personopplysninger"}
    assert api.post(f"/reports/{report}/decision", world.procurer, json=decision).is_success
    proposal = {
        "need_ids": [shown],
        "title": "Sensorer",
        "summary": "Sensorer i boligen.",
        "body": "Prismodell og drift.",
    }
    submitted = api.post(f"/projects/{project}/proposals", cast.supplier_a, json=proposal)
    assert submitted.status_code == 201, submitted.text
    published = submitted.json()
    api.post(f"/projects/{project}/proposals", cast.supplier_b, json=proposal)
    assert api.post(f"/proposals/{published['id']}/publish-summary", cast.supplier_a).is_success
    assert publish_question(api, cast, asked_question(api, cast)["id"]).is_success
    asked_question(api, cast, body="Et spørsmål som ikke er besvart ennå, om sensorene.")
    requirement = {"kind": "functional", "title": "Varsling", "text": "Varsle pårørende."}
    assert api.post(
        f"/projects/{project}/requirements", world.procurer, json=requirement
    ).is_success
    written = session.execute(text(ROWS)).all()
    kinds = {row[0] for row in written}
    assert kinds == {"project", "need", "answer", "proposal", "requirement"}
    assert ("need", hidden) not in {(row[0], row[1]) for row in written}
    session.execute(text("DELETE FROM search_item"))
    _migration().backfill(session.connection())
    assert session.execute(text(ROWS)).all() == written
    session.rollback()
