"""The audit log: each decision with who, when, before and after; only procurers read it."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import AuditEntry
from app.models.base import Phase
from app.models.vocabulary import AuditField
from app.services import audit
from tests.conftest import World, login
from tests.helpers import EN, RATIONALE, Api


def _log(api: Api, world: World, **params: Any) -> list[dict[str, Any]]:
    response = api.get(f"/projects/{world.public.id}/audit-log", world.procurer, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _recent(value: str) -> bool:
    at = datetime.fromisoformat(value)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite keeps no offset; it is UTC
    return abs(datetime.now(UTC) - at) < timedelta(minutes=1)


# ---- what is recorded ----------------------------------------------------------------------------


def test_a_phase_move_is_recorded_with_who_when_before_after_and_why(
    api: Api, world: World
) -> None:
    api.move_phase(world.partner_procurer, world.public.id, Phase.market_dialogue)
    [entry] = _log(api, world)
    assert entry["action"] == "phase_moved"
    assert (entry["object_type"], entry["object_id"]) == ("project", world.public.id)
    assert entry["actor_id"] == world.partner_procurer.id
    assert entry["actor_name"] == world.partner_procurer.display_name
    assert entry["actor_role"] == "procurer"
    assert _recent(entry["at"])
    assert entry["before"] == {"phase": "needs"}
    assert entry["after"] == {"phase": "market_dialogue"}
    assert entry["rationale"] == RATIONALE


def test_a_need_status_change_is_recorded(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.set_status(world.procurer, need["id"], status="under_review")
    api.set_status(world.admin, need["id"], status="rejected", reason="Dekkes av avtalen.")
    first, second = _log(api, world)
    assert first["action"] == second["action"] == "need_status_changed"
    assert (first["object_type"], first["object_id"]) == ("need", need["id"])
    assert first["actor_id"] == world.procurer.id
    assert first["before"] == {"status": "submitted", "reason": "", "merged_into_id": None}
    assert first["after"] == {"status": "under_review", "reason": "", "merged_into_id": None}
    assert first["rationale"] is None
    assert (second["actor_id"], second["actor_role"]) == (world.admin.id, "admin")
    assert second["before"]["status"] == "under_review"
    assert second["after"] == {
        "status": "rejected",
        "reason": "Dekkes av avtalen.",
        "merged_into_id": None,
    }
    assert second["rationale"] == "Dekkes av avtalen."


def test_a_merge_records_the_need_it_was_merged_into(api: Api, world: World) -> None:
    a = api.post_need(world.employee, world.public.id, title="Første behov")
    b = api.post_need(world.employee, world.public.id, title="Andre behov")
    api.set_status(
        world.procurer, a["id"], status="merged", reason="Samme behov", merged_into_id=b["id"]
    )
    [entry] = _log(api, world)
    assert entry["after"]["merged_into_id"] == b["id"]


def test_hiding_a_comment_is_recorded(api: Api, world: World, client: TestClient) -> None:
    need = api.post_need(world.employee, world.public.id)
    comment = api.comment(world.citizen, need["id"], body="Naboen min heter Kari")
    login(client, world.procurer)
    response = client.post(
        f"/comments/{comment['id']}/hide", data={"reason": "Personvern"}, follow_redirects=False
    )
    assert response.status_code == 303
    [entry] = _log(api, world)
    assert entry["action"] == "comment_hidden"
    assert (entry["object_type"], entry["object_id"]) == ("comment", comment["id"])
    assert entry["actor_id"] == world.procurer.id
    assert entry["before"] == {"hidden": False, "hidden_reason": ""}
    assert entry["after"] == {"hidden": True, "hidden_reason": "Personvern"}
    assert entry["rationale"] == "Personvern"


def test_refused_decisions_leave_no_audit_entry(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    assert api.set_status(world.procurer, need["id"], status="rejected").status_code == 422
    assert api.set_status(world.employee, need["id"], status="verified").status_code == 403
    assert api.move_phase(world.procurer, world.public.id, "closed").status_code == 409
    assert _log(api, world) == []


def test_contributions_are_not_decisions(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.post(f"/needs/{need['id']}/supports", world.citizen)
    api.comment(world.citizen, need["id"])
    assert _log(api, world) == []


def test_record_flushes_into_the_callers_transaction(world: World, session: Session) -> None:
    entry = audit.record(
        session,
        actor=world.procurer,
        project=world.public,
        action="phase_moved",
        object_type="project",
        object_id=world.public.id,
        before={"phase": "needs"},
        after={"phase": "market_dialogue"},
    )
    assert entry.id is not None  # flushed, so others can refer to it
    assert entry.rationale is None
    session.rollback()  # the caller decides: nothing was committed
    assert session.get(AuditEntry, entry.id) is None


# ---- who reads it --------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["procurer", "partner_procurer", "admin"])
def test_the_projects_procurers_and_admins_read_the_audit_log(
    api: Api, world: World, reader: str
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    response = api.get(f"/projects/{world.public.id}/audit-log", world.member(reader))
    assert response.status_code == 200
    assert [e["action"] for e in response.json()] == ["phase_moved"]


@pytest.mark.parametrize(
    "reader",
    ["other_procurer", "employee", "partner_employee", "citizen", "supplier", "researcher"],
)
def test_others_who_see_the_project_are_told_the_log_is_for_its_procurers(
    api: Api, world: World, reader: str
) -> None:
    response = api.get(f"/projects/{world.public.id}/audit-log", world.member(reader))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the project's procurers can read the audit log.",
        "code": "forbidden",
    }


def test_anonymous_visitor_must_log_in_to_read_the_audit_log(api: Api, world: World) -> None:
    assert api.get(f"/projects/{world.public.id}/audit-log").status_code == 401


@pytest.mark.parametrize("reader", ["other_procurer", "citizen", "supplier", None])
def test_those_who_cannot_see_the_project_get_404(
    api: Api, world: World, reader: str | None
) -> None:
    response = api.get(f"/projects/{world.internal.id}/audit-log", world.member(reader))
    assert response.status_code == 404


def test_the_audit_log_pages_by_id(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    for status in ("under_review", "verified", "parked"):
        api.set_status(world.procurer, need["id"], status=status)
    everything = _log(api, world)
    assert len(everything) == 3
    first_page = _log(api, world, limit=2)
    assert first_page == everything[:2]
    assert _log(api, world, after_id=first_page[-1]["id"]) == everything[2:]
    assert _log(api, world, after_id=everything[-1]["id"]) == []


def test_each_project_has_its_own_log(api: Api, world: World) -> None:
    api.move_phase(world.procurer, world.internal.id, Phase.market_dialogue)
    assert _log(api, world) == []
    internal = api.get(f"/projects/{world.internal.id}/audit-log", world.procurer).json()
    assert [e["project_id"] for e in internal] == [world.internal.id]


# ---- the page ------------------------------------------------------------------------------------


def test_procurer_reads_the_audit_log_page(api: Api, world: World, client: TestClient) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.set_status(world.procurer, need["id"], status="rejected", reason="Dekkes av avtalen.")
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}/audit-log", headers=EN)
    assert page.status_code == 200
    text = page.text
    assert "<caption>" in text and '<th scope="col">Before</th>' in text
    for shown in (
        "Need status changed",
        "Phase moved",
        "Petra Procurer",
        "Submitted",  # before, as a label
        "Rejected",  # after
        "Dekkes av avtalen.",
        "Market dialogue",
        RATIONALE,
        f'href="/needs/{need["id"]}"',
    ):
        assert shown in text, shown


def test_the_audit_log_page_is_in_bokmal_by_default(
    api: Api, world: World, client: TestClient
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    login(client, world.procurer)
    text = client.get(f"/projects/{world.public.id}/audit-log").text
    assert "Revisjonslogg" in text
    assert "Fase flyttet" in text
    assert "Markedsdialog" in text


@pytest.mark.parametrize("reader", ["employee", "citizen", "supplier", "researcher"])
def test_others_get_a_403_page_for_the_audit_log(
    client: TestClient, world: World, reader: str
) -> None:
    login(client, world.member(reader))
    page = client.get(f"/projects/{world.public.id}/audit-log", headers=EN)
    assert page.status_code == 403
    assert "Only the project&#39;s procurers can read the audit log." in page.text


def test_outsider_gets_404_page_for_an_internal_projects_audit_log(
    client: TestClient, world: World
) -> None:
    login(client, world.other_procurer)
    assert client.get(f"/projects/{world.internal.id}/audit-log").status_code == 404


@pytest.mark.parametrize(
    ("reader", "linked"), [("procurer", True), ("admin", True), ("employee", False), (None, False)]
)
def test_project_page_links_the_audit_log_for_procurers_only(
    client: TestClient, world: World, reader: str | None, linked: bool
) -> None:
    if reader:
        login(client, world.member(reader))
    page = client.get(f"/projects/{world.public.id}")
    assert (f'href="/projects/{world.public.id}/audit-log"' in page.text) is linked


# ---- every recorded field has words --------------------------------------------------------------


def _recorded_keys() -> set[str]:
    """The keys the services write into an entry's before and after, read from their source."""
    keys: set[str] = set()
    for path in Path(audit.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            dicts: list[ast.expr] = []
            if isinstance(node, ast.Call):
                dicts += [k.value for k in node.keywords if k.arg in ("before", "after")]
            if isinstance(node, ast.FunctionDef) and node.name.endswith(("_state", "_summary")):
                dicts += [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("before", "after") for t in node.targets
            ):
                dicts.append(node.value)
            for value in dicts:
                if isinstance(value, ast.Dict):
                    keys |= {k.value for k in value.keys if isinstance(k, ast.Constant)}
    return keys


def test_every_field_the_services_record_has_a_label() -> None:
    recorded = _recorded_keys()
    assert {"phase", "status", "hidden_reason", "capacity", "slot_minutes", "domain"} <= recorded
    assert recorded - {str(field) for field in AuditField} == set()
