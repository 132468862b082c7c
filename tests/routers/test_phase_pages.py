"""The project page's phase timeline, the gate-decision form and the supplier registration box."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.models.base import OrganisationKind, Phase, Role
from tests.conftest import CSRF_RE, Factory, World, login
from tests.helpers import EN, RATIONALE, Api, without_javascript

HTMX_PHASE_FORM = {"HX-Request": "true", "HX-Trigger": "phase-form", **EN}
HTMX_SUPPLIER_FORM = {"HX-Request": "true", "HX-Trigger": "supplier-form", **EN}


def _timeline(html: str) -> str:
    match = re.search(r'<ol id="phase-timeline".*?</ol>', html, re.S)
    assert match, "no phase timeline on the page"
    return match.group(0)


def _steps(html: str) -> list[str]:
    return re.findall(r"<li .*?</li>", _timeline(html), re.S)


# ---- the timeline -------------------------------------------------------------------------------


def test_timeline_is_an_ordered_list_with_the_current_phase_marked(
    client: TestClient, api: Api, world: World
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    page = client.get(f"/projects/{world.public.id}", headers=EN)
    steps = _steps(page.text)
    names = [re.search(r"<strong>(.*?)</strong>", s).group(1) for s in steps]  # type: ignore[union-attr]
    assert names == [
        "Preparation and anchoring",
        "Needs",
        "Market dialogue",
        "Competition",
        "Contract follow-up",
        "Benefit realisation",
        "Closed",
    ]
    current = [s for s in steps if 'aria-current="step"' in s]
    assert len(current) == 1
    assert "Market dialogue" in current[0]
    assert "(skipped)" in steps[0]  # the project was opened in the needs phase
    assert "The project was opened in this phase" in steps[1]
    assert "Gate decision" in steps[2] and "Petra Procurer" in steps[2] and RATIONALE in steps[2]
    assert all("(not reached yet)" in s for s in steps[3:])
    assert 'id="project-phase-badge"' in page.text
    assert "Phase: Market dialogue" in page.text


def test_an_aborted_project_ends_its_timeline_with_the_abort(
    client: TestClient, api: Api, world: World
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.aborted, "Budsjettet ble kuttet.")
    steps = _steps(client.get(f"/projects/{world.public.id}", headers=EN).text)
    assert len(steps) == 3  # preparation (skipped), needs, aborted
    assert "Aborted" in steps[-1] and 'aria-current="step"' in steps[-1]
    assert "Budsjettet ble kuttet." in steps[-1]


def test_timeline_is_in_bokmal_by_default(client: TestClient, api: Api, world: World) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    timeline = _timeline(client.get(f"/projects/{world.public.id}").text)
    assert "Markedsdialog" in timeline and "Nåværende fase" in timeline
    assert "Besluttet" in timeline


def test_a_visitor_not_logged_in_sees_the_new_phase_after_a_move(
    client: TestClient, api: Api, world: World
) -> None:
    before = client.get(f"/projects/{world.public.id}", headers=EN).text  # cached for visitors
    assert "Phase: Needs" in before
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    after = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert "Phase: Market dialogue" in after
    assert RATIONALE in after


# ---- the gate-decision form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "has_form"),
    [
        ("procurer", True),
        ("partner_procurer", True),
        ("admin", True),
        ("other_procurer", False),
        ("employee", False),
        ("citizen", False),
        ("supplier", False),
        (None, False),
    ],
)
def test_only_the_projects_procurers_get_the_gate_decision_form(
    client: TestClient, world: World, viewer: str | None, has_form: bool
) -> None:
    if viewer:
        login(client, world.member(viewer))
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert ('id="phase-form"' in page) is has_form


def test_gate_decision_form_has_labels_the_next_phases_and_a_csrf_field(
    client: TestClient, world: World
) -> None:
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    form = re.search(r'<form id="phase-form".*?</form>', page, re.S).group(0)  # type: ignore[union-attr]
    assert 'method="post"' in form and f'action="/projects/{world.public.id}/phase"' in form
    assert 'name="csrf_token"' in form
    assert '<label for="phase-to">' in form and 'id="phase-to"' in form
    assert '<label for="phase-rationale">' in form and 'id="phase-rationale"' in form
    assert re.findall(r'<option value="(\w+)"', form) == ["market_dialogue", "aborted"]


def test_procurer_moves_the_phase_with_a_plain_form(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}").text
    token = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    response = without_javascript(client).post(
        f"/projects/{world.public.id}/phase",
        data={
            "to_phase": "market_dialogue",
            "rationale": RATIONALE,
            "confirm": "yes",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/projects/{world.public.id}"
    assert "Phase: Market dialogue" in client.get(response.headers["location"], headers=EN).text


def test_a_plain_form_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    response = without_javascript(client).post(
        f"/projects/{world.public.id}/phase",
        data={"to_phase": "market_dialogue", "rationale": RATIONALE},
        headers=EN,
    )
    assert response.status_code == 403
    assert "Phase: Needs" in client.get(f"/projects/{world.public.id}", headers=EN).text


def test_procurer_moves_the_phase_with_htmx(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    response = client.post(
        f"/projects/{world.public.id}/phase",
        data={"to_phase": "market_dialogue", "rationale": RATIONALE, "confirm": "yes"},
        headers=HTMX_PHASE_FORM,
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/projects/{world.public.id}"


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        (
            {"to_phase": "market_dialogue", "rationale": "kort", "confirm": "yes"},
            422,
            "at least 10 characters",
        ),
        ({"to_phase": "competition", "rationale": RATIONALE, "confirm": "yes"}, 409, "cannot skip"),
        ({"to_phase": "needs", "rationale": RATIONALE, "confirm": "yes"}, 409, "already in"),
        ({"to_phase": "space", "rationale": RATIONALE}, 422, "Next phase is not valid"),
        ({"to_phase": "market_dialogue", "rationale": RATIONALE}, 422, "Tick the box to confirm"),
    ],
)
def test_a_refused_move_answers_htmx_with_a_message_next_to_the_form(
    client: TestClient, world: World, form: dict[str, str], status: int, message: str
) -> None:
    login(client, world.procurer)
    response = client.post(f"/projects/{world.public.id}/phase", data=form, headers=HTMX_PHASE_FORM)
    assert response.status_code == status
    assert response.headers["HX-Retarget"] == "#phase-form-errors"
    assert message in response.text


def test_a_non_procurer_posting_the_form_gets_a_403_page(client: TestClient, world: World) -> None:
    login(client, world.employee)
    response = client.post(
        f"/projects/{world.public.id}/phase",
        data={"to_phase": "market_dialogue", "rationale": RATIONALE},
        headers=EN,
    )
    assert response.status_code == 403
    assert "Only the project&#39;s procurers can move the project" in response.text


def test_an_ended_project_offers_no_further_move(
    client: TestClient, api: Api, world: World
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.aborted)
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert 'id="phase-form"' not in page
    assert "The project has ended; its phase no longer changes." in page


# ---- the supplier box ---------------------------------------------------------------------------


def test_supplier_is_offered_registration_only_in_the_market_dialogue(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.supplier)
    assert 'id="supplier-form"' not in client.get(f"/projects/{world.public.id}").text
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert "Register my company for the market dialogue" in page
    form = re.search(r'<form id="supplier-form".*?</form>', page, re.S).group(0)  # type: ignore[union-attr]
    assert 'name="csrf_token"' in form


def test_supplier_registers_with_a_plain_form_and_then_sees_it(
    client: TestClient, api: Api, world: World
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    login(client, world.supplier)
    token = CSRF_RE.search(client.get(f"/projects/{world.public.id}").text).group(1)  # type: ignore[union-attr]
    response = without_javascript(client).post(
        f"/projects/{world.public.id}/suppliers",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert "Your company is registered for the market dialogue." in page
    assert 'id="supplier-form"' not in page


def test_supplier_registers_with_htmx(client: TestClient, api: Api, world: World) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    login(client, world.supplier)
    response = client.post(f"/projects/{world.public.id}/suppliers", headers=HTMX_SUPPLIER_FORM)
    assert response.status_code == 204
    again = client.post(f"/projects/{world.public.id}/suppliers", headers=HTMX_SUPPLIER_FORM)
    assert again.status_code == 409
    assert again.headers["HX-Retarget"] == "#supplier-form-errors"
    assert "already registered" in again.text


def test_supplier_without_organisation_number_gets_the_reason_next_to_the_button(
    client: TestClient, api: Api, world: World, factory: Factory
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    org = factory.org(OrganisationKind.supplier, name="Uten nummer AS")
    login(client, factory.user(Role.supplier, org))
    response = client.post(f"/projects/{world.public.id}/suppliers", headers=HTMX_SUPPLIER_FORM)
    assert response.status_code == 403
    assert "valid Norwegian organisation number" in response.text


def test_procurer_sees_how_many_suppliers_are_registered(
    client: TestClient, api: Api, world: World
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    login(client, world.procurer)
    assert (
        "0 suppliers are registered." in client.get(f"/projects/{world.public.id}", headers=EN).text
    )
    api.post(f"/projects/{world.public.id}/suppliers", world.supplier)
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert "1 supplier is registered." in page
    assert "Leverandør AS" in page


@pytest.mark.parametrize("viewer", ["employee", "citizen", None])
def test_others_see_neither_the_count_nor_the_button(
    client: TestClient, api: Api, world: World, viewer: str | None
) -> None:
    api.move_phase(world.procurer, world.public.id, Phase.market_dialogue)
    api.post(f"/projects/{world.public.id}/suppliers", world.supplier)
    if viewer:
        login(client, world.member(viewer))
    page = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert "registered" not in page
    assert "Leverandør AS" not in page
