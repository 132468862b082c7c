"""A form parses into the API's schema: its limits come from the schema, and a failed form shows
each message beside its field, in a sentence of its own."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.models.base import Phase
from app.models.need import CommentCreate, NeedCreate
from app.web import limits
from tests.conftest import CSRF_RE, World, login
from tests.helpers import EN, HTMX_NEED_FORM, NEED, Api
from tests.research.conftest import study_input

HTMX = {**HTMX_NEED_FORM, **EN}


def _tag(html: str, element_id: str) -> str:
    found = re.search(rf'<(?:input|textarea)[^>]*\bid="{element_id}"[^>]*>', html)
    assert found, element_id
    return found.group(0)


def test_limits_are_the_schemas() -> None:
    assert limits(NeedCreate, "title") == (3, 200)
    assert limits(NeedCreate, "affected") == (None, 2000)
    assert limits(CommentCreate, "body").max == 20_000


def test_need_form_takes_its_lengths_from_the_schema(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    page = client.get(f"/projects/{world.public.id}")
    title = _tag(page.text, "need-title")
    assert 'minlength="3"' in title and 'maxlength="200"' in title
    assert 'maxlength="20000"' in _tag(page.text, "need-problem")


def test_failed_htmx_form_shows_each_message_beside_its_field(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.citizen)
    response = client.post(
        f"/projects/{world.public.id}/needs",
        data={"title": "ab", "problem": "kort", "affected": "Nattevakter"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#need-form-errors"
    assert 'id="need-form-fields" class="stack" hx-swap-oob="true"' in response.text
    title = _tag(response.text, "need-title")
    assert 'aria-invalid="true"' in title
    assert 'aria-describedby="need-form-title-error"' in title
    assert 'value="ab"' in title
    assert (
        '<p id="need-form-title-error" class="field-error">'
        "Title must be at least 3 characters.</p>" in response.text
    )
    problem = _tag(response.text, "need-problem")
    assert 'aria-describedby="need-problem-hint need-form-problem-error"' in problem
    assert 'aria-invalid="true"' not in _tag(response.text, "need-affected")
    assert 'value="Nattevakter"' in response.text
    assert "; " not in response.text  # one sentence per message, never joined
    assert api.needs(world.procurer, world.public.id) == []


def test_field_messages_read_as_norwegian_sentences(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    response = client.post(
        f"/projects/{world.public.id}/needs",
        data={**NEED, "title": "ab"},
        headers=HTMX_NEED_FORM,
    )
    assert response.status_code == 422
    assert "Tittel må ha minst 3 tegn." in response.text


def test_failed_comment_keeps_what_was_typed(client: TestClient, world: World, api: Api) -> None:
    need = api.post(f"/projects/{world.public.id}/needs", world.citizen, json=NEED).json()
    login(client, world.citizen)
    response = client.post(
        f"/needs/{need['id']}/comments",
        data={"body": "x" * 20_001},
        headers={"HX-Request": "true", "HX-Trigger": "comment-form", **EN},
    )
    assert response.status_code == 422
    body = _tag(response.text, "comment-form-body")
    assert 'aria-invalid="true"' in body
    assert "Comment can be at most 20000 characters." in response.text


def test_failed_upload_form_keeps_its_choices_beside_the_message(
    client: TestClient, world: World
) -> None:
    login(client, world.procurer)
    response = client.post(
        f"/projects/{world.public.id}/documents",
        data={"title": "x" * 201, "kind": "minutes", "audience": "procurers"},
        headers={"HX-Request": "true", "HX-Trigger": "document-form", **EN},
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#document-form-errors"
    assert 'aria-invalid="true"' in _tag(response.text, "document-title")
    assert "Title can be at most 200 characters." in response.text
    assert '<option value="minutes" selected>' in response.text
    assert '<option value="procurers" selected>' in response.text
    assert 'id="document-file"' not in response.text  # the chosen file stays chosen


def test_blank_text_is_refused_by_the_schema_with_its_own_sentence(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/needs",
        world.citizen,
        json={"title": "    ", "problem": "            "},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Title and problem cannot be blank."


def test_need_text_is_stored_without_surrounding_spaces(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/needs",
        world.citizen,
        json={"title": "  Trygge nattbesøk  ", "problem": f"  {NEED['problem']}\n"},
    )
    assert response.status_code == 201
    assert response.json()["title"] == "Trygge nattbesøk"
    assert response.json()["problem"] == NEED["problem"]


def _htmx(form_id: str) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Trigger": form_id, **EN}


def test_failed_event_form_shows_the_times_as_typed(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    response = client.post(
        f"/projects/{world.public.id}/events",
        data={
            "kind": "one_to_one",
            "title": "Dialogmøte",
            "starts_at": "i morgen tidlig",
            "ends_at": "2027-03-01T12:00",
            "slot_minutes": "30",
        },
        headers=_htmx("event-form"),
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#event-form-errors"
    starts = _tag(response.text, "event-starts")
    assert 'aria-invalid="true"' in starts and 'value="i morgen tidlig"' in starts
    assert 'aria-describedby="event-form-starts_at-error"' in starts
    assert "Start time is not a valid date and time." in response.text
    assert 'value="2027-03-01T12:00"' in _tag(response.text, "event-ends")
    assert '<option value="one_to_one" selected>' in response.text


def test_failed_project_form_keeps_its_text_and_choices(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    response = client.post(
        "/projects",
        data={
            "title": "Nytt prosjekt",
            "summary": "Kort.",
            "service_area": "H",
            "innovation_ambition": "Mer hjemme.",
            "visibility": "internal",
            "partner_org_ids": [str(world.partner.id)],
        },
        headers=_htmx("project-form"),
    )
    assert response.status_code == 422
    area = _tag(response.text, "p-area")
    assert 'aria-invalid="true"' in area and 'value="H"' in area
    assert "Service area must be at least 2 characters." in response.text
    assert 'value="Nytt prosjekt"' in _tag(response.text, "p-title")
    assert 'id="p-vis-internal" name="visibility" value="internal" checked' in response.text
    assert f'value="{world.partner.id}" checked' in response.text


def test_failed_proposal_form_keeps_the_claim_and_its_justification(
    client: TestClient, world: World, api: Api
) -> None:
    need = api.post(f"/projects/{world.public.id}/needs", world.citizen, json=NEED).json()
    login(client, world.supplier)
    response = client.post(
        f"/projects/{world.public.id}/proposals",
        data={
            "title": "Sensorer",
            "summary": "Kort",
            "body": "Hemmelig beskrivelse av løsningen.",
            "need_ids": [str(need["id"])],
            "claim_body": "true",
            "justification": "kort",
        },
        headers=_htmx("proposal-form"),
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in _tag(response.text, "proposal-summary")
    justification = _tag(response.text, "proposal-justification")
    assert 'aria-invalid="true"' in justification
    assert ">kort</textarea>" in response.text
    assert "Justification must be at least 10 characters." in response.text
    assert f'value="{need["id"]}" checked' in response.text
    assert 'id="proposal-claim-body" name="claim_body" value="true" checked' in response.text
    assert 'id="proposal-file"' not in response.text  # the chosen file stays chosen


def test_study_form_is_drawn_again_in_full_with_each_message_beside_its_field(
    client: TestClient, world: World
) -> None:
    login(client, world.researcher)
    token = CSRF_RE.search(client.get("/research/studies/new").text).group(1)  # type: ignore[union-attr]
    fields = {**study_input(period_start="2030-06-01", period_end="2030-01-01"), "title": "Ab"}
    response = client.post(
        "/research/studies/new", data={"csrf_token": token, **fields}, headers=EN
    )
    assert response.status_code == 422
    title = _tag(response.text, "study-title")
    assert 'aria-invalid="true"' in title and 'value="Ab"' in title
    assert "Title must be at least 3 characters." in response.text
    end = _tag(response.text, "study-period_end")
    assert 'aria-describedby="study-period_end-error"' in end
    assert "The period must end on or after its start." in response.text


def test_a_period_out_of_order_is_named_in_the_api_too(api: Api, world: World) -> None:
    fields = study_input(period_start="2030-06-01", period_end="2030-01-01")
    response = api.post("/research/studies", world.researcher, json=fields)
    assert response.status_code == 422
    assert response.json()["detail"] == "The period must end on or after its start."


def test_failed_minutes_form_keeps_the_text_and_the_choice_to_publish(
    client: TestClient, world: World, api: Api
) -> None:
    api.advance(world.procurer, world.public.id, Phase.market_dialogue)
    event = api.post(
        f"/projects/{world.public.id}/events",
        world.procurer,
        json={
            "kind": "conference",
            "title": "Dialogkonferanse",
            "starts_at": "2027-03-01T09:00:00+01:00",
            "ends_at": "2027-03-01T12:00:00+01:00",
        },
    ).json()
    login(client, world.procurer)
    response = client.post(
        f"/events/{event['id']}/minutes",
        data={"minutes": "x" * 50_001, "publish": "1"},
        headers=_htmx("minutes-form"),
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#minutes-form-errors"
    assert 'aria-invalid="true"' in _tag(response.text, "minutes-text")
    assert "Minutes can be at most 50000 characters." in response.text
    assert 'id="minutes-publish" name="publish" value="1" checked' in response.text


def test_failed_company_registration_shows_the_number_as_typed(
    client: TestClient, world: World
) -> None:
    login(client, world.citizen)
    response = client.post(
        "/companies/register",
        data={"name": "Nytt AS", "org_number": "123 456 789"},
        headers=_htmx("company-form"),
    )
    assert response.status_code == 422
    number = _tag(response.text, "company-number")
    assert 'aria-invalid="true"' in number and 'value="123 456 789"' in number
    assert 'aria-describedby="company-number-hint company-form-org_number-error"' in number
    assert "Organisation number is not valid." in response.text
    assert 'value="Nytt AS"' in _tag(response.text, "company-name")


def test_failed_new_organisation_keeps_its_kind(client: TestClient, world: World) -> None:
    login(client, world.admin)
    response = client.post(
        "/admin/organisations",
        data={"name": "X", "kind": "county", "org_number": ""},
        headers=_htmx("org-form"),
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in _tag(response.text, "org-name")
    assert "Name must be at least 2 characters." in response.text
    assert '<option value="county" selected>' in response.text


def test_failed_registration_keeps_all_but_the_password(client: TestClient, world: World) -> None:
    token = CSRF_RE.search(client.get("/register").text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "display_name": "Nora Nordmann",
            "email": "ikke-en-adresse",
            "password": "hemmelig-passord",
            "role": "employee",
            "organisation_id": str(world.owner.id),
        },
        headers=_htmx("register-form"),
    )
    assert response.status_code == 422
    email = _tag(response.text, "reg-email")
    assert 'aria-invalid="true"' in email and 'value="ikke-en-adresse"' in email
    assert "E-mail is not valid." in response.text
    assert 'value="Nora Nordmann"' in _tag(response.text, "reg-name")
    assert "hemmelig-passord" not in response.text
    assert f'<option value="{world.owner.id}" selected>' in response.text
    assert 'value="employee" aria-describedby="reg-employee-hint" checked' in response.text


def test_failed_token_form_is_drawn_again_with_the_message_beside_the_days(
    client: TestClient, world: World
) -> None:
    login(client, world.citizen)
    token = CSRF_RE.search(client.get("/account/tokens").text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/account/tokens",
        data={"csrf_token": token, "name": "Rapportverktøy", "expires_in_days": "400"},
        headers=EN,
    )
    assert response.status_code == 422
    days = _tag(response.text, "token-days")
    assert 'aria-invalid="true"' in days and 'value="400"' in days
    assert 'id="token-form-expires_in_days-error"' in response.text
    assert 'value="Rapportverktøy"' in _tag(response.text, "token-name")


def test_failed_reset_form_shows_the_message_beside_the_new_password(client: TestClient) -> None:
    token = CSRF_RE.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/reset-password/" + "a" * 32,
        data={"csrf_token": token, "password": "kort", "password_again": "kort"},
        headers=_htmx("reset-form"),
    )
    assert response.status_code == 422
    password = _tag(response.text, "reset-password")
    assert 'aria-invalid="true"' in password
    assert 'aria-describedby="reset-help reset-form-password-error"' in password
    assert "Password must be at least 10 characters." in response.text
    assert "kort" not in response.text  # passwords are typed again, never sent back


def test_an_event_ending_before_it_starts_says_so_beside_the_end(
    client: TestClient, world: World
) -> None:
    login(client, world.procurer)
    response = client.post(
        f"/projects/{world.public.id}/events",
        data={
            "kind": "conference",
            "title": "Dialogkonferanse",
            "starts_at": "2027-03-01T12:00",
            "ends_at": "2027-03-01T09:00",
        },
        headers=_htmx("event-form"),
    )
    assert response.status_code == 422
    ends = _tag(response.text, "event-ends")
    assert 'aria-invalid="true"' in ends and 'value="2027-03-01T09:00"' in ends
    assert (
        '<p id="event-form-ends_at-error" class="field-error">'
        "The event must end after it starts.</p>" in response.text
    )
