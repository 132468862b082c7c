"""The moderation flow: a report reaches the queue; hide, restore, dismiss and one review, each
in the audit log and the participation log, with the content's author as the addressee."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import World, login
from tests.helpers import Api
from tests.moderation.conftest import REASON, SECRET, Thread, acts, audit_actions, decide, report

HIDDEN_NOTE = f"Skjult av moderator: {REASON}"


def _queue(api: Api, world: World) -> list[dict]:
    response = api.get(f"/projects/{world.public.id}/reports", world.procurer)
    assert response.status_code == 200, response.text
    return response.json()


def _comment(api: Api, reader, thread: Thread) -> dict:
    listed = api.get(f"/needs/{thread.need}/comments", reader).json()
    return next(c for c in listed if c["id"] == thread.comment)


def test_a_reported_comment_waits_in_the_queue_with_its_reason_and_context(
    client: TestClient, api: Api, world: World, thread: Thread
) -> None:
    filed = report(api, world.employee, "comment", thread.comment, "Navn og diagnose på en nabo")
    assert filed.status_code == 201, filed.text
    assert filed.json()["state"] == "open"
    [waiting] = _queue(api, world)
    assert (waiting["object_type"], waiting["object_id"]) == ("comment", thread.comment)

    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}/reports")
    assert page.status_code == 200
    assert SECRET in page.text  # the content itself
    assert "Vi ser det samme på natt." in page.text  # and the comment it answers
    assert "Navn og diagnose på en nabo" in page.text  # the reporter's reason
    assert "1 sak venter på avgjørelse" in page.text


def test_hiding_shows_the_reason_to_others_and_the_text_to_its_author(
    client: TestClient, api: Api, world: World, thread: Thread, session: Session
) -> None:
    filed = report(api, world.employee, "comment", thread.comment).json()
    decided = decide(api, world.procurer, filed["id"], "hide", REASON)
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "hide"
    assert _queue(api, world) == []

    for reader in (world.employee, world.supplier, None):
        seen = _comment(api, reader, thread)
        assert seen["body"] is None and seen["hidden"] and seen["hidden_reason"] == REASON
    login(client, world.employee)
    page = client.get(f"/needs/{thread.need}").text
    assert HIDDEN_NOTE in page and SECRET not in page

    login(client, world.citizen)
    own = client.get(f"/needs/{thread.need}").text
    assert SECRET in own and HIDDEN_NOTE in own
    assert "Bare du og moderatorene ser teksten." in own
    assert "Be om ny vurdering" in own

    assert audit_actions(session, world.public.id)[-2:] == [
        ("content_reported", "comment", thread.comment),
        ("comment_hidden", "comment", thread.comment),
    ]
    assert acts(session, world.public.id)[-2:] == [
        ("reported", "report", None),
        ("hid_comment", "comment", world.citizen.id),
    ]


def test_the_author_asks_for_review_once_and_the_moderator_restores(
    api: Api, world: World, thread: Thread, session: Session
) -> None:
    filed = report(api, world.employee, "comment", thread.comment).json()
    decide(api, world.procurer, filed["id"], "hide", REASON)
    body = {"object_type": "comment", "object_id": thread.comment, "reason": "Det var anonymt."}

    assert api.post("/reviews", world.employee, json=body).status_code == 403  # not the author
    asked = api.post("/reviews", world.citizen, json=body)
    assert asked.status_code == 201, asked.text
    again = api.post("/reviews", world.citizen, json=body)
    assert again.status_code == 409
    assert "already asked for a review" in again.json()["detail"]

    [review] = _queue(api, world)
    assert review["kind"] == "review" and review["reason"] == "Det var anonymt."
    restored = decide(api, world.procurer, review["id"], "restore")
    assert restored.status_code == 200, restored.text
    assert _comment(api, world.supplier, thread)["body"] == SECRET

    assert [a for a, _t, _i in audit_actions(session, world.public.id)][-2:] == [
        "review_requested",
        "content_restored",
    ]
    assert acts(session, world.public.id)[-2:] == [
        ("asked_review", "report", None),
        ("restored_content", "comment", world.citizen.id),
    ]
    # Once is once: hidden again later, the author may not ask again.
    again_filed = report(api, world.supplier, "comment", thread.comment).json()
    decide(api, world.procurer, again_filed["id"], "hide", REASON)
    assert api.post("/reviews", world.citizen, json=body).status_code == 409


def test_a_dismissed_report_leaves_the_need_as_it_was(
    api: Api, world: World, thread: Thread, session: Session
) -> None:
    filed = report(api, world.citizen, "need", thread.need).json()
    dismissed = decide(api, world.procurer, filed["id"], "dismiss", "Saklig innhold.")
    assert dismissed.status_code == 200, dismissed.text
    assert api.get(f"/needs/{thread.need}", world.supplier).json()["title"] == "Trygge nattbesøk"
    assert decide(api, world.procurer, filed["id"], "hide", REASON).status_code == 409
    assert audit_actions(session, world.public.id)[-1] == ("report_dismissed", "need", thread.need)
    assert acts(session, world.public.id)[-1] == (
        "dismissed_report",
        "report",
        world.employee.id,
    )


def test_a_hidden_need_leaves_the_lists_of_others_and_keeps_its_text_for_its_author(
    client: TestClient, api: Api, world: World, thread: Thread, session: Session
) -> None:
    filed = report(api, world.citizen, "need", thread.need).json()
    decide(api, world.procurer, filed["id"], "hide", REASON)

    assert [n["id"] for n in api.needs(world.supplier, world.public.id)] == []
    assert [n["id"] for n in api.needs(world.procurer, world.public.id)] == [thread.need]
    seen = api.get(f"/needs/{thread.need}", world.supplier).json()
    assert seen["title"] is None and seen["problem"] is None and seen["hidden_reason"] == REASON
    assert api.get(f"/needs/{thread.need}", world.employee).json()["title"] == "Trygge nattbesøk"

    login(client, world.citizen)
    page = client.get(f"/needs/{thread.need}").text
    assert HIDDEN_NOTE in page and "Brukerne våkner av tilsynet" not in page
    assert "Trygge nattbesøk" not in page
    login(client, world.employee)
    own = client.get(f"/needs/{thread.need}").text
    assert HIDDEN_NOTE in own and "Brukerne våkner av tilsynet" in own
    assert ("need_hidden", "need", thread.need) in audit_actions(session, world.public.id)
    assert acts(session, world.public.id)[-1] == ("hid_need", "need", world.employee.id)


def test_one_open_report_per_person_and_object(api: Api, world: World, thread: Thread) -> None:
    assert report(api, world.supplier, "comment", thread.comment).status_code == 201
    second = report(api, world.supplier, "comment", thread.comment)
    assert second.status_code == 409
    assert "already reported" in second.json()["detail"]
    assert report(api, world.employee, "comment", thread.comment).status_code == 201
    [item] = {(r["object_type"], r["object_id"]) for r in _queue(api, world)}
    assert item == ("comment", thread.comment)


def test_hiding_needs_a_public_reason_and_restoring_needs_hidden_content(
    api: Api, world: World, thread: Thread
) -> None:
    filed = report(api, world.employee, "comment", thread.comment).json()
    no_reason = decide(api, world.procurer, filed["id"], "hide", "  ")
    assert no_reason.status_code == 422
    nothing_hidden = decide(api, world.procurer, filed["id"], "restore")
    assert nothing_hidden.status_code == 422
    assert decide(api, world.procurer, filed["id"], "erase").status_code == 422


def test_a_report_from_the_need_page_form_thanks_the_reporter(
    client: TestClient, world: World, thread: Thread, api: Api
) -> None:
    login(client, world.supplier)
    page = client.get(f"/needs/{thread.need}").text
    assert f'id="report-comment-{thread.comment}"' in page
    assert 'id="report-need-' in page
    sent = client.post(
        "/reports",
        data={"object_type": "comment", "object_id": str(thread.comment), "reason": "Spam"},
        headers={"HX-Request": "true"},
    )
    assert sent.status_code == 200
    assert "Takk. Moderatorene vil se på det." in sent.text
    assert len(_queue(api, world)) == 1


def test_the_procurers_hide_button_on_the_thread_closes_the_open_reports(
    client: TestClient, api: Api, world: World, thread: Thread
) -> None:
    report(api, world.employee, "comment", thread.comment)
    login(client, world.procurer)
    hidden = client.post(
        f"/comments/{thread.comment}/hide", data={"reason": REASON}, follow_redirects=False
    )
    assert hidden.status_code == 303
    assert _queue(api, world) == []


def test_a_moderator_hides_a_need_from_its_page(
    client: TestClient, api: Api, world: World, thread: Thread
) -> None:
    login(client, world.procurer)
    hidden = client.post(
        f"/needs/{thread.need}/hide", data={"reason": REASON}, follow_redirects=False
    )
    assert hidden.status_code == 303
    assert api.get(f"/needs/{thread.need}", world.citizen).json()["hidden"] is True
