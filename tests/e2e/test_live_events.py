"""Live where people expect it, in a real browser: the slot table, the registrations, the minutes
and the registered suppliers change for every viewer without a reload and without moving the
focus, each change said politely, and no viewer is sent what their role may not see."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageProblems
from tests.e2e.helpers import (
    CITIZEN,
    LIVE_TIMEOUT,
    PROCURER,
    SUPPLIER,
    assert_not_reloaded,
    bearer,
    open_live,
    wait_for_live_state,
)

pytestmark = pytest.mark.browser

OTHER_SUPPLIER = "leverandor@klimalos.example"  # Kari fra Klimaløs, Klimaløs AS
PROJECT = {
    "title": "Trygge omsorgsboliger, live",
    "summary": "Sensorer som varsler nattevakten uten kamera.",
    "service_area": "Helse",
    "innovation_ambition": "Tilsyn uten å vekke beboerne.",
}
RATIONALE = "Behovene er verifisert, og markedet skal få si sitt om løsningene."


def market_project(page: Page, *suppliers: str) -> int:
    """A new project of the procurer's in the market dialogue, with these suppliers registered."""
    auth = bearer(page, PROCURER)
    created = page.request.post("/api/v1/projects", data=PROJECT, headers=auth)
    assert created.ok, created.text()
    project = created.json()["id"]
    moved = page.request.post(
        f"/api/v1/projects/{project}/phase",
        data={"to_phase": "market_dialogue", "rationale": RATIONALE},
        headers=auth,
    )
    assert moved.ok, moved.text()
    for email in suppliers:
        registered = page.request.post(
            f"/api/v1/projects/{project}/suppliers", headers=bearer(page, email)
        )
        assert registered.ok, registered.text()
    return project


def plan_event(page: Page, project: int, kind: str, **more: object) -> int:
    """A dialogue event in the project, planned by the procurer (slots cut for meetings)."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    data = {
        "kind": kind,
        "title": "Dialogmøte om nattilsyn",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1, minutes=30)).isoformat(),
        **more,
    }
    auth = bearer(page, PROCURER)
    created = page.request.post(f"/api/v1/projects/{project}/events", data=data, headers=auth)
    assert created.ok, created.text()
    event = created.json()["id"]
    if kind == "one_to_one":
        cut = page.request.post(f"/api/v1/events/{event}/slots", headers=auth)
        assert cut.ok, cut.text()
    return event


def slot_ids(page: Page, event: int) -> list[int]:
    """The event's slots in time order."""
    slots = page.request.get(f"/api/v1/events/{event}/slots", headers=bearer(page, PROCURER))
    return [slot["id"] for slot in slots.json()]


def frames_of(page: Page) -> list[str]:
    """Collects every message the page's sockets receive from now on."""
    received: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda frame: received.append(str(frame))),
    )
    return received


def watch(page: Page, path: str) -> None:
    """Open a live page and wait until its socket has sent its first state."""
    open_live(page, path)
    wait_for_live_state(page)


