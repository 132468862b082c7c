"""Hearing comments in the influence ledger: a comment traced to a requirement counts as input
by its author's role and organisation kind, for the procurers and for those heard in its hearing
alone; the research export leaves such links out, as it leaves out every input that not all who
may see the project may open."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import Hearing, HearingComment, SupplierRegistration, User
from app.models.base import id_of, utcnow
from app.services import hearings, permissions
from tests.conftest import World
from tests.helpers import Api
from tests.influence.conftest import SUPPLIER_B, Scene, finalise, link
from tests.influence.test_report import report
from tests.research.conftest import everything, export, ok, study_input, table

SAID = "HØRINGSINNSPILL8841: varselet må kunne slås av fra lommen."


def _hearing(session: Session, scene: Scene, **audiences: bool) -> Hearing:
    row = Hearing(
        project_id=scene.project_id,
        opened_by_id=id_of(scene.world.procurer),
        deadline=utcnow() + timedelta(days=7),
        **audiences,
    )
    session.add(row)
    session.flush()
    return row


def register_supplier_a(session: Session, scene: Scene) -> None:
    """Supplier A's company registers for the project's market dialogue."""
    world = scene.world
    session.add(
        SupplierRegistration(
            project_id=scene.project_id,
            organisation_id=id_of(world.supplier_org),
            registered_by_id=id_of(world.supplier),
        )
    )
    session.commit()


@pytest.fixture
def heard_scene(session: Session, draft_scene: Scene) -> Scene:
    """The ledger, with R6 derived from supplier B's comment in a hearing put to the suppliers
    (the owner's employee takes part as the specification's co-author), all final."""
    hearing = _hearing(session, draft_scene, for_suppliers=True)
    said = HearingComment(
        hearing_id=id_of(hearing),
        requirement_id=draft_scene.rid("R6"),
        author_id=id_of(draft_scene.supplier_b),
        body=SAID,
    )
    session.add(said)
    session.flush()
    link(session, draft_scene.requirements["R6"], said, by=draft_scene.world.procurer)
    finalise(session, draft_scene)
    return draft_scene


def test_the_procurer_counts_a_hearing_comment_by_its_authors_role(
    api: Api, heard_scene: Scene
) -> None:
    body = report(api, heard_scene, heard_scene.world.procurer)
    assert body["links"] == 11
    # Supplier B's comment joins the suppliers' proposals: one more input, reaching R6.
    assert body["inputs_by_group"]["rows"][-1] == {
        "author_role": "supplier",
        "organisation_kind": "supplier",
        "inputs": 4,
        "reached": 4,
        "requirements": 5,
    }
    # A comment is not a proposal: R6 is no single-supplier risk.
    flagged = {r["requirement"]["requirement_id"] for r in body["single_supplier"]}
    assert heard_scene.rid("R6") not in flagged
    assert SAID not in str(body)


def test_only_those_heard_count_a_hearing_comment(
    api: Api, heard_scene: Scene, session: Session
) -> None:
    world = heard_scene.world
    register_supplier_a(session, heard_scene)  # and so heard
    for reader in (world.employee, world.supplier):  # the co-author, a registered supplier
        body = report(api, heard_scene, reader)
        assert body["view"] == "restricted" and body["links"] == 9, reader.display_name
        assert SUPPLIER_B not in str(body) and SAID not in str(body)
    for reader in (world.researcher, world.partner_employee, world.citizen):  # not heard
        assert report(api, heard_scene, reader)["links"] == 8, reader.display_name


def test_the_research_export_leaves_out_links_to_hearing_comments(
    api: Api, heard_scene: Scene
) -> None:
    study = {"legal_basis": "public_interest", "project_ids": [heard_scene.project_id]}
    made = ok(
        api.post("/research/studies", heard_scene.world.researcher, json=study_input(**study)), 201
    )
    archive = export(api, heard_scene.world.researcher, made["id"], free_text="true")
    rows = table(archive, "trace_links")
    assert len(rows) == 8
    assert "hearing_comment" not in {r["source_type"] for r in rows}
    assert SAID.encode() not in everything(archive)


def _cast(world: World, supplier_b: User) -> list[User | None]:
    names = (
        "procurer partner_procurer other_procurer employee partner_employee other_employee "
        "citizen supplier researcher admin"
    )
    return [getattr(world, name) for name in names.split()] + [supplier_b, None]


def test_the_sql_rule_of_who_is_heard_agrees_with_the_pages_rule(
    session: Session, draft_scene: Scene
) -> None:
    world = draft_scene.world
    register_supplier_a(session, draft_scene)
    every: list[Hearing] = []
    for employees, citizens, suppliers in itertools.product((False, True), repeat=3):
        every.append(
            _hearing(
                session,
                draft_scene,
                for_employees=employees,
                for_citizens=citizens,
                for_suppliers=suppliers,
            )
        )
    session.commit()
    ids = [id_of(h) for h in every]
    for user in _cast(world, draft_scene.supplier_b):
        rel = permissions.relation(session, user, world.public)
        by_page = {id_of(h) for h in every if hearings.takes_part(session, rel=rel, hearing=h)}
        query = select(Hearing.id).where(col(Hearing.id).in_(ids), permissions.heard_clause(rel))
        by_sql: set[Any] = set(session.exec(query).all())
        assert by_sql == by_page, user.display_name if user else "signed out"
