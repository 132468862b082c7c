"""The participation log: one event per contribution, none for a refusal, read by few."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.base import Phase
from tests.conftest import World, login
from tests.helpers import NEED, Api
from tests.proposals.conftest import proposal_input


def _new_events(api: Api, world: World, before: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {event["id"] for event in before}
    return [e for e in api.events(world.procurer, world.public.id) if e["id"] not in seen]


def _log(api: Api, world: World) -> list[dict[str, Any]]:
    return api.events(world.procurer, world.public.id)


# ---- one event per contribution ---------------------------------------------------------------


def test_posting_a_need_writes_one_event_with_actor_role_org_and_phase(
    api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    [event] = _log(api, world)
    assert event["verb"] == "posted_need"
    assert event["object_type"] == "need"
    assert event["object_id"] == need["id"]
    assert event["project_id"] == world.public.id
    assert event["phase"] == "needs"
    assert event["actor_id"] == world.employee.id
    assert event["actor_role"] == "employee"
    assert event["actor_org_id"] == world.owner.id
    assert event["actor_org_kind"] == "municipality"
    assert event["addressee_role"] is None


def test_citizen_contribution_is_logged_without_organisation(api: Api, world: World) -> None:
    api.post_need(world.citizen, world.public.id)
    [event] = _log(api, world)
    assert event["actor_role"] == "citizen"
    assert event["actor_org_id"] is None
    assert event["actor_org_kind"] is None


def test_supporting_writes_one_event_addressed_to_the_needs_author(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    before = _log(api, world)
    api.post(f"/needs/{need['id']}/supports", world.partner_employee)
    [event] = _new_events(api, world, before)
    assert event["verb"] == "supported"
    assert event["object_id"] == need["id"]
    assert event["actor_org_id"] == world.partner.id
    assert event["addressee_role"] == "employee"
    assert event["addressee_org_id"] == world.owner.id
    assert event["addressee_org_kind"] == "municipality"


def test_withdrawing_a_support_writes_one_event(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.post(f"/needs/{need['id']}/supports", world.citizen)
    before = _log(api, world)
    api.delete(f"/needs/{need['id']}/supports", world.citizen)
    assert [e["verb"] for e in _new_events(api, world, before)] == ["withdrew_support"]


def test_commenting_writes_one_event_addressed_to_the_needs_author(api: Api, world: World) -> None:
    need = api.post_need(world.citizen, world.public.id)
    before = _log(api, world)
    comment = api.comment(world.supplier, need["id"])
    [event] = _new_events(api, world, before)
    assert event["verb"] == "commented"
    assert event["object_type"] == "comment"
    assert event["object_id"] == comment["id"]
    assert event["actor_role"] == "supplier"
    assert event["actor_org_kind"] == "supplier"
    assert event["addressee_role"] == "citizen"
    assert event["addressee_org_id"] is None


def test_replying_writes_one_event_addressed_to_the_parent_comments_author(
    api: Api, world: World
) -> None:
    need = api.post_need(world.citizen, world.public.id)
    question = api.comment(world.supplier, need["id"], "Hvor mange gjelder det?")
    before = _log(api, world)
    reply = api.comment(world.employee, need["id"], "Rundt 300.", parent_id=question["id"])
    [event] = _new_events(api, world, before)
    assert event["verb"] == "replied"
    assert event["object_id"] == reply["id"]
    assert event["actor_role"] == "employee"
    assert event["addressee_role"] == "supplier"
    assert event["addressee_org_id"] == world.supplier_org.id
    assert event["addressee_org_kind"] == "supplier"


@pytest.mark.parametrize(
    ("status", "verb"),
    [
        ("verified", "verified_need"),
        ("under_review", "changed_need_status"),
        ("parked", "changed_need_status"),
        ("rejected", "changed_need_status"),
    ],
)
def test_decision_on_a_need_writes_one_event(
    api: Api, world: World, status: str, verb: str
) -> None:
    need = api.post_need(world.employee, world.public.id)
    before = _log(api, world)
    response = api.set_status(world.procurer, need["id"], status=status, reason="Begrunnelse")
    assert response.status_code == 200
    [event] = _new_events(api, world, before)
    assert event["verb"] == verb
    assert event["actor_role"] == "procurer"
    assert event["object_id"] == need["id"]
    assert event["addressee_role"] == "employee"


def test_page_form_contributions_are_logged_the_same_way(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.citizen)
    client.post(f"/projects/{world.public.id}/needs", data=NEED)
    [need] = api.needs(world.procurer, world.public.id)
    client.post(f"/needs/{need['id']}/comments", data={"body": "Viktig!"})
    client.post(f"/needs/{need['id']}/support/withdraw")  # refused: nothing to withdraw
    assert [e["verb"] for e in _log(api, world)] == ["posted_need", "commented"]


# ---- refusals write nothing -------------------------------------------------------------------


def test_refused_need_writes_no_need_and_no_event(api: Api, world: World) -> None:
    for author, status in [(world.supplier, 403), (None, 401)]:
        response = api.post(f"/projects/{world.public.id}/needs", author, json=NEED)
        assert response.status_code == status
    assert api.needs(world.procurer, world.public.id) == []
    assert _log(api, world) == []


def test_invalid_need_writes_no_need_and_no_event(api: Api, world: World) -> None:
    for bad in [{"title": ""}, {"problem": "x" * 100_000}, {"title": "   "}]:
        response = api.post(
            f"/projects/{world.public.id}/needs", world.citizen, json={**NEED, **bad}
        )
        assert response.status_code == 422
    assert api.needs(world.procurer, world.public.id) == []
    assert _log(api, world) == []


def test_second_support_writes_no_second_record_or_event(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.post(f"/needs/{need['id']}/supports", world.citizen)
    before = _log(api, world)
    assert api.post(f"/needs/{need['id']}/supports", world.citizen).status_code == 409
    assert _new_events(api, world, before) == []
    assert api.get(f"/needs/{need['id']}").json()["support_count"] == 1


def test_refused_reply_writes_no_comment_and_no_event(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    other = api.post_need(world.employee, world.public.id, title="Et annet behov")
    elsewhere = api.comment(world.citizen, other["id"])
    before = _log(api, world)
    response = api.post(
        f"/needs/{need['id']}/comments",
        world.citizen,
        json={"body": "Svar", "parent_id": elsewhere["id"]},
    )
    assert response.status_code == 422
    assert _new_events(api, world, before) == []
    assert api.get(f"/needs/{need['id']}/comments").json() == []


def test_refused_decision_writes_no_change_and_no_event(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    before = _log(api, world)
    assert api.set_status(world.procurer, need["id"], status="rejected").status_code == 422
    assert api.set_status(world.other_procurer, need["id"], status="verified").status_code == 403
    assert _new_events(api, world, before) == []
    assert api.get(f"/needs/{need['id']}").json()["status"] == "submitted"


# ---- who reads the log ------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["procurer", "partner_procurer", "researcher", "admin"])
def test_projects_procurers_researchers_and_admins_read_the_log(
    api: Api, world: World, reader: str
) -> None:
    api.post_need(world.employee, world.public.id)
    response = api.get(f"/projects/{world.public.id}/participation-events", world.member(reader))
    assert response.status_code == 200
    assert [e["verb"] for e in response.json()] == ["posted_need"]


@pytest.mark.parametrize(
    "reader", ["employee", "partner_employee", "citizen", "supplier", "other_procurer"]
)
def test_others_cannot_read_the_log(api: Api, world: World, reader: str) -> None:
    response = api.get(f"/projects/{world.public.id}/participation-events", world.member(reader))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_anonymous_visitor_cannot_read_the_log(api: Api, world: World) -> None:
    response = api.get(f"/projects/{world.public.id}/participation-events")
    assert response.status_code == 401


def test_log_of_an_internal_project_is_not_found_by_outsiders(api: Api, world: World) -> None:
    response = api.get(f"/projects/{world.internal.id}/participation-events", world.citizen)
    assert response.status_code == 404


def test_log_pages_by_the_last_id_seen(api: Api, world: World) -> None:
    for title in ("Første behov", "Andre behov", "Tredje behov"):
        api.post_need(world.employee, world.public.id, title=title)
    url = f"/projects/{world.public.id}/participation-events"
    first = api.get(url, world.procurer, params={"limit": 2}).json()
    rest = api.get(url, world.procurer, params={"after_id": first[-1]["id"]}).json()
    assert len(first) == 2
    assert len(rest) == 1
    assert [e["id"] for e in first + rest] == sorted(e["id"] for e in _log(api, world))


def test_log_does_not_expose_who_an_event_was_addressed_to(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.comment(world.citizen, need["id"])
    for event in _log(api, world):
        assert "addressee_id" not in event


def test_researcher_cannot_tell_who_posted_an_anonymous_need(api: Api, world: World) -> None:
    api.post_need(world.employee, world.public.id, title="Behov med navn")
    hidden = api.post_need(world.employee, world.public.id, title="Behov uten navn", anonymous=True)
    named_authors = {n["author_id"] for n in api.needs(world.researcher, world.public.id)} - {None}
    response = api.get(f"/projects/{world.public.id}/participation-events", world.researcher)
    if response.status_code == 200:
        [posted] = [e for e in response.json() if e["object_id"] == hidden["id"]]
        assert posted["actor_id"] not in named_authors


def test_anonymous_need_gets_a_pseudonym_of_its_own_for_researchers(api: Api, world: World) -> None:
    named = api.post_need(world.employee, world.public.id, title="Behov med navn")
    hidden = api.post_need(world.employee, world.public.id, title="Behov uten navn", anonymous=True)
    events = api.get(f"/projects/{world.public.id}/participation-events", world.researcher).json()
    by_object = {e["object_id"]: e for e in events if e["verb"] == "posted_need"}
    assert by_object[named["id"]]["actor"] != by_object[hidden["id"]]["actor"]
    assert all(e["actor_id"] is None for e in events)
    for_procurer = api.get(
        f"/projects/{world.public.id}/participation-events", world.procurer
    ).json()
    assert {e["actor_id"] for e in for_procurer if e["verb"] == "posted_need"} == {
        world.employee.id
    }


def test_researchers_do_not_learn_an_anonymous_authors_organisation(api: Api, world: World) -> None:
    hidden = api.post_need(world.employee, world.public.id, title="Behov uten navn", anonymous=True)
    api.comment(world.partner_procurer, hidden["id"], body="Vi kjenner igjen dette hos oss.")
    events = api.get(f"/projects/{world.public.id}/participation-events", world.researcher).json()
    [posted] = [e for e in events if e["verb"] == "posted_need"]
    [answered] = [e for e in events if e["verb"] == "commented"]
    assert posted["actor_org_id"] is None
    assert answered["addressee_org_id"] is None and answered["actor_org_id"] is not None
    for_procurer = api.get(
        f"/projects/{world.public.id}/participation-events", world.procurer
    ).json()
    assert {e["actor_org_id"] for e in for_procurer if e["verb"] == "posted_need"} == {
        world.owner.id
    }


# ---- the market dialogue: who asked, registered or booked stays the procurers' -------------------


def _in_market_dialogue(api: Api, world: World) -> int:
    """The public project in the market dialogue, the supplier's company registered for it."""
    project = world.public.id
    api.advance(world.procurer, project, Phase.market_dialogue)
    assert api.post(f"/projects/{project}/suppliers", world.supplier).status_code == 201
    return project


