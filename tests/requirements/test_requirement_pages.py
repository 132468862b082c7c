"""The workspace and requirement pages: the forms, the version history and the word-level diff."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.models.base import id_of
from app.services.requirements import DiffOp, diff
from tests.conftest import World, login
from tests.helpers import EN, Api
from tests.requirements.conftest import drafted, patch


def test_the_diff_marks_words_added_and_removed_and_keeps_the_rest() -> None:
    old, new = "Varsle pårørende innen ti minutter.", "Varsle pårørende og lege innen fem minutter."
    ops = diff(old, new)
    assert ops == [
        DiffOp("equal", "Varsle pårørende "),
        DiffOp("insert", "og lege "),
        DiffOp("equal", "innen "),
        DiffOp("delete", "ti"),
        DiffOp("insert", "fem"),
        DiffOp("equal", " minutter."),
    ]
    assert diff("Samme tekst.", "Samme tekst.") == [DiffOp("equal", "Samme tekst.")]
    assert "".join(op.text for op in diff("a b", "a c") if op.op != "delete") == "a c"


def test_a_procurer_drafts_from_the_workspace_and_sees_it_by_kind(
    client: TestClient, world: World, spec: int
) -> None:
    login(client, world.procurer)
    form = {"kind": "award_criterion", "title": "Pris", "text": "Laveste pris.", "weight": "40"}
    response = client.post(
        f"/projects/{spec}/specification/requirements", data=form, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = client.get(f"/projects/{spec}/specification", headers=EN).text
    assert "Award criterion" in page and "Pris" in page and "40 %" in page
    assert 'id="co-author-form"' in page and "Emil Employee" in page
    assert "/specification" in client.get(f"/projects/{spec}", headers=EN).text


def test_a_refused_form_shows_the_message_beside_the_form(
    client: TestClient, world: World, spec: int
) -> None:
    login(client, world.procurer)
    form = {"kind": "award_criterion", "title": "Pris", "text": "Laveste pris.", "weight": ""}
    response = client.post(f"/projects/{spec}/specification/requirements", data=form, headers=EN)
    assert response.status_code == 422
    assert "An award criterion needs a weight between 0 and 100 per cent." in response.text


def test_the_requirement_page_edits_and_compares_two_versions(
    client: TestClient, api: Api, world: World, spec: int
) -> None:
    body = drafted(api, world.procurer, spec, text="Varsle pårørende innen ti minutter.")
    login(client, world.partner_procurer)
    edit = {"title": "Varsling", "text": "Varsle pårørende innen fem minutter.", "status": "draft"}
    saved = client.post(f"/requirements/{body['id']}/edit", data=edit, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(f"/requirements/{body['id']}?from=1&to=2", headers=EN).text
    assert "<del>ti</del><ins>fem</ins>" in page
    assert "Version 2" in page and 'id="compare-form"' in page


def test_outsiders_get_404_for_the_workspace_of_a_draft_and_no_link(
    client: TestClient, api: Api, world: World, spec: int
) -> None:
    drafted(api, world.procurer, spec)
    assert client.get(f"/projects/{spec}/specification").status_code == 404
    login(client, world.employee)
    assert client.get(f"/projects/{spec}/specification").status_code == 404
    assert f"/projects/{spec}/specification" not in client.get(f"/projects/{spec}").text


def test_marking_final_asks_for_confirmation_and_then_everyone_reads_it(
    client: TestClient, api: Api, world: World, spec: int
) -> None:
    body = drafted(api, world.procurer, spec, kind="award_criterion", weight=100)
    patch(api, world.procurer, body["id"], status="final")
    login(client, world.procurer)
    unconfirmed = client.post(f"/projects/{spec}/specification/final", data={}, headers=EN)
    assert unconfirmed.status_code == 422
    confirmed = client.post(
        f"/projects/{spec}/specification/final", data={"confirm": "yes"}, follow_redirects=False
    )
    assert confirmed.status_code == 303, confirmed.text
    anonymous = TestClient(client.app)
    page = anonymous.get(f"/projects/{spec}/specification", headers=EN)
    assert page.status_code == 200 and "The specification is final" in page.text
    assert anonymous.get(f"/requirements/{body['id']}").status_code == 200
    assert id_of(world.public) == spec


def test_the_page_offers_a_co_author_no_final_status_and_refuses_it_as_the_api_does(
    client: TestClient, api: Api, world: World, spec: int
) -> None:
    invited = api.post(
        f"/projects/{spec}/specification/co-authors",
        world.procurer,
        json={"user_id": id_of(world.employee)},
    )
    assert invited.status_code == 201
    body = drafted(api, world.procurer, spec)
    login(client, world.employee)
    page = client.get(f"/requirements/{body['id']}", headers=EN).text
    assert 'id="requirement-edit-form"' in page and 'value="final"' not in page
    edit = {"title": "Varsling", "text": body["text"], "status": "final"}
    refused = client.post(f"/requirements/{body['id']}/edit", data=edit, headers=EN)
    assert refused.status_code == 403
    assert "procurers can mark a requirement final or change a final" in refused.text
    patch(api, world.procurer, body["id"], status="final")
    page = client.get(f"/requirements/{body['id']}", headers=EN).text
    assert 'id="requirement-edit-form"' not in page  # a final requirement is the procurers'


def test_the_workspace_offers_the_export_in_both_formats(
    client: TestClient, world: World, spec: int
) -> None:
    login(client, world.procurer)
    page = client.get(f"/projects/{spec}/specification", headers=EN).text
    assert f'href="/api/v1/projects/{spec}/specification.pdf"' in page
    assert f'href="/api/v1/projects/{spec}/specification.docx"' in page
    # A logged-in browser downloads it with its session cookie.
    assert client.get(f"/api/v1/projects/{spec}/specification.pdf").status_code == 200
