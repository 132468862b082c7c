"""Dialogue events: conferences with capacity and waitlist, one-to-one slots, minutes, ICS, OCDS."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from app.models.base import OrganisationKind, Phase, Role
from tests.conftest import Factory, World, login
from tests.helpers import ORIGIN, Api, push

OTHER_ORG_NUMBER = "986105174"
START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)


def _conference(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "conference",
        "title": "Dialogkonferanse om nattilsyn",
        "description": "Vi presenterer behovene og svarer på spørsmål.",
        "location": "Rådhuset, Trondheim",
        "starts_at": START.isoformat(),
        "ends_at": (START + timedelta(hours=3)).isoformat(),
        "capacity": 2,
        **fields,
    }


def _one_to_one(**fields: Any) -> dict[str, Any]:
    return _conference(
        kind="one_to_one", title="En-til-en-møter", capacity=None, slot_minutes=30, **fields
    )


@pytest.fixture
def dialogue(api: Api, world: World, factory: Factory) -> World:
    """The public project in the market dialogue with two registered supplier companies."""
    api.advance(world.procurer, world.public.id, Phase.market_dialogue)
    assert api.post(f"/projects/{world.public.id}/suppliers", world.supplier).status_code == 201
    rival_org = factory.org(
        OrganisationKind.supplier, name="Konkurrent AS", org_number=OTHER_ORG_NUMBER
    )
    world.rival = factory.user(Role.supplier, rival_org, name="Kim Konkurrent")  # type: ignore[attr-defined]
    world.rival_org = rival_org  # type: ignore[attr-defined]
    assert api.post(f"/projects/{world.public.id}/suppliers", world.rival).status_code == 201  # type: ignore[attr-defined]
    world.colleague = factory.user(Role.supplier, world.supplier_org, name="Kollega")  # type: ignore[attr-defined]
    world.outsider = factory.user(  # type: ignore[attr-defined]
        Role.supplier,
        factory.org(OrganisationKind.supplier, name="Uregistrert AS", org_number="923609016"),
    )
    return world


def _create(api: Api, world: World, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/projects/{world.public.id}/events", world.procurer, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _register(api: Api, event: dict[str, Any], user: Any) -> Any:
    return api.post(f"/events/{event['id']}/registrations", user)


def _slots(api: Api, world: World) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    event = _create(api, world, _one_to_one())
    response = api.post(f"/events/{event['id']}/slots", world.procurer)
    assert response.status_code == 201, response.text
    return event, response.json()


# ---- planning ----------------------------------------------------------------------------------


def test_procurer_plans_a_conference_everyone_sees_it(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    assert event["kind"] == "conference" and event["capacity"] == 2
    assert event["starts_at"].startswith("2031-03-04T09:00:00")
    listed = api.get(f"/projects/{dialogue.public.id}/events").json()
    assert [e["id"] for e in listed] == [event["id"]]
    assert listed[0]["confirmed_count"] == 0


def test_only_procurers_plan_events(api: Api, dialogue: World) -> None:
    for user in (dialogue.supplier, dialogue.employee, dialogue.other_procurer):
        response = api.post(f"/projects/{dialogue.public.id}/events", user, json=_conference())
        assert response.status_code == 403, user
    response = api.post(
        f"/projects/{dialogue.public.id}/events", dialogue.supplier, json=_conference()
    )
    assert "Only the project's procurers can plan dialogue events" in response.json()["detail"]
    assert (
        api.post(f"/projects/{dialogue.public.id}/events", None, json=_conference()).status_code
        == 401
    )


def test_event_times_need_a_zone_and_an_order(api: Api, dialogue: World) -> None:
    url = f"/projects/{dialogue.public.id}/events"
    naive = _conference(starts_at="2031-03-04T09:00:00")
    assert api.post(url, dialogue.procurer, json=naive).status_code == 422
    backwards = _conference(ends_at=(START - timedelta(hours=1)).isoformat())
    assert api.post(url, dialogue.procurer, json=backwards).status_code == 422
    no_slots = _conference(kind="one_to_one", capacity=None)
    assert api.post(url, dialogue.procurer, json=no_slots).status_code == 422


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("0001-01-01T00:00:00+01:00", "0001-01-01T02:00:00+01:00"),
        ("9999-12-31T20:00:00-05:00", "9999-12-31T23:00:00-05:00"),
    ],
)
def test_event_times_beyond_the_calendar_are_refused_not_crashed(
    api: Api, dialogue: World, starts: str, ends: str
) -> None:
    body = _conference(starts_at=starts, ends_at=ends)
    response = api.post(f"/projects/{dialogue.public.id}/events", dialogue.procurer, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_events_cannot_be_planned_after_the_competition_is_announced(
    api: Api, dialogue: World
) -> None:
    api.advance(dialogue.procurer, dialogue.public.id, Phase.competition)
    response = api.post(
        f"/projects/{dialogue.public.id}/events", dialogue.procurer, json=_conference()
    )
    assert response.status_code == 403
    assert "until the competition is announced" in response.json()["detail"]
    assert "Competition" in response.json()["detail"]


# ---- conference registration -------------------------------------------------------------------


def test_over_capacity_goes_to_the_waitlist_with_a_position(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference(capacity=1))
    first = _register(api, event, dialogue.supplier)
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    second = _register(api, event, dialogue.rival)  # type: ignore[attr-defined]
    third = _register(api, event, dialogue.employee)
    assert second.json()["status"] == "waitlisted" and second.json()["waitlist_position"] == 1
    assert third.json()["waitlist_position"] == 2
    shown = api.get(f"/events/{event['id']}", dialogue.employee).json()
    assert (shown["confirmed_count"], shown["waitlist_count"]) == (1, 2)
    assert (shown["my_status"], shown["my_waitlist_position"]) == ("waitlisted", 2)


def test_cancelling_a_seat_promotes_the_first_in_line(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference(capacity=1))
    _register(api, event, dialogue.supplier)
    _register(api, event, dialogue.rival)  # type: ignore[attr-defined]
    _register(api, event, dialogue.employee)
    cancelled = api.delete(f"/events/{event['id']}/registrations/me", dialogue.supplier)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    rival = api.get(f"/events/{event['id']}", dialogue.rival).json()  # type: ignore[attr-defined]
    assert rival["my_status"] == "confirmed"
    employee = api.get(f"/events/{event['id']}", dialogue.employee).json()
    assert employee["my_waitlist_position"] == 1
    entries = api.get(f"/projects/{dialogue.public.id}/audit-log", dialogue.procurer).json()
    promoted = [e for e in entries if e["action"] == "event_registration_promoted"]
    assert len(promoted) == 1 and promoted[0]["after"] == {"status": "confirmed"}


def test_cancelling_a_waitlisted_place_promotes_no_one(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference(capacity=1))
    _register(api, event, dialogue.supplier)
    _register(api, event, dialogue.rival)  # type: ignore[attr-defined]
    _register(api, event, dialogue.employee)
    api.delete(f"/events/{event['id']}/registrations/me", dialogue.rival)  # type: ignore[attr-defined]
    shown = api.get(f"/events/{event['id']}", dialogue.employee).json()
    assert (shown["confirmed_count"], shown["waitlist_count"]) == (1, 1)
    assert shown["my_waitlist_position"] == 1


def test_a_second_registration_is_a_conflict(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    assert _register(api, event, dialogue.supplier).status_code == 201
    again = _register(api, event, dialogue.supplier)
    assert again.status_code == 409
    assert again.json()["detail"] == "You are already registered for this event."


def test_after_cancelling_one_may_register_again_at_the_back(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference(capacity=1))
    _register(api, event, dialogue.supplier)
    api.delete(f"/events/{event['id']}/registrations/me", dialogue.supplier)
    assert _register(api, event, dialogue.supplier).json()["status"] == "confirmed"


def test_cancelling_without_a_registration_is_404(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    response = api.delete(f"/events/{event['id']}/registrations/me", dialogue.supplier)
    assert response.status_code == 404
    assert response.json()["detail"] == "You are not registered for this event."


@pytest.mark.parametrize("name", ["outsider", "citizen", "other_employee", "researcher"])
def test_only_registered_suppliers_and_the_projects_staff_register(
    api: Api, dialogue: World, name: str
) -> None:
    event = _create(api, dialogue, _conference())
    response = _register(api, event, getattr(dialogue, name))
    assert response.status_code == 403
    assert "Only suppliers registered for the market dialogue" in response.json()["detail"]


def test_staff_and_procurers_of_member_organisations_register(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference(capacity=None))
    for user in (dialogue.employee, dialogue.partner_employee, dialogue.partner_procurer):
        assert _register(api, event, user).json()["status"] == "confirmed"


def test_registration_closes_with_the_market_dialogue(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    api.advance(dialogue.procurer, dialogue.public.id, Phase.competition)
    response = _register(api, event, dialogue.supplier)
    assert response.status_code == 403
    assert "only open during the market dialogue" in response.json()["detail"]


def test_one_to_one_events_take_bookings_not_registrations(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _one_to_one())
    assert _register(api, event, dialogue.supplier).status_code == 422


# ---- who sees registrations ----------------------------------------------------------------------


def test_only_procurers_see_who_registered(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    _register(api, event, dialogue.supplier)
    _register(api, event, dialogue.rival)  # type: ignore[attr-defined]
    listed = api.get(f"/events/{event['id']}/registrations", dialogue.procurer).json()
    assert {r["organisation_name"] for r in listed} == {"Leverandør AS", "Konkurrent AS"}
    for user in (dialogue.supplier, dialogue.employee):
        assert api.get(f"/events/{event['id']}/registrations", user).status_code == 403
    assert api.get(f"/events/{event['id']}/registrations").status_code == 401


def test_supplier_b_never_sees_who_registered_only_counts(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    _register(api, event, dialogue.supplier)
    shown = api.get(f"/events/{event['id']}", dialogue.rival)  # type: ignore[attr-defined]
    assert shown.json()["confirmed_count"] == 1 and shown.json()["my_status"] is None
    assert "Leverandør" not in shown.text
    assert dialogue.supplier.display_name not in shown.text


# ---- one-to-one meetings -----------------------------------------------------------------------


def test_slots_have_equal_length_without_overlap(api: Api, dialogue: World) -> None:
    _event, slots = _slots(api, dialogue)
    assert len(slots) == 6  # three hours in 30-minute slots
    for before, after in itertools.pairwise(slots):
        assert before["ends_at"] == after["starts_at"]
    lengths = {
        datetime.fromisoformat(s["ends_at"]) - datetime.fromisoformat(s["starts_at"]) for s in slots
    }
    assert lengths == {timedelta(minutes=30)}


def test_regenerating_replaces_slots_until_one_is_booked(api: Api, dialogue: World) -> None:
    event, _unused = _slots(api, dialogue)
    again = api.post(f"/events/{event['id']}/slots", dialogue.procurer, json={"slot_minutes": 45})
    assert len(again.json()) == 4  # 180 / 45
    api.post(f"/slots/{again.json()[0]['id']}/booking", dialogue.supplier)
    refused = api.post(f"/events/{event['id']}/slots", dialogue.procurer)
    assert refused.status_code == 409
    assert "cannot be changed after a supplier has booked" in refused.json()["detail"]


def test_slots_are_for_one_to_one_events_and_procurers(api: Api, dialogue: World) -> None:
    conference = _create(api, dialogue, _conference())
    assert api.post(f"/events/{conference['id']}/slots", dialogue.procurer).status_code == 422
    event = _create(api, dialogue, _one_to_one())
    assert api.post(f"/events/{event['id']}/slots", dialogue.supplier).status_code == 403
    too_long = api.post(
        f"/events/{event['id']}/slots", dialogue.procurer, json={"slot_minutes": 240}
    )
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == "The event is shorter than one slot."


def test_a_registered_supplier_books_one_slot_for_its_company(api: Api, dialogue: World) -> None:
    event, slots = _slots(api, dialogue)
    booked = api.post(f"/slots/{slots[0]['id']}/booking", dialogue.supplier)
    assert booked.status_code == 201 and booked.json()["mine"] is True
    second = api.post(f"/slots/{slots[1]['id']}/booking", dialogue.colleague)  # type: ignore[attr-defined]
    assert second.status_code == 409
    assert "Your company has already booked a meeting in this event" in second.json()["detail"]
    shown = api.get(f"/events/{event['id']}", dialogue.colleague).json()  # type: ignore[attr-defined]
    assert shown["my_slot_id"] == slots[0]["id"] and shown["free_slot_count"] == 5


def test_a_taken_slot_is_a_conflict(api: Api, dialogue: World) -> None:
    _event, slots = _slots(api, dialogue)
    api.post(f"/slots/{slots[0]['id']}/booking", dialogue.supplier)
    taken = api.post(f"/slots/{slots[0]['id']}/booking", dialogue.rival)  # type: ignore[attr-defined]
    assert taken.status_code == 409
    assert taken.json()["detail"] == "This slot is already taken. Choose another one."


def test_unregistered_suppliers_and_others_cannot_book(api: Api, dialogue: World) -> None:
    _event, slots = _slots(api, dialogue)
    for user in (dialogue.outsider, dialogue.employee, dialogue.procurer):  # type: ignore[attr-defined]
        response = api.post(f"/slots/{slots[0]['id']}/booking", user)
        assert response.status_code == 403
        assert "Only suppliers registered for the market dialogue" in response.json()["detail"]


def test_booking_closes_with_the_market_dialogue(api: Api, dialogue: World) -> None:
    _event, slots = _slots(api, dialogue)
    api.advance(dialogue.procurer, dialogue.public.id, Phase.competition)
    response = api.post(f"/slots/{slots[0]['id']}/booking", dialogue.supplier)
    assert response.status_code == 403 and "market dialogue" in response.json()["detail"]


def test_cancelling_frees_the_slot(api: Api, dialogue: World) -> None:
    event, slots = _slots(api, dialogue)
    api.post(f"/slots/{slots[0]['id']}/booking", dialogue.supplier)
    rival = api.delete(f"/slots/{slots[0]['id']}/booking", dialogue.rival)  # type: ignore[attr-defined]
    assert rival.status_code == 404  # another company's booking is not theirs to cancel
    freed = api.delete(f"/slots/{slots[0]['id']}/booking", dialogue.supplier)
    assert freed.status_code == 200 and freed.json()["booked"] is False
    assert api.get(f"/events/{event['id']}").json()["free_slot_count"] == 6
    assert api.post(f"/slots/{slots[0]['id']}/booking", dialogue.rival).status_code == 201  # type: ignore[attr-defined]


def test_supplier_b_never_sees_which_company_booked(api: Api, dialogue: World) -> None:
    event, slots = _slots(api, dialogue)
    api.post(f"/slots/{slots[0]['id']}/booking", dialogue.supplier)
    for user in (dialogue.rival, None, dialogue.employee):  # type: ignore[attr-defined]
        response = api.get(f"/events/{event['id']}/slots", user)
        first = response.json()[0]
        assert first["booked"] is True and first["organisation_name"] is None
        assert "Leverandør" not in response.text
    own = api.get(f"/events/{event['id']}/slots", dialogue.colleague).json()[0]  # type: ignore[attr-defined]
    assert own["mine"] is True and own["organisation_name"] == "Leverandør AS"
    procurer = api.get(f"/events/{event['id']}/slots", dialogue.procurer).json()[0]
    assert procurer["organisation_name"] == "Leverandør AS"


# ---- participation and attendance ----------------------------------------------------------------


def test_registrations_and_bookings_are_logged_as_participation(api: Api, dialogue: World) -> None:
    conference = _create(api, dialogue, _conference())
    _register(api, conference, dialogue.supplier)
    _event, slots = _slots(api, dialogue)
    api.post(f"/slots/{slots[0]['id']}/booking", dialogue.rival)  # type: ignore[attr-defined]
    log = api.events(dialogue.procurer, dialogue.public.id)
    registered = next(e for e in log if e["verb"] == "registered_for_event")
    assert (registered["object_type"], registered["object_id"]) == (
        "dialogue_event",
        conference["id"],
    )
    assert registered["addressee_role"] == "procurer"
    booked = next(e for e in log if e["verb"] == "booked")
    assert (booked["object_type"], booked["object_id"]) == ("meeting_slot", slots[0]["id"])
    assert booked["addressee_role"] == "procurer" and booked["actor_org_kind"] == "supplier"


def test_procurers_mark_attendance_once_per_participant(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    _register(api, event, dialogue.supplier)
    _register(api, event, dialogue.employee)
    body = {"user_ids": [dialogue.supplier.id, dialogue.employee.id]}
    marked = api.post(f"/events/{event['id']}/attendance", dialogue.procurer, json=body)
    assert marked.status_code == 200 and marked.json()["marked"] == body["user_ids"]
    again = api.post(f"/events/{event['id']}/attendance", dialogue.procurer, json=body)
    assert again.json()["marked"] == []
    attended = [
        e for e in api.events(dialogue.procurer, dialogue.public.id) if e["verb"] == "attended"
    ]
    assert len(attended) == 2
    assert {e["actor_role"] for e in attended} == {"supplier", "employee"}


def test_attendance_only_for_participants_and_by_procurers(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    _register(api, event, dialogue.supplier)
    body = {"user_ids": [dialogue.rival.id]}  # type: ignore[attr-defined]
    refused = api.post(f"/events/{event['id']}/attendance", dialogue.procurer, json=body)
    assert refused.status_code == 422
    own = {"user_ids": [dialogue.supplier.id]}
    assert (
        api.post(f"/events/{event['id']}/attendance", dialogue.supplier, json=own).status_code
        == 403
    )
    assert not [
        e for e in api.events(dialogue.procurer, dialogue.public.id) if e["verb"] == "attended"
    ]


# ---- minutes -----------------------------------------------------------------------------------


def _published(api: Api, world: World) -> dict[str, Any]:
    event = _create(api, world, _conference())
    _register(api, event, world.employee)
    written = api.put(
        f"/events/{event['id']}/minutes",
        world.procurer,
        json={"minutes": "# Referat\nVi lærte mye."},
    )
    assert written.status_code == 200, written.text
    published = api.post(f"/events/{event['id']}/minutes/publish", world.procurer)
    assert published.status_code == 200, published.text
    return event


def test_minutes_reach_participants_procurers_and_registered_suppliers(
    api: Api, dialogue: World
) -> None:
    event = _published(api, dialogue)
    for user in (dialogue.employee, dialogue.procurer, dialogue.supplier, dialogue.rival):  # type: ignore[attr-defined]
        shown = api.get(f"/events/{event['id']}", user).json()
        assert shown["minutes"] and "Vi lærte mye." in shown["minutes"], user


def test_minutes_are_not_for_the_public_or_unregistered_suppliers(
    api: Api, dialogue: World
) -> None:
    event = _published(api, dialogue)
    for user in (None, dialogue.citizen, dialogue.outsider, dialogue.other_employee):  # type: ignore[attr-defined]
        response = api.get(f"/events/{event['id']}", user)
        assert response.json()["minutes_published"] is True
        assert response.json()["minutes"] is None and "Vi lærte" not in response.text


def test_draft_minutes_are_for_procurers_only(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    api.put(f"/events/{event['id']}/minutes", dialogue.procurer, json={"minutes": "Utkast"})
    assert api.get(f"/events/{event['id']}", dialogue.supplier).json()["minutes"] is None


def test_publishing_minutes_is_audited_and_final(api: Api, dialogue: World) -> None:
    event = _published(api, dialogue)
    entries = api.get(f"/projects/{dialogue.public.id}/audit-log", dialogue.procurer).json()
    entry = next(e for e in entries if e["action"] == "minutes_published")
    assert entry["object_id"] == event["id"] and entry["before"] == {"minutes_published_at": None}
    again = api.post(f"/events/{event['id']}/minutes/publish", dialogue.procurer)
    assert again.status_code == 409
    edit = api.put(f"/events/{event['id']}/minutes", dialogue.procurer, json={"minutes": "Nytt"})
    assert edit.status_code == 409
    assert edit.json()["detail"] == "The minutes are published and can no longer be changed."


def test_minutes_need_text_and_a_procurer(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    empty = api.post(f"/events/{event['id']}/minutes/publish", dialogue.procurer)
    assert empty.status_code == 422
    assert empty.json()["detail"] == "Write the minutes before publishing them."
    by_supplier = api.put(
        f"/events/{event['id']}/minutes", dialogue.supplier, json={"minutes": "x"}
    )
    assert by_supplier.status_code == 403


# ---- visibility, calendar, OCDS ------------------------------------------------------------------


def test_events_of_an_internal_project_are_404_for_outsiders(api: Api, world: World) -> None:
    response = api.post(f"/projects/{world.internal.id}/events", world.procurer, json=_conference())
    event = response.json()
    for user in (None, world.citizen, world.other_employee, world.supplier):
        assert api.get(f"/events/{event['id']}", user).status_code == 404
        assert api.get(f"/events/{event['id']}.ics", user).status_code == 404
        assert api.get(f"/projects/{world.internal.id}/events.ics", user).status_code == 404
    assert api.get(f"/events/{event['id']}", world.partner_employee).status_code == 200


def test_an_event_exports_as_a_valid_ics(api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    response = api.get(f"/events/{event['id']}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["UID"]) == f"dialogue-event-{event['id']}@testserver"
    assert entry.decoded("DTSTART") == START
    assert entry.decoded("DTEND") == START + timedelta(hours=3)
    assert str(entry["SUMMARY"]) == "Dialogkonferanse om nattilsyn"
    assert str(entry["LOCATION"]) == "Rådhuset, Trondheim"
    assert "svarer på spørsmål" in str(entry["DESCRIPTION"])
    assert str(entry["URL"]) == f"http://testserver/events/{event['id']}"
    assert "DTSTAMP" in entry
    assert b"DTSTART:20310304T090000Z" in response.content  # UTC, not a floating time
    again = Calendar.from_ical(api.get(f"/events/{event['id']}.ics").content)
    assert str(again.walk("VEVENT")[0]["UID"]) == str(entry["UID"])  # stable


def test_a_projects_events_export_as_one_calendar(api: Api, dialogue: World) -> None:
    first = _create(api, dialogue, _conference())
    second = _create(api, dialogue, _one_to_one())
    response = api.get(f"/projects/{dialogue.public.id}/events.ics")
    uids = [str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert uids == [
        f"dialogue-event-{first['id']}@testserver",
        f"dialogue-event-{second['id']}@testserver",
    ]


def test_events_are_ocds_engagement_milestones(api: Api, dialogue: World) -> None:
    from tests.ocds_schema import assert_valid_package

    past = _create(
        api,
        dialogue,
        _conference(
            starts_at=(datetime.now(UTC) - timedelta(days=2)).isoformat(),
            ends_at=(datetime.now(UTC) - timedelta(days=2, hours=-2)).isoformat(),
        ),
    )
    future = _create(api, dialogue, _one_to_one())
    api.put(
        f"/events/{past['id']}/minutes", dialogue.procurer, json={"minutes": "Hemmelig referat"}
    )
    package = api.get(f"/projects/{dialogue.public.id}/ocds").json()
    assert_valid_package(package)
    milestones = package["releases"][0]["tender"]["milestones"]
    by_id = {m["id"]: m for m in milestones}
    assert by_id[f"dialogue-event-{past['id']}"]["status"] == "met"
    assert by_id[f"dialogue-event-{past['id']}"]["type"] == "engagement"
    scheduled = by_id[f"dialogue-event-{future['id']}"]
    assert scheduled["status"] == "scheduled" and scheduled["dueDate"].startswith(
        "2031-03-04T09:00:00"
    )
    assert "Hemmelig" not in str(package)


# ---- live counts -------------------------------------------------------------------------------


def test_registration_counts_reach_event_viewers_without_names(
    client: TestClient, api: Api, dialogue: World
) -> None:
    event = _create(api, dialogue, _conference(capacity=1))
    client.cookies.set("lang", "en")
    with client.websocket_connect(f"/ws/events/{event['id']}", headers=ORIGIN) as ws:
        first = ws.receive_text()
        assert f'id="event-{event["id"]}-counts"' in first and "0 of 1 seats taken" in first
        _register(api, event, dialogue.supplier)
        pushed = push(ws, "1 of 1 seats taken")
        _register(api, event, dialogue.rival)  # type: ignore[attr-defined]
        waitlisted = push(ws, "1 on the waitlist")
    for html in (pushed, waitlisted):
        assert 'hx-swap-oob="true"' in html
        assert "Leverandør" not in html and "Konkurrent" not in html
        assert dialogue.supplier.display_name not in html


def test_free_slot_counts_reach_the_events_page(
    client: TestClient, api: Api, dialogue: World
) -> None:
    event, slots = _slots(api, dialogue)
    client.cookies.set("lang", "en")
    with client.websocket_connect(
        f"/ws/projects/{dialogue.public.id}/events", headers=ORIGIN
    ) as ws:
        assert "6 of 6 meeting slots free" in ws.receive_text()
        api.post(f"/slots/{slots[0]['id']}/booking", dialogue.supplier)
        pushed = push(ws, "5 of 6 meeting slots free")
    assert f'id="event-{event["id"]}-counts"' in pushed and "Leverandør" not in pushed


def test_event_socket_of_an_internal_project_refuses_outsiders(
    client: TestClient, api: Api, world: World
) -> None:
    from starlette.websockets import WebSocketDisconnect

    event = api.post(
        f"/projects/{world.internal.id}/events", world.procurer, json=_conference()
    ).json()
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/ws/events/{event['id']}", headers=ORIGIN) as ws,
    ):
        ws.receive_text()


# ---- pages -------------------------------------------------------------------------------------


def test_pages_work_with_plain_forms(client: TestClient, api: Api, dialogue: World) -> None:
    login(client, dialogue.procurer)
    token = client.headers.pop("X-CSRF-Token")
    form = {
        "csrf_token": token,
        "kind": "conference",
        "title": "Konferanse fra skjema",
        "location": "",
        "starts_at": "2031-05-01T10:00",
        "ends_at": "2031-05-01T12:00",
        "capacity": "1",
    }
    created = client.post(
        f"/projects/{dialogue.public.id}/events", data=form, follow_redirects=False
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    page = client.get(url)
    assert "Konferanse fra skjema" in page.text and ".ics" in page.text
    event_id = int(url.rsplit("/", 1)[1])
    event = api.get(f"/events/{event_id}").json()
    assert event["starts_at"].startswith("2031-05-01T08:00:00")  # Oslo summer time is UTC+2
    assert event["location"] == "digital"
    listing = client.get(f"/projects/{dialogue.public.id}/events")
    assert "Konferanse fra skjema" in listing.text
    assert (
        f"/projects/{dialogue.public.id}/events"
        in client.get(f"/projects/{dialogue.public.id}").text
    )


def test_supplier_registers_and_cancels_from_the_page(
    client: TestClient, api: Api, dialogue: World
) -> None:
    event = _create(api, dialogue, _conference(capacity=1))
    _register(api, event, dialogue.rival)  # type: ignore[attr-defined]
    login(client, dialogue.supplier)
    response = client.post(f"/events/{event['id']}/register", headers={"HX-Request": "true"})
    assert (
        response.status_code == 204 and response.headers["HX-Redirect"] == f"/events/{event['id']}"
    )
    page = client.get(f"/events/{event['id']}", headers={"Accept-Language": "en"})
    assert "number 1 on the waitlist" in page.text
    assert "Konkurrent" not in page.text
    cancelled = client.post(f"/events/{event['id']}/cancel", follow_redirects=False)
    assert cancelled.status_code == 303
    assert api.get(f"/events/{event['id']}", dialogue.supplier).json()["my_status"] is None


def test_forms_without_csrf_are_refused(client: TestClient, api: Api, dialogue: World) -> None:
    event = _create(api, dialogue, _conference())
    login(client, dialogue.supplier)
    client.headers.pop("X-CSRF-Token")
    assert client.post(f"/events/{event['id']}/register").status_code == 403
    assert api.get(f"/events/{event['id']}").json()["confirmed_count"] == 0
