"""The specification workspace through the API: kinds and weights, a version for every change,
co-authors, the phase rule, the final specification's weight rule, who sees and writes what."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.models import AuditEntry, ParticipationEvent, Requirement, RequirementVersion
from app.models.base import id_of
from tests.conftest import World
from tests.helpers import Api
from tests.requirements.conftest import TEXT, draft, drafted, patch

NOT_A_WRITER = "Only the project's procurers and invited co-authors can do this."


# ---- kinds and weights -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["functional", "performance", "qualification", "award_criterion", "contract_term"]
)
def test_every_kind_can_be_drafted(api: Api, world: World, spec: int, kind: str) -> None:
    weight = 40 if kind == "award_criterion" else None
    body = drafted(api, world.procurer, spec, kind=kind, weight=weight)
    assert (body["kind"], body["status"], body["version"]) == (kind, "draft", 1)


def test_an_award_criterion_needs_a_weight_and_no_other_kind_has_one(
    api: Api, world: World, spec: int
) -> None:
    missing = draft(api, world.procurer, spec, kind="award_criterion")
    assert missing.status_code == 422
    assert "needs a weight" in missing.text
    assert draft(api, world.procurer, spec, kind="functional", weight=10).status_code == 422
    over = draft(api, world.procurer, spec, kind="award_criterion", weight=101)
    assert over.status_code == 422
    assert draft(api, world.procurer, spec, kind="other").status_code == 422
    assert draft(api, world.procurer, spec, title="x" * 201).status_code == 422
    assert draft(api, world.procurer, spec, text="   ").status_code == 422


def test_an_edit_cannot_take_an_award_criterions_weight_away(
    api: Api, world: World, spec: int
) -> None:
    criterion = drafted(api, world.procurer, spec, kind="award_criterion", weight=30)
    refused = patch(api, world.procurer, criterion["id"], weight=None)
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail == "An award criterion needs a weight between 0 and 100 per cent."
    plain = drafted(api, world.procurer, spec)
    assert patch(api, world.procurer, plain["id"], weight=5).status_code == 422


# ---- versions ----------------------------------------------------------------------------------


def test_every_edit_writes_a_new_version_listed_newest_first(
    api: Api, world: World, spec: int, session: Session
) -> None:
    body = drafted(api, world.procurer, spec)
    first = patch(api, world.procurer, body["id"], text=TEXT + " Også i helgene.")
    assert first.status_code == 200, first.text
    second = patch(api, world.partner_procurer, body["id"], status="in_hearing")
    assert second.json()["version"] == 3
    unchanged = patch(api, world.procurer, body["id"], status="in_hearing")
    assert unchanged.json()["version"] == 3  # nothing changed, no new version
    versions = api.get(f"/requirements/{body['id']}/versions", world.procurer).json()
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert [v["status"] for v in versions] == ["in_hearing", "draft", "draft"]
    assert versions[1]["text"].endswith("Også i helgene.")
    assert versions[0]["author_id"] == id_of(world.partner_procurer)
    stored = session.exec(select(RequirementVersion)).all()
    assert len(stored) == 3


def test_drafting_and_editing_are_in_the_audit_log_and_the_participation_log(
    api: Api, world: World, spec: int, session: Session
) -> None:
    body = drafted(api, world.procurer, spec)
    patch(api, world.procurer, body["id"], title="Varsling til pårørende")
    actions = session.exec(
        select(AuditEntry.action, AuditEntry.before, AuditEntry.after)
        .where(col(AuditEntry.action).like("requirement_%"))
        .order_by(col(AuditEntry.id))
    ).all()
    assert [a for a, _, _ in actions] == ["requirement_drafted", "requirement_edited"]
    assert actions[1][1]["title"] == "Varsling" and actions[1][2]["title"] == (
        "Varsling til pårørende"
    )
    verbs = session.exec(
        select(ParticipationEvent.verb)
        .where(ParticipationEvent.object_type == "requirement")
        .order_by(col(ParticipationEvent.id))
    ).all()
    assert verbs == ["drafted_requirement", "edited_requirement"]


# ---- the phase rule ----------------------------------------------------------------------------


def test_the_workspace_opens_with_the_market_dialogue(api: Api, world: World) -> None:
    refused = draft(api, world.procurer, id_of(world.public))  # the project is in "needs"
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "The specification is open from the market dialogue until the project closes; the "
        "project is now in the phase “Needs”."
    )


def test_the_workspace_closes_for_writing_when_the_project_is_aborted(
    api: Api, world: World, spec: int
) -> None:
    body = drafted(api, world.procurer, spec)
    api.move_phase(world.procurer, spec, "aborted")
    assert patch(api, world.procurer, body["id"], title="Ny tittel").status_code == 403
    assert api.get(f"/requirements/{body['id']}", world.procurer).status_code == 200


# ---- co-authors --------------------------------------------------------------------------------


def invite(api: Api, world: World, project_id: int, user_id: int, by=None):
    url = f"/projects/{project_id}/specification/co-authors"
    return api.post(url, by or world.procurer, json={"user_id": user_id})


def test_an_invited_employee_of_a_project_municipality_sees_and_edits_drafts(
    api: Api, world: World, spec: int, session: Session
) -> None:
    body = drafted(api, world.procurer, spec)
    assert api.get(f"/requirements/{body['id']}", world.partner_employee).status_code == 404
    assert draft(api, world.partner_employee, spec).status_code == 403
    assert invite(api, world, spec, id_of(world.partner_employee)).status_code == 201
    assert api.get(f"/requirements/{body['id']}", world.partner_employee).status_code == 200
    edited = patch(api, world.partner_employee, body["id"], text="Ny tekst fra fagfolket.")
    assert edited.status_code == 200
    assert drafted(api, world.partner_employee, spec)["created_by_id"] == id_of(
        world.partner_employee
    )
    assert session.exec(
        select(AuditEntry).where(AuditEntry.action == "co_author_invited")
    ).one().after == {"user_id": id_of(world.partner_employee)}


@pytest.mark.parametrize("who", ["other_employee", "citizen", "supplier", "researcher"])
def test_only_employees_of_the_project_municipalities_can_be_co_authors(
    api: Api, world: World, spec: int, who: str
) -> None:
    refused = invite(api, world, spec, id_of(getattr(world, who)))
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "Only employees and procurers of the project's own or partner municipalities can be "
        "invited as co-authors."
    )


def test_only_procurers_invite_and_nobody_twice(api: Api, world: World, spec: int) -> None:
    assert invite(api, world, spec, id_of(world.employee), by=world.employee).status_code == 403
    assert invite(api, world, spec, id_of(world.employee)).status_code == 201
    assert invite(api, world, spec, id_of(world.employee)).status_code == 409
    assert invite(api, world, spec, 999_999).status_code == 422


# ---- who sees and writes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("procurer", True),
        ("partner_procurer", True),
        ("admin", True),
        ("employee", False),
        ("other_employee", False),
        ("other_procurer", False),
        ("citizen", False),
        ("supplier", False),
        ("researcher", False),
        (None, False),
    ],
)
def test_a_draft_is_seen_only_by_the_projects_procurers(
    api: Api, world: World, spec: int, who: str | None, sees: bool
) -> None:
    body = drafted(api, world.procurer, spec)
    reader = getattr(world, who) if who else None
    status = api.get(f"/requirements/{body['id']}", reader).status_code
    assert status == (200 if sees else 404)
    assert api.get(f"/requirements/{body['id']}/versions", reader).status_code == status
    listed = api.get(f"/projects/{spec}/requirements", reader).json()
    assert [r["id"] for r in listed] == ([body["id"]] if sees else [])
    edit = patch(api, reader, body["id"], title="Endret tittel")
    assert edit.status_code == (200 if sees else 404)


@pytest.mark.parametrize("who", ["employee", "citizen", "supplier", "other_procurer"])
def test_people_who_are_not_writers_cannot_draft(
    api: Api, world: World, spec: int, who: str
) -> None:
    refused = draft(api, getattr(world, who), spec)
    assert refused.status_code == 403
    assert refused.json()["detail"] == NOT_A_WRITER
    assert draft(api, None, spec).status_code == 401


def test_a_hidden_project_answers_404_to_outsiders(api: Api, world: World) -> None:
    internal = id_of(world.internal)
    assert api.get(f"/projects/{internal}/requirements", world.citizen).status_code == 404
    assert draft(api, world.citizen, internal).status_code == 404
    assert draft(api, world.other_procurer, internal).status_code == 404


# ---- marking the specification final -----------------------------------------------------------


def finalise(api: Api, user, project_id: int):
    return api.post(f"/projects/{project_id}/specification/final", user)


def test_the_specification_is_final_only_with_every_requirement_final_and_weights_at_100(
    api: Api, world: World, spec: int, session: Session
) -> None:
    plain = drafted(api, world.procurer, spec)
    price = drafted(api, world.procurer, spec, kind="award_criterion", weight=60)
    quality = drafted(api, world.procurer, spec, kind="award_criterion", weight=30)
    not_final = finalise(api, world.procurer, spec)
    assert not_final.status_code == 409
    assert not_final.json()["detail"] == (
        "3 requirements are not final yet; mark every requirement final first."
    )
    for body in (plain, price, quality):
        assert patch(api, world.procurer, body["id"], status="final").status_code == 200
    off = finalise(api, world.procurer, spec)
    assert off.status_code == 409
    assert off.json()["detail"] == "The weights add up to 90 %; they must make up 100 %."
    patch(api, world.procurer, quality["id"], weight=40)
    assert finalise(api, world.employee, spec).status_code == 403
    assert finalise(api, world.procurer, spec).status_code == 200
    # now everyone who sees the project reads it, and nobody changes it
    assert [r["id"] for r in api.get(f"/projects/{spec}/requirements").json()] == [
        price["id"],
        quality["id"],
        plain["id"],
    ]
    assert api.get(f"/requirements/{plain['id']}", world.citizen).status_code == 200
    assert patch(api, world.procurer, plain["id"], title="Sent endret").status_code == 409
    assert session.exec(
        select(AuditEntry).where(AuditEntry.action == "specification_finalised")
    ).one()


def test_an_empty_specification_cannot_be_final(api: Api, world: World, spec: int) -> None:
    refused = finalise(api, world.procurer, spec)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "The specification has no requirements yet."


def test_a_new_requirement_goes_last_within_its_kind(
    api: Api, world: World, spec: int, session: Session
) -> None:
    ids = [drafted(api, world.procurer, spec)["id"] for _ in range(3)]
    positions = session.exec(
        select(Requirement.position).where(col(Requirement.id).in_(ids)).order_by(Requirement.id)
    ).all()
    assert positions == [1, 2, 3]


# ---- the participation log ---------------------------------------------------------------------


def test_the_log_shows_a_drafts_events_to_researchers_only_once_the_specification_is_final(
    api: Api, world: World, spec: int
) -> None:
    body = drafted(api, world.procurer, spec, kind="award_criterion", weight=100)
    patch(api, world.procurer, body["id"], status="final")
    url = f"/projects/{spec}/participation-events"

    def verbs(reader) -> list[str]:
        response = api.get(url, reader)
        assert response.status_code == 200, response.text
        return [e["verb"] for e in response.json() if e["object_type"] == "requirement"]

    assert verbs(world.procurer) == ["drafted_requirement", "edited_requirement"]
    assert verbs(world.researcher) == []
    assert finalise(api, world.procurer, spec).status_code == 200
    assert verbs(world.researcher) == ["drafted_requirement", "edited_requirement"]


# ---- settling one requirement: the procurers' rule, on the API as on the page --------------

ONLY_PROCURERS_SETTLE = (
    "Only the project's procurers can mark a requirement final or change a final requirement."
)


def test_a_co_author_cannot_mark_a_requirement_final_or_change_a_final_one(
    api: Api, world: World, spec: int
) -> None:
    assert invite(api, world, spec, id_of(world.employee)).status_code == 201
    body = drafted(api, world.employee, spec)
    refused = patch(api, world.employee, body["id"], status="final")
    assert refused.status_code == 403
    assert refused.json()["detail"] == ONLY_PROCURERS_SETTLE
    assert patch(api, world.employee, body["id"], status="in_hearing").status_code == 200
    assert patch(api, world.procurer, body["id"], status="final").status_code == 200
    changed = patch(api, world.employee, body["id"], text=TEXT + " Endret.")
    assert changed.status_code == 403
    assert patch(api, world.employee, body["id"], status="draft").status_code == 403
    assert patch(api, world.partner_procurer, body["id"], status="draft").status_code == 200


def test_final_award_criteria_cannot_weigh_more_than_100_per_cent(
    api: Api, world: World, spec: int
) -> None:
    price = drafted(api, world.procurer, spec, kind="award_criterion", weight=70)
    quality = drafted(api, world.procurer, spec, kind="award_criterion", weight=40)
    assert patch(api, world.procurer, price["id"], status="final").status_code == 200
    over = patch(api, world.procurer, quality["id"], status="final")
    assert over.status_code == 409
    assert over.json()["detail"] == (
        "The final award criteria's weights would add up to 110 %; they can make up at most 100 %."
    )
    assert patch(api, world.procurer, quality["id"], weight=30, status="final").status_code == 200
    assert patch(api, world.procurer, price["id"], weight=80).status_code == 409


# ---- the diff as JSON ------------------------------------------------------------------------


def test_the_diff_of_two_versions_is_available_as_json(api: Api, world: World, spec: int) -> None:
    body = drafted(api, world.procurer, spec, text="Varsle pårørende om natten.")
    patch(api, world.procurer, body["id"], text="Varsle pårørende straks om natten.")
    url = f"/requirements/{body['id']}/versions/diff"
    response = api.get(url, world.procurer, params={"from": 1, "to": 2})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["from_version"], answer["to_version"]) == (1, 2)
    assert {"op": "insert", "text": "straks "} in answer["ops"]
    new = "".join(op["text"] for op in answer["ops"] if op["op"] != "delete")
    assert new == "Varsle pårørende straks om natten."
    assert api.get(url, world.procurer, params={"from": 1, "to": 9}).status_code == 404
    assert api.get(url, world.procurer, params={"from": 1}).status_code == 422
    assert api.get(url, world.citizen, params={"from": 1, "to": 2}).status_code == 404