def _ask(api: Api, world: World, project: int) -> int:
    asked = api.post(f"/projects/{project}/questions", world.supplier, json={"body": "Hvor mange?"})
    assert asked.status_code == 201, asked.text
    return int(asked.json()["id"])


def _read(api: Api, reader: Any, project: int) -> list[dict[str, Any]]:
    response = api.get(f"/projects/{project}/participation-events", reader)
    assert response.status_code == 200, response.text
    return list(response.json())


def _utc(moment: str) -> datetime:
    parsed = datetime.fromisoformat(moment)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def test_researchers_learn_nothing_of_an_unpublished_question(api: Api, world: World) -> None:
    project = _in_market_dialogue(api, world)
    _ask(api, world, project)
    for_researcher = _read(api, world.researcher, project)
    assert not [e for e in for_researcher if e["object_type"] == "question"]
    [asked] = [e for e in _read(api, world.procurer, project) if e["verb"] == "asked"]
    assert asked["actor_org_id"] == world.supplier_org.id  # the procurers know who asked


def test_a_published_question_cannot_be_tied_to_its_asker(api: Api, world: World) -> None:
    """Not by organisation, user id, addressee, nor a pseudonym shared with the company's
    published proposal (which names the company)."""
    project = _in_market_dialogue(api, world)
    need = api.post_need(world.employee, project)
    proposal = api.post(
        f"/projects/{project}/proposals", world.supplier, json=proposal_input(need["id"])
    )
    assert proposal.status_code == 201, proposal.text
    consent = api.post(f"/proposals/{proposal.json()['id']}/publish-summary", world.supplier)
    assert consent.status_code == 200, consent.text
    question = _ask(api, world, project)
    published = api.post(
        f"/questions/{question}/publish",
        world.procurer,
        json={"public_question": "Hvor mange beboere?", "answer": "Omtrent 40."},
    )
    assert published.status_code == 200, published.text

    events = _read(api, world.researcher, project)
    [asked] = [e for e in events if e["verb"] == "asked"]
    [answered] = [e for e in events if e["verb"] == "answered"]
    [registered] = [e for e in events if e["verb"] == "registered"]
    supplier_pseudonyms = {e["actor"] for e in events if e["actor_role"] == "supplier"} - {
        asked["actor"]
    }
    assert asked["actor_role"] == "supplier" and asked["actor_org_kind"] == "supplier"
    assert asked["actor_id"] is None and asked["actor_org_id"] is None
    assert asked["actor"] not in supplier_pseudonyms  # not the proposal's, not the registration's
    assert registered["actor_org_id"] is None and registered["actor"] != asked["actor"]
    assert answered["addressee_role"] == "supplier" and answered["addressee_org_id"] is None
    assert world.supplier_org.id not in {e["actor_org_id"] for e in events}
    assert world.supplier_org.id not in {e["addressee_org_id"] for e in events}
    # Dated when everyone learnt of it: the publication.
    shown = api.get(f"/questions/{question}", world.researcher).json()
    assert _utc(asked["occurred_at"]) == _utc(shown["published_at"])