def test_a_booked_and_a_freed_slot_redraw_the_table_for_the_other_viewers(
    new_page: Callable[..., Page],
) -> None:
    watcher = new_page(OTHER_SUPPLIER)
    project = market_project(watcher, SUPPLIER, OTHER_SUPPLIER)
    event = plan_event(watcher, project, "one_to_one", slot_minutes=30)
    first, second, _third = slot_ids(watcher, event)
    procurer, citizen = new_page(PROCURER), new_page(CITIZEN)
    sent_to_watcher, sent_to_citizen = frames_of(watcher), frames_of(citizen)
    for page in (watcher, procurer, citizen):
        watch(page, f"/events/{event}")
    status = watcher.locator("#event-live-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")

    # Supplier B has the focus on the next slot's button when supplier A books the first.
    watcher.locator(f"#book-{second} button").focus()
    booked = watcher.request.post(
        f"/api/v1/slots/{first}/booking", headers=bearer(watcher, SUPPLIER)
    )
    assert booked.ok, booked.text()

    row = watcher.locator(f"#slot-{first}")
    expect(row).to_contain_text("Opptatt", timeout=LIVE_TIMEOUT)
    expect(row.get_by_role("button")).to_have_count(0)  # never a "Book" for a slot just taken
    expect(status).to_have_text("En møtetid ble nettopp booket.")
    expect(watcher.locator(f"#event-{event}-counts")).to_contain_text("2 av 3")
    expect(watcher.locator(f"#book-{second} button")).to_be_focused()  # the focus stayed
    assert_not_reloaded(watcher)
    # The procurer sees who booked; the other supplier and the citizen do not.
    expect(procurer.locator(f"#slot-{first}")).to_contain_text("Helsetek AS", timeout=LIVE_TIMEOUT)
    expect(citizen.locator(f"#slot-{first}")).to_contain_text("Opptatt", timeout=LIVE_TIMEOUT)
    expect(citizen.locator("#event-live-status")).to_have_text("En møtetid ble nettopp booket.")
    expect(citizen.locator(f"#slot-{first} button")).to_have_count(0)
    assert_not_reloaded(procurer)
    assert_not_reloaded(citizen)

    freed = watcher.request.delete(
        f"/api/v1/slots/{first}/booking", headers=bearer(watcher, SUPPLIER)
    )
    assert freed.ok, freed.text()
    expect(watcher.locator(f"#book-{first} button")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(status).to_have_text("En møtetid ble nettopp ledig.")
    expect(watcher.locator(f"#event-{event}-counts")).to_contain_text("3 av 3")
    expect(procurer.locator(f"#slot-{first}")).not_to_contain_text("Helsetek", timeout=LIVE_TIMEOUT)
    assert_not_reloaded(watcher)

    for frames in (sent_to_watcher, sent_to_citizen):
        assert frames, "the socket sent nothing"
        for trace in ("Helsetek", "Hanne"):
            assert not any(trace in frame for frame in frames), trace


def test_a_booking_takes_the_book_buttons_from_the_bookers_colleagues(
    new_page: Callable[..., Page],
) -> None:
    """One booking per company: once it has one, its other slots show no "Book" to anyone in it."""
    watcher = new_page(OTHER_SUPPLIER)
    project = market_project(watcher, OTHER_SUPPLIER)
    event = plan_event(watcher, project, "one_to_one", slot_minutes=30)
    first, *_rest = slot_ids(watcher, event)
    watch(watcher, f"/events/{event}")
    expect(watcher.get_by_role("button", name="Book")).to_have_count(3)

    booked = watcher.request.post(
        f"/api/v1/slots/{first}/booking", headers=bearer(watcher, OTHER_SUPPLIER)
    )
    assert booked.ok, booked.text()
    expect(watcher.locator(f"#slot-{first}")).to_contain_text(
        "Booket av virksomheten din", timeout=LIVE_TIMEOUT
    )
    expect(watcher.get_by_role("button", name="Book")).to_have_count(0)
    assert_not_reloaded(watcher)


def test_registrations_update_for_the_procurer_and_the_waitlist_moves_up_live(
    new_page: Callable[..., Page],
) -> None:
    procurer = new_page(PROCURER)
    project = market_project(procurer, SUPPLIER, OTHER_SUPPLIER)
    event = plan_event(procurer, project, "conference", capacity=1, location="Rådhuset")
    waiting = new_page(OTHER_SUPPLIER)
    api = procurer.request
    assert api.post(f"/api/v1/events/{event}/registrations", headers=bearer(procurer, SUPPLIER)).ok
    assert api.post(
        f"/api/v1/events/{event}/registrations", headers=bearer(procurer, OTHER_SUPPLIER)
    ).ok
    sent_to_waiting = frames_of(waiting)
    watch(procurer, f"/events/{event}")
    watch(waiting, f"/events/{event}")
    expect(waiting.locator(f"#event-{event}-seat")).to_contain_text("nummer 1 på ventelisten")

    cancelled = api.delete(
        f"/api/v1/events/{event}/registrations/me", headers=bearer(procurer, SUPPLIER)
    )
    assert cancelled.ok, cancelled.text()

    # The first in line gets the seat, and sees it at once.
    expect(waiting.locator(f"#event-{event}-seat")).to_contain_text(
        "Du har plass på dette arrangementet.", timeout=LIVE_TIMEOUT
    )
    expect(waiting.locator("#event-live-status")).to_have_text(
        "Noen har nettopp meldt seg av dette arrangementet."
    )
    # The procurer's list follows: Hanne cancelled, Kari has the seat.
    registrations = procurer.locator(f"#event-{event}-registrations")
    expect(registrations.get_by_label("Kari fra Klimaløs, Klimaløs AS")).to_be_visible(
        timeout=LIVE_TIMEOUT
    )
    expect(registrations).to_contain_text("Hanne fra Helsetek, Helsetek AS · avmeldt")
    assert_not_reloaded(procurer)
    assert_not_reloaded(waiting)

    # A newcomer shows in the procurer's list with a word on it.
    again = api.post(f"/api/v1/events/{event}/registrations", headers=bearer(procurer, SUPPLIER))
    assert again.ok, again.text()
    expect(registrations).to_contain_text("nummer 1 på ventelisten", timeout=LIVE_TIMEOUT)
    expect(procurer.locator("#event-live-status")).to_have_text(
        "Noen har nettopp meldt seg på dette arrangementet."
    )
    # Who else registered is the procurers' to know.
    assert not any("Hanne" in frame for frame in sent_to_waiting)

    # Attendance marked in another tab shows in this one.
    kari = api.get("/api/v1/auth/me", headers=bearer(procurer, OTHER_SUPPLIER)).json()["id"]
    marked = api.post(
        f"/api/v1/events/{event}/attendance",
        data={"user_ids": [kari]},
        headers=bearer(procurer, PROCURER),
    )
    assert marked.ok, marked.text()
    expect(registrations.get_by_label("Kari fra Klimaløs, Klimaløs AS")).to_be_checked(
        timeout=LIVE_TIMEOUT
    )
    assert_not_reloaded(procurer)


def test_published_minutes_reach_a_registered_supplier_and_not_a_citizen(
    new_page: Callable[..., Page],
) -> None:
    reader = new_page(SUPPLIER)
    project = market_project(reader, SUPPLIER)
    event = plan_event(reader, project, "conference", location="Rådhuset")
    citizen, colleague = new_page(CITIZEN), new_page(PROCURER)
    sent_to_citizen = frames_of(citizen)
    for page in (reader, citizen, colleague):
        watch(page, f"/events/{event}")
    expect(colleague.locator("#minutes-form")).to_be_visible()
    minutes = f"Leverandørene ønsket tidlig tilgang til testboligene ({secrets.token_hex(3)})."

    auth = bearer(reader, PROCURER)
    assert reader.request.put(
        f"/api/v1/events/{event}/minutes", data={"minutes": minutes}, headers=auth
    ).ok
    assert reader.request.post(f"/api/v1/events/{event}/minutes/publish", headers=auth).ok

    expect(reader.locator(f"#event-{event}-minutes")).to_contain_text(minutes, timeout=LIVE_TIMEOUT)
    expect(reader.locator("#event-live-status")).to_have_text("Referatet ble nettopp publisert.")
    expect(citizen.locator(f"#event-{event}-minutes")).to_contain_text(
        "Referatet er publisert for deltakerne", timeout=LIVE_TIMEOUT
    )
    # Published minutes are final: the other procurer's form goes.
    expect(colleague.locator(f"#event-{event}-minutes")).to_contain_text(minutes)
    expect(colleague.locator("#minutes-form")).to_have_count(0)
    for page in (reader, citizen, colleague):
        assert_not_reloaded(page)
    assert not any(minutes in frame for frame in sent_to_citizen)


def test_the_procurers_list_of_registered_suppliers_updates_live(
    new_page: Callable[..., Page],
) -> None:
    procurer = new_page(PROCURER)
    project = market_project(procurer, SUPPLIER)
    citizen = new_page(CITIZEN)
    sent_to_citizen = frames_of(citizen)
    watch(procurer, f"/projects/{project}")
    watch(citizen, f"/projects/{project}")
    suppliers = procurer.locator("#project-suppliers")
    expect(suppliers).to_contain_text("1 leverandør")

    registered = procurer.request.post(
        f"/api/v1/projects/{project}/suppliers", headers=bearer(procurer, OTHER_SUPPLIER)
    )
    assert registered.ok, registered.text()

    expect(suppliers).to_contain_text("Klimaløs AS", timeout=LIVE_TIMEOUT)
    expect(suppliers).to_contain_text("2 leverandører")
    expect(procurer.locator("#suppliers-live-status")).to_have_text(
        "En leverandør har nettopp meldt seg på markedsdialogen."
    )
    assert_not_reloaded(procurer)
    assert not any("Klimaløs" in frame for frame in sent_to_citizen)


def test_a_successful_save_clears_the_error_of_a_failed_one(
    new_page: Callable[..., Page], problems: PageProblems
) -> None:
    problems.expect_error(r"\b422\b")  # the failed save, on purpose
    procurer = new_page(PROCURER)
    project = market_project(procurer, SUPPLIER)
    asked = procurer.request.post(
        f"/api/v1/projects/{project}/questions",
        data={"body": "Kan sensorene monteres i taket i alle boligene?"},
        headers=bearer(procurer, SUPPLIER),
    )
    assert asked.ok, asked.text()
    question = asked.json()["id"]
    watch(procurer, f"/projects/{project}/questions")  # its first state is in: no redraw later
    form = procurer.locator(f"#answer-{question}")
    form.locator("textarea").evaluate_all("fields => fields.forEach(f => f.required = false)")
    errors = procurer.locator(f"#answer-{question}-save-errors")

    form.locator("textarea[name=public_question]").fill("Kan sensorer monteres i taket?")
    form.get_by_role("button", name="Lagre utkast").click()
    expect(errors).not_to_be_empty()

    form.locator("textarea[name=answer]").fill("Ja, i alle boligene.")
    form.get_by_role("button", name="Lagre utkast").click()
    expect(procurer.locator(f"#question-{question}-status")).to_contain_text(
        "Utkast til svar er lagret", timeout=LIVE_TIMEOUT
    )
    expect(errors).to_be_empty()


def test_a_planned_event_appears_on_the_events_page_live(new_page: Callable[..., Page]) -> None:
    reader = new_page(SUPPLIER)
    project = market_project(reader, SUPPLIER)
    watch(reader, f"/projects/{project}/events")
    expect(reader.locator(f"#project-{project}-events")).to_contain_text(
        "Ingen dialogarrangementer"
    )

    event = plan_event(reader, project, "conference", location="Rådhuset")

    listed = reader.locator(f"#project-{project}-events a[href='/events/{event}']")
    expect(listed).to_have_text("Dialogmøte om nattilsyn", timeout=LIVE_TIMEOUT)
    expect(reader.locator("#events-live-status")).to_have_text(
        "Et nytt dialogarrangement ble nettopp planlagt."
    )
    assert_not_reloaded(reader)
