"""Questions and answers: private until published, then the same anonymised answer for everyone."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import OrganisationKind, Phase, Role
from app.services import ocds
from app.services.permissions import relation
from tests.conftest import Factory, World, bearer, login
from tests.helpers import EN, Api
from tests.ocds_schema import assert_valid_package
from tests.questions import (
    ANONYMISED,
    ANSWER,
    ORIGINAL,
    Cast,
    ask_question,
    asked_question,
    publish_question,
)


@pytest.fixture
def cast(api: Api, world: World, factory: Factory) -> Cast:
    return Cast(api, world, factory)


def _published(api: Api, cast: Cast) -> dict[str, Any]:
    question = asked_question(api, cast)
    response = publish_question(api, cast, question["id"])
    assert response.status_code == 200, response.text
    return response.json()


def _list(api: Api, cast: Cast, user: Any) -> list[dict[str, Any]]:
    response = api.get(f"/projects/{cast.project_id}/questions", user)
    assert response.status_code == 200, response.text
    return response.json()


# ---- asking -------------------------------------------------------------------------------------


def test_registered_supplier_asks_and_sees_its_own_question(api: Api, cast: Cast) -> None:
    body = asked_question(api, cast)
    assert body["status"] == "asked"
    assert body["body"] == ORIGINAL
    assert body["organisation_name"] == "Leverandør AS"
    assert "answer" not in body and "public_question" not in body


def test_asking_is_logged_as_participation_addressed_to_the_procurers(api: Api, cast: Cast) -> None:
    question = asked_question(api, cast)
    event = api.events(cast.procurer, cast.project_id)[-1]
    assert (event["verb"], event["object_type"], event["object_id"]) == (
        "asked",
        "question",
        question["id"],
    )
    assert (event["actor_role"], event["addressee_role"]) == ("supplier", "procurer")


def test_unregistered_supplier_cannot_ask(api: Api, cast: Cast, factory: Factory) -> None:
    org = factory.org(OrganisationKind.supplier, name="Sen AS", org_number="923456783")
    late = factory.user(Role.supplier, org)
    response = ask_question(api, cast, late)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Register your company for the market dialogue on the project page before you ask."
    )


@pytest.mark.parametrize("who", ["procurer", "citizen", "employee", "researcher"])
def test_only_suppliers_ask(api: Api, cast: Cast, who: str) -> None:
    response = ask_question(api, cast, getattr(cast.world, who))
    assert response.status_code == 403
    assert (
        response.json()["detail"]
        == "Only suppliers taking part in the market dialogue can ask questions."
    )


def test_anonymous_must_log_in_to_ask(api: Api, cast: Cast) -> None:
    response = api.post(f"/projects/{cast.project_id}/questions", None, json={"body": ORIGINAL})
    assert response.status_code == 401


def test_questions_close_with_the_market_dialogue(api: Api, cast: Cast) -> None:
    api.advance(cast.procurer, cast.project_id, Phase.competition)
    response = ask_question(api, cast)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Questions can only be asked during the market dialogue; "
        "the project is now in the phase “Competition”."
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("For kort", "The question must be at least 10 characters."),
        ("          kort      ", "The question must be at least 10 characters."),
        ("x" * 5001, "The question can be at most 5000 characters."),
    ],
)
def test_question_length_is_checked(api: Api, cast: Cast, body: str, message: str) -> None:
    response = ask_question(api, cast, body=body)
    assert response.status_code == 422
    assert response.json()["detail"] == message
    assert _list(api, cast, cast.procurer) == []


# ---- who sees what ------------------------------------------------------------------------------


def test_unpublished_question_is_seen_by_procurers_and_the_asking_company_only(
    api: Api, cast: Cast
) -> None:
    question = asked_question(api, cast)
    for user in (cast.procurer, cast.world.partner_procurer, cast.world.admin):
        [seen] = _list(api, cast, user)
        assert seen["body"] == ORIGINAL and seen["asked_by"] == cast.supplier_a.display_name
    [seen] = _list(api, cast, cast.colleague_a)
    assert seen["body"] == ORIGINAL and seen["organisation_name"] == "Leverandør AS"
    for user in (cast.supplier_b, cast.citizen, cast.world.employee, None):
        assert _list(api, cast, user) == []
        response = api.get(f"/questions/{question['id']}", user)
        assert response.status_code == 404
        assert response.json()["detail"] == "No such question."


def test_missing_and_hidden_questions_get_the_same_answer(api: Api, cast: Cast) -> None:
    question = asked_question(api, cast)
    hidden = api.get(f"/questions/{question['id']}", cast.supplier_b)
    missing = api.get("/questions/999999", cast.supplier_b)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_supplier_b_never_sees_who_asked(api: Api, cast: Cast) -> None:
    published = _published(api, cast)
    asked_question(api, cast, body="Et annet spørsmål som ennå ikke er besvart av kommunen.")
    for user in (cast.supplier_b, cast.citizen, None):
        [seen] = _list(api, cast, user)
        assert seen == {
            "id": published["id"],
            "project_id": cast.project_id,
            "status": "published",
            "asked_at": seen["asked_at"],
            "public_question": ANONYMISED,
            "answer": ANSWER,
            "published_at": published["published_at"],
        }
        single = api.get(f"/questions/{published['id']}", user)
        assert single.json() == seen
        text = single.text + str(seen)
        for trace in (
            "Leverandør AS",
            cast.supplier_a.display_name,
            "SoveVakt",
        ):
            assert trace not in text


def test_internal_projects_questions_are_404_for_outsiders(api: Api, world: World) -> None:
    response = api.get(f"/projects/{world.internal.id}/questions", world.supplier)
    assert response.status_code == 404


# ---- answering and publishing -------------------------------------------------------------------


def test_procurer_saves_a_draft_that_only_procurers_see(api: Api, cast: Cast) -> None:
    question = asked_question(api, cast)
    draft = {"public_question": ANONYMISED, "answer": ANSWER}
    response = api.put(f"/questions/{question['id']}/answer", cast.procurer, json=draft)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "answered"
    assert response.json()["answer"] == ANSWER
    [mine] = _list(api, cast, cast.supplier_a)
    assert mine["status"] == "answered"
    assert "answer" not in mine and "public_question" not in mine  # not before everyone else
    assert _list(api, cast, cast.supplier_b) == []


def test_publishing_the_saved_draft_publishes_both_at_one_moment(api: Api, cast: Cast) -> None:
    question = asked_question(api, cast)
    api.put(
        f"/questions/{question['id']}/answer",
        cast.procurer,
        json={"public_question": ANONYMISED, "answer": ANSWER},
    )
    response = api.post(f"/questions/{question['id']}/publish", cast.procurer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "published" and body["published_at"]
    assert (body["public_question"], body["answer"]) == (ANONYMISED, ANSWER)


def test_publishing_needs_both_texts(api: Api, cast: Cast) -> None:
    question = asked_question(api, cast)
    refused = api.post(f"/questions/{question['id']}/publish", cast.procurer)
    assert refused.status_code == 422
    assert (
        refused.json()["detail"]
        == "Write both the anonymised question and the answer before publishing."
    )
    blank = publish_question(api, cast, question["id"], answer="   ")
    assert blank.status_code == 422
    assert blank.json()["detail"] == "Write an answer."
    short = publish_question(api, cast, question["id"], public_question="Kort?")
    assert short.json()["detail"] == "The anonymised question must be at least 10 characters."
    assert _list(api, cast, cast.supplier_b) == []
    [still] = _list(api, cast, cast.procurer)
    assert still["status"] == "asked"  # nothing half-written


def test_publication_is_final(api: Api, cast: Cast) -> None:
    published = _published(api, cast)
    for response in (
        api.put(
            f"/questions/{published['id']}/answer",
            cast.procurer,
            json={"public_question": ANONYMISED, "answer": "Nei."},
        ),
        publish_question(api, cast, published["id"], answer="Nei."),
    ):
        assert response.status_code == 409
        assert response.json()["detail"] == (
            "The answer has been published to all suppliers and can no longer be changed."
        )
    assert _list(api, cast, cast.supplier_b)[0]["answer"] == ANSWER


@pytest.mark.parametrize("who", ["supplier", "employee", "other_procurer"])
def test_only_the_projects_procurers_answer(api: Api, cast: Cast, who: str) -> None:
    question = asked_question(api, cast)
    user = getattr(cast.world, who)
    response = api.put(
        f"/questions/{question['id']}/answer",
        user,
        json={"public_question": ANONYMISED, "answer": ANSWER},
    )
    if who == "supplier":
        assert response.status_code == 403
        assert response.json()["detail"] == "Only the project's procurers can do this."
    else:
        assert response.status_code == 404  # they cannot see the unpublished question at all
    assert publish_question(api, cast, question["id"]).status_code == 200


def test_publishing_is_audited_and_logged_as_an_answer_to_the_supplier(
    api: Api, cast: Cast
) -> None:
    published = _published(api, cast)
    entries = api.get(f"/projects/{cast.project_id}/audit-log", cast.procurer).json()
    entry = entries[-1]
    assert (entry["action"], entry["object_type"], entry["object_id"]) == (
        "answer_published",
        "question",
        published["id"],
    )
    assert entry["before"] == {"status": "asked"}
    assert entry["after"]["status"] == "published"
    assert set(entry["after"]) == {"status", "published_at"}  # nothing about the asker
    event = api.events(cast.procurer, cast.project_id)[-1]
    assert (event["verb"], event["actor_role"], event["addressee_role"]) == (
        "answered",
        "procurer",
        "supplier",
    )


def test_the_asking_company_may_withdraw_an_unpublished_question(api: Api, cast: Cast) -> None:
    question = asked_question(api, cast)
    refused = api.post(f"/questions/{question['id']}/withdraw", cast.procurer)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the company that asked can withdraw a question."
    response = api.post(f"/questions/{question['id']}/withdraw", cast.colleague_a)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    again = publish_question(api, cast, question["id"])
    assert again.status_code == 409
    assert again.json()["detail"] == "The question has been withdrawn."
    assert (
        api.get(f"/projects/{cast.project_id}/audit-log", cast.procurer).json()[-1]["action"]
        == "question_withdrawn"
    )


# ---- the OCDS export ----------------------------------------------------------------------------


def test_published_answer_is_a_tender_enquiry_and_unpublished_ones_are_not(
    api: Api, cast: Cast, session: Session
) -> None:
    published = _published(api, cast)
    asked_question(api, cast, body="Hemmelig spørsmål som ikke er besvart ennå, fra SoveVakt.")
    package = api.get(f"/projects/{cast.project_id}/ocds").json()
    assert_valid_package(package)
    [enquiry] = package["releases"][0]["tender"]["enquiries"]
    assert enquiry["id"] == f"question-{published['id']}"
    assert (enquiry["description"], enquiry["answer"]) == (ANONYMISED, ANSWER)
    assert enquiry["dateAnswered"] and enquiry["date"]
    text = str(package)
    for trace in ("SoveVakt", "Leverandør AS", "Hemmelig", cast.supplier_a.display_name):
        assert trace not in text
    session.expire_all()
    assert (
        len(
            ocds.published_enquiries(
                session, project=relation(session, None, cast.world.public).project
            )
        )
        == 1
    )


# ---- the Q&A page -------------------------------------------------------------------------------


def _page(client: TestClient, cast: Cast) -> str:
    response = client.get(f"/projects/{cast.project_id}/questions")
    assert response.status_code == 200, response.text
    return response.text


def test_supplier_asks_through_the_form_without_javascript(
    client: TestClient, api: Api, cast: Cast
) -> None:
    login(client, cast.supplier_a)
    page = _page(client, cast)
    assert 'id="question-form"' in page
    token = client.headers["X-CSRF-Token"]
    del client.headers["X-CSRF-Token"]
    response = client.post(
        f"/projects/{cast.project_id}/questions",
        data={"body": ORIGINAL, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Your question has been sent" in page or "sendt" in page
    assert ORIGINAL in page


def test_form_without_csrf_token_is_refused(client: TestClient, cast: Cast) -> None:
    login(client, cast.supplier_a)
    del client.headers["X-CSRF-Token"]
    response = client.post(f"/projects/{cast.project_id}/questions", data={"body": ORIGINAL})
    assert response.status_code == 403


def test_procurer_answers_and_publishes_through_the_forms(
    client: TestClient, api: Api, cast: Cast
) -> None:
    question = asked_question(api, cast)
    login(client, cast.procurer)
    page = _page(client, cast)
    assert f'id="question-{question["id"]}"' in page
    assert ORIGINAL in page and "Leverandør AS" in page
    form = {"public_question": ANONYMISED, "answer": ANSWER}
    saved = client.post(f"/questions/{question['id']}/answer", data=form, follow_redirects=False)
    assert saved.status_code == 303
    published = client.post(
        f"/questions/{question['id']}/publish",
        data={**form, "confirm": "yes"},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert _list(api, cast, cast.supplier_b)[0]["answer"] == ANSWER


def test_htmx_refusal_names_the_form(client: TestClient, cast: Cast) -> None:
    login(client, cast.supplier_a)
    response = client.post(
        f"/projects/{cast.project_id}/questions",
        data={"body": "kort"},
        headers={"HX-Request": "true", "HX-Trigger": "question-form", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#question-form-errors"
    assert "at least 10 characters" in response.text


@pytest.mark.parametrize("who", ["supplier_b", "citizen", None])
def test_other_viewers_pages_hold_no_trace_of_the_asker(
    client: TestClient, api: Api, cast: Cast, who: str | None
) -> None:
    _published(api, cast)
    asked_question(api, cast, body="Et ubesvart spørsmål om SoveVakt-integrasjon fra oss.")
    if who:
        login(client, getattr(cast, who))
    page = _page(client, cast)
    assert ANONYMISED in page and ANSWER in page
    for trace in ("Leverandør AS", cast.supplier_a.display_name, "SoveVakt", 'id="question-queue"'):
        assert trace not in page


def test_colleague_sees_the_companys_pending_question_on_the_page(
    client: TestClient, api: Api, cast: Cast
) -> None:
    asked_question(api, cast)
    login(client, cast.colleague_a)
    page = _page(client, cast)
    assert ORIGINAL in page and 'id="my-questions"' in page
    assert 'id="question-queue"' not in page


def test_project_page_links_to_the_questions(client: TestClient, cast: Cast) -> None:
    page = client.get(f"/projects/{cast.project_id}").text
    assert f'href="/projects/{cast.project_id}/questions"' in page


# ---- the demo ------------------------------------------------------------------------------------


def test_demo_has_one_published_answer_and_one_waiting_question(
    client: TestClient, api: Api, session: Session
) -> None:
    from sqlmodel import select

    from app.demo import load_demo
    from app.models import Project, User

    load_demo(session)
    session.commit()
    project = session.exec(select(Project).where(Project.phase == Phase.market_dialogue)).one()
    procurer = session.exec(select(User).where(User.email == "innkjoper@trondheim.example")).one()
    kari = session.exec(select(User).where(User.email == "leverandor@klimalos.example")).one()
    for user in (procurer, kari):
        api._headers[user.id] = {**bearer(client, user, "pivotal-demo"), **EN}  # type: ignore[index]
    everyone = api.get(f"/projects/{project.id}/questions").json()
    assert [q["status"] for q in everyone] == ["published"]
    assert "Helsetek" not in str(everyone)
    statuses = [q["status"] for q in api.get(f"/projects/{project.id}/questions", procurer).json()]
    assert statuses == ["published", "asked"]
    mine = api.get(f"/projects/{project.id}/questions", kari).json()
    assert [q["status"] for q in mine] == ["published", "asked"]
    assert "Helsetek" not in str(mine)


def test_audit_log_page_names_the_publication(client: TestClient, api: Api, cast: Cast) -> None:
    _published(api, cast)
    login(client, cast.procurer)
    page = client.get(f"/projects/{cast.project_id}/audit-log", headers={"Accept-Language": "en"})
    assert "Answer published to all suppliers" in page.text or "Svar publisert" in page.text