def test_researchers_see_no_booking_and_not_who_joined_an_event(api: Api, world: World) -> None:
    project = _in_market_dialogue(api, world)
    start = datetime.now(UTC) + timedelta(days=14)
    ids = {}
    for kind, extra in (("conference", {"capacity": 10}), ("one_to_one", {"slot_minutes": 30})):
        created = api.post(
            f"/projects/{project}/events",
            world.procurer,
            json={
                "kind": kind,
                "title": f"Arrangement {kind}",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                **extra,
            },
        )
        assert created.status_code == 201, created.text
        ids[kind] = created.json()["id"]
    joined = api.post(f"/events/{ids['conference']}/registrations", world.supplier)
    assert joined.status_code == 201, joined.text
    slots = api.post(f"/events/{ids['one_to_one']}/slots", world.procurer).json()
    assert api.post(f"/slots/{slots[0]['id']}/booking", world.supplier).status_code == 201

    events = _read(api, world.researcher, project)
    assert not [e for e in events if e["object_type"] == "meeting_slot"]
    [seat] = [e for e in events if e["verb"] == "registered_for_event"]
    [registered] = [e for e in events if e["verb"] == "registered"]
    assert seat["actor_role"] == "supplier" and seat["actor_org_id"] is None
    assert seat["actor"] != registered["actor"]
    for_procurer = _read(api, world.procurer, project)
    [booked] = [e for e in for_procurer if e["verb"] == "booked"]
    assert booked["actor_org_id"] == world.supplier_org.id
