"""Editing and withdrawing one's own needs and comments: the edit window, the earlier versions
the procurers keep, the "edited" mark everyone sees, withdrawn comments, and the live pushes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEntry, Comment, Revision
from app.models.base import Phase
from tests.conftest import World, login
from tests.helpers import EN, ORIGIN, Api, push

NEW_TITLE = "Trygge nattbesøk uten å vekke"
NEW_PROBLEM = "Brukerne våkner av tilsynet og får ikke sove igjen etterpå."
FIRST_BODY = "Dette kjenner jeg igjen fra min mor."
NEW_BODY = "Dette kjenner jeg igjen fra min far, ikke min mor."


def patch(api: Api, url: str, user: Any, **body: Any):  # type: ignore[no-untyped-def]
    return api.request("PATCH", url, user, json=body)


@pytest.fixture
def need(api: Api, world: World) -> dict[str, Any]:
    return api.post_need(world.employee, world.public.id)


@pytest.fixture
def comment(api: Api, world: World, need: dict[str, Any]) -> dict[str, Any]:
    return api.comment(world.citizen, need["id"], FIRST_BODY)


# ---- the edit window --------------------------------------------------------------------------


def test_the_author_edits_their_need_and_everyone_sees_it_edited(
    api: Api, world: World, need: dict[str, Any]
) -> None:
    response = patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE)
    assert response.status_code == 200, response.text
    assert response.json()["title"] == NEW_TITLE
    assert response.json()["problem"] == need["problem"]  # left out: unchanged
    seen = api.get(f"/needs/{need['id']}", world.citizen).json()
    assert seen["title"] == NEW_TITLE
    assert seen["edited_at"] is not None


def test_the_author_edits_their_comment(
    api: Api, world: World, need: dict[str, Any], comment: dict[str, Any]
) -> None:
    response = patch(api, f"/comments/{comment['id']}", world.citizen, body=NEW_BODY)
    assert response.status_code == 200, response.text
    assert response.json()["body"] == NEW_BODY
    thread = api.get(f"/needs/{need['id']}/comments", None).json()
    assert thread[0]["body"] == NEW_BODY and thread[0]["edited_at"] is not None


@pytest.mark.parametrize("other", ["citizen", "procurer", "admin", "partner_employee"])
def test_nobody_else_edits_a_need(api: Api, world: World, need: dict[str, Any], other: str) -> None:
    response = patch(api, f"/needs/{need['id']}", world.member(other), title=NEW_TITLE)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the author can edit a need."
    assert api.get(f"/needs/{need['id']}", None).json()["title"] == need["title"]


@pytest.mark.parametrize("other", ["employee", "procurer", "admin"])
def test_nobody_else_edits_or_withdraws_a_comment(
    api: Api, world: World, comment: dict[str, Any], other: str
) -> None:
    user = world.member(other)
    assert patch(api, f"/comments/{comment['id']}", user, body=NEW_BODY).status_code == 403
    assert api.delete(f"/comments/{comment['id']}", user).status_code == 403


def test_anonymous_visitor_edits_nothing(
    api: Api, need: dict[str, Any], comment: dict[str, Any]
) -> None:
    assert patch(api, f"/needs/{need['id']}", None, title=NEW_TITLE).status_code == 401
    assert patch(api, f"/comments/{comment['id']}", None, body=NEW_BODY).status_code == 401
    assert api.delete(f"/comments/{comment['id']}", None).status_code == 401


def test_a_need_of_a_project_one_cannot_see_is_not_found(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.internal.id)
    comment = api.comment(world.employee, need["id"])
    for outsider in (world.citizen, world.supplier, world.other_employee):
        assert patch(api, f"/needs/{need['id']}", outsider, title=NEW_TITLE).status_code == 404
        response = patch(api, f"/comments/{comment['id']}", outsider, body=NEW_BODY)
        assert response.status_code == 404
        assert api.delete(f"/comments/{comment['id']}", outsider).status_code == 404
        assert api.get(f"/needs/{need['id']}/revisions", outsider).status_code == 404


def test_once_the_project_moves_on_the_need_and_comment_are_locked(
    api: Api, world: World, need: dict[str, Any], comment: dict[str, Any]
) -> None:
    assert api.move_phase(world.procurer, world.public.id, Phase.market_dialogue).is_success
    response = patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "It can no longer be edited: the project has moved on from the phase “Needs”, where it "
        "was posted, to “Market dialogue”."
    )
    response = patch(api, f"/comments/{comment['id']}", world.citizen, body=NEW_BODY)
    assert response.status_code == 409
    # Withdrawing stays open to the author.
    assert api.delete(f"/comments/{comment['id']}", world.citizen).status_code == 204


def test_a_need_posted_in_the_market_dialogue_is_editable_there(api: Api, world: World) -> None:
    assert api.move_phase(world.procurer, world.public.id, Phase.market_dialogue).is_success
    need = api.post_need(world.employee, world.public.id)
    assert patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE).status_code == 200


@pytest.mark.parametrize(
    ("decision", "reason"),
    [
        ({"status": "under_review"}, "a procurer has decided on the need."),
        ({"status": "verified"}, "a procurer has decided on the need."),
        ({"status": "parked", "reason": "Senere."}, "a procurer has decided on the need."),
    ],
)
def test_once_a_procurer_decided_on_the_need_it_is_locked(
    api: Api, world: World, need: dict[str, Any], decision: dict[str, str], reason: str
) -> None:
    assert api.set_status(world.procurer, need["id"], **decision).status_code == 200
    response = patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE)
    assert response.status_code == 409
    assert response.json()["detail"] == f"It can no longer be edited: {reason}"


def test_a_need_another_was_merged_into_is_locked(
    api: Api, world: World, need: dict[str, Any]
) -> None:
    other = api.post_need(world.citizen, world.public.id, title="Nattbesøk som vekker")
    merged = api.set_status(
        world.procurer, other["id"], status="merged", merged_into_id=need["id"], reason="Samme."
    )
    assert merged.status_code == 200
    assert patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE).status_code == 409


def test_a_procurers_comment_locks_the_need_but_others_comments_do_not(
    api: Api, world: World, need: dict[str, Any]
) -> None:
    api.comment(world.citizen, need["id"])
    assert patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE).status_code == 200
    api.comment(world.partner_procurer, need["id"], "Vi ser på dette.")
    response = patch(api, f"/needs/{need['id']}", world.employee, title="Enda en tittel")
    assert response.status_code == 409
    assert "a procurer has commented on the need" in response.json()["detail"]


def test_a_procurers_reply_locks_the_comment_but_anothers_does_not(
    api: Api, world: World, need: dict[str, Any], comment: dict[str, Any]
) -> None:
    api.comment(world.employee, need["id"], "Enig.", parent_id=comment["id"])
    assert patch(api, f"/comments/{comment['id']}", world.citizen, body=NEW_BODY).is_success
    api.comment(world.procurer, need["id"], "Takk, vi følger opp.", parent_id=comment["id"])
    response = patch(api, f"/comments/{comment['id']}", world.citizen, body="Tredje versjon.")
    assert response.status_code == 409
    assert "a procurer has replied to the comment" in response.json()["detail"]


def test_a_hidden_comment_is_locked(
    client: TestClient, api: Api, world: World, comment: dict[str, Any]
) -> None:
    login(client, world.procurer)
    hidden = client.post(f"/comments/{comment['id']}/hide", data={"reason": "Personopplysninger."})
    assert hidden.status_code in (200, 303)
    response = patch(api, f"/comments/{comment['id']}", world.citizen, body=NEW_BODY)
    assert response.status_code == 409


# ---- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Ab"},
        {"title": "x" * 201},
        {"problem": "For kort"},
        {"title": "   "},
        {"affected": "x" * 2001},
        {"status": "verified"},  # not the author's to change
        {"author_id": 1},
        {"title": 42},
    ],
)
def test_a_bad_need_edit_is_refused_with_422(
    api: Api, world: World, need: dict[str, Any], body: dict[str, Any]
) -> None:
    response = api.request("PATCH", f"/needs/{need['id']}", world.employee, json=body)
    assert response.status_code == 422, response.text
    assert api.get(f"/needs/{need['id']}", None).json()["title"] == need["title"]


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "  "}, {"body": "x" * 20_001}])
def test_a_bad_comment_edit_is_refused_with_422(
    api: Api, world: World, comment: dict[str, Any], body: dict[str, Any]
) -> None:
    response = api.request("PATCH", f"/comments/{comment['id']}", world.citizen, json=body)
    assert response.status_code == 422, response.text


def test_an_edit_that_changes_nothing_keeps_no_revision(
    api: Api, world: World, need: dict[str, Any], session: Session
) -> None:
    response = patch(api, f"/needs/{need['id']}", world.employee, title=need["title"])
    assert response.status_code == 200
    assert response.json()["edited_at"] is None
    assert session.exec(select(Revision)).all() == []


# ---- earlier versions, audit and participation -------------------------------------------------


def test_every_edit_keeps_the_earlier_text_for_the_procurers_only(
    api: Api, world: World, need: dict[str, Any], comment: dict[str, Any]
) -> None:
    assert patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE).is_success
    assert patch(api, f"/needs/{need['id']}", world.employee, problem=NEW_PROBLEM).is_success
    assert patch(api, f"/comments/{comment['id']}", world.citizen, body=NEW_BODY).is_success
    response = api.get(f"/needs/{need['id']}/revisions", world.partner_procurer)
    assert response.status_code == 200
    revisions = response.json()
    assert [(r["object_type"], r["edited_by"]) for r in revisions] == [
        ("comment", "Cecilie Citizen"),
        ("need", "Emil Employee"),
        ("need", "Emil Employee"),
    ]
    assert revisions[0]["fields"] == {"body": FIRST_BODY}
    assert revisions[1]["fields"]["title"] == NEW_TITLE  # before the second edit
    assert revisions[2]["fields"]["title"] == need["title"]
    for other in ("employee", "citizen", "other_procurer", "researcher"):
        response = api.get(f"/needs/{need['id']}/revisions", world.member(other))
        assert response.status_code == 403, other


def test_the_need_page_shows_earlier_versions_to_procurers_only(
    client: TestClient, api: Api, world: World, need: dict[str, Any]
) -> None:
    assert patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE).is_success
    login(client, world.procurer)
    page = client.get(f"/needs/{need['id']}", headers=EN).text
    assert "Earlier versions" in page and need["title"] in page
    for other in (world.employee, world.citizen):
        login(client, other)
        page = client.get(f"/needs/{need['id']}", headers=EN).text
        assert "Earlier versions" not in page
        assert NEW_TITLE in page and "edited" in page


def test_edits_and_withdrawals_are_audited_and_logged(
    api: Api, world: World, need: dict[str, Any], comment: dict[str, Any], session: Session
) -> None:
    assert patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE).is_success
    assert patch(api, f"/comments/{comment['id']}", world.citizen, body=NEW_BODY).is_success
    assert api.delete(f"/comments/{comment['id']}", world.citizen).status_code == 204
    entries = {e.action: e for e in session.exec(select(AuditEntry)).all()}
    assert entries["need_edited"].before == {"title": need["title"]}
    assert entries["need_edited"].after == {"title": NEW_TITLE}
    assert entries["comment_edited"].before == {"body": FIRST_BODY}
    assert entries["comment_withdrawn"].before == {"body": NEW_BODY, "withdrawn": False}
    verbs = [e["verb"] for e in api.events(world.procurer, world.public.id)]
    assert {"edited_need", "edited_comment", "withdrew_comment"} <= set(verbs)
    log = api.get(f"/projects/{world.public.id}/audit-log", world.procurer)
    assert NEW_BODY in log.text


# ---- withdrawing -------------------------------------------------------------------------------


def test_a_withdrawn_comment_keeps_its_place_and_replies_but_not_its_text(
    client: TestClient,
    api: Api,
    world: World,
    need: dict[str, Any],
    comment: dict[str, Any],
    session: Session,
) -> None:
    reply = api.comment(world.employee, need["id"], "Et svar som blir stående.", comment["id"])
    assert api.delete(f"/comments/{comment['id']}", world.citizen).status_code == 204
    for reader in (None, world.citizen, world.procurer):
        thread = api.get(f"/needs/{need['id']}/comments", reader).json()
        assert [c["id"] for c in thread] == [comment["id"], reply["id"]]
        assert thread[0]["withdrawn"] is True and thread[0]["body"] is None
        assert thread[1]["body"] == "Et svar som blir stående."
    assert session.get(Comment, comment["id"]).body == ""  # type: ignore[union-attr]
    assert api.get(f"/needs/{need['id']}", None).json()["comment_count"] == 1
    page = client.get(f"/needs/{need['id']}").text
    assert "Kommentaren er trukket tilbake" in page and FIRST_BODY not in page
    assert "Et svar som blir stående." in page
    revisions = api.get(f"/needs/{need['id']}/revisions", world.procurer).json()
    assert revisions[0]["fields"] == {"body": FIRST_BODY}  # the procurers keep it


def test_a_comment_is_withdrawn_once(api: Api, world: World, comment: dict[str, Any]) -> None:
    assert api.delete(f"/comments/{comment['id']}", world.citizen).status_code == 204
    again = api.delete(f"/comments/{comment['id']}", world.citizen)
    assert again.status_code == 409
    assert patch(api, f"/comments/{comment['id']}", world.citizen, body=NEW_BODY).status_code == 409


def test_withdrawing_from_the_page_needs_the_box_ticked(
    client: TestClient, world: World, need: dict[str, Any], comment: dict[str, Any]
) -> None:
    login(client, world.citizen)
    page = client.get(f"/needs/{need['id']}", headers=EN).text
    assert f'action="/comments/{comment["id"]}/withdraw"' in page
    refused = client.post(f"/comments/{comment['id']}/withdraw", headers=EN)
    assert refused.status_code == 422
    done = client.post(
        f"/comments/{comment['id']}/withdraw", data={"confirm": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "The comment has been withdrawn" in client.get(f"/needs/{need['id']}", headers=EN).text


# ---- the pages -----------------------------------------------------------------------------------


def test_the_edit_link_shows_to_the_author_only_and_the_reason_once_locked(
    client: TestClient, api: Api, world: World, need: dict[str, Any]
) -> None:
    login(client, world.citizen)
    assert f'href="/needs/{need["id"]}/edit"' not in client.get(f"/needs/{need['id']}").text
    login(client, world.employee)
    page = client.get(f"/needs/{need['id']}", headers=EN).text
    assert f'href="/needs/{need["id"]}/edit"' in page
    assert api.set_status(world.procurer, need["id"], status="verified").status_code == 200
    page = client.get(f"/needs/{need['id']}", headers=EN).text
    assert f'href="/needs/{need["id"]}/edit"' not in page
    assert "It can no longer be edited: a procurer has decided on the need." in page
    page = client.get(f"/needs/{need['id']}").text  # in bokmål by default
    assert "Kan ikke lenger redigeres" in page


def test_the_need_edit_form_is_filled_in_and_saves(
    client: TestClient, world: World, need: dict[str, Any]
) -> None:
    login(client, world.employee)
    form = client.get(f"/needs/{need['id']}/edit")
    assert form.status_code == 200 and need["problem"] in form.text
    saved = client.post(
        f"/needs/{need['id']}/edit",
        data={"title": NEW_TITLE, "problem": NEW_PROBLEM, "affected": ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get(f"/needs/{need['id']}").text
    assert NEW_TITLE in page and "redigert" in page


def test_a_bad_edit_form_shows_the_message_at_its_field(
    client: TestClient, world: World, need: dict[str, Any]
) -> None:
    login(client, world.employee)
    refused = client.post(
        f"/needs/{need['id']}/edit",
        data={"title": "Ab", "problem": NEW_PROBLEM},
        headers=EN,
    )
    assert refused.status_code == 422
    assert 'id="need-edit-form-title-error"' in refused.text
    assert 'value="Ab"' in refused.text  # what was typed, shown again


def test_the_comment_edit_form_is_the_authors_only(
    client: TestClient, world: World, comment: dict[str, Any]
) -> None:
    login(client, world.employee)
    assert client.get(f"/comments/{comment['id']}/edit").status_code == 403
    login(client, world.citizen)
    form = client.get(f"/comments/{comment['id']}/edit")
    assert form.status_code == 200 and FIRST_BODY in form.text
    saved = client.post(
        f"/comments/{comment['id']}/edit", data={"body": NEW_BODY}, follow_redirects=False
    )
    assert saved.status_code == 303


# ---- live ----------------------------------------------------------------------------------------


def test_viewers_of_the_need_see_the_edited_text_live(
    client: TestClient, api: Api, world: World, need: dict[str, Any], comment: dict[str, Any]
) -> None:
    with client.websocket_connect(f"/ws/needs/{need['id']}", headers=ORIGIN) as ws:
        ws.receive_text()
        assert patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE).is_success
        pushed = push(ws, NEW_TITLE)
        assert f'id="need-{need["id"]}-text"' in pushed and "redigert" in pushed
        assert patch(api, f"/comments/{comment['id']}", world.citizen, body=NEW_BODY).is_success
        pushed = push(ws, NEW_BODY)
        assert f'id="comment-{comment["id"]}"' in pushed and "redigert" in pushed
        assert api.delete(f"/comments/{comment['id']}", world.citizen).status_code == 204
        pushed = push(ws, "Kommentaren er trukket tilbake")
        assert NEW_BODY not in pushed


def test_the_project_page_shows_the_edited_title_live(
    client: TestClient, api: Api, world: World, need: dict[str, Any]
) -> None:
    with client.websocket_connect(f"/ws/projects/{world.public.id}", headers=ORIGIN) as ws:
        ws.receive_text()
        assert patch(api, f"/needs/{need['id']}", world.employee, title=NEW_TITLE).is_success
        assert f'id="need-{need["id"]}-card"' in push(ws, NEW_TITLE)


def test_a_bad_comment_edit_form_says_why_and_keeps_the_comment(
    client: TestClient, api: Api, world: World, need: dict[str, Any], comment: dict[str, Any]
) -> None:
    login(client, world.citizen)
    too_long = client.post(
        f"/comments/{comment['id']}/edit", data={"body": "x" * 20_001}, headers=EN
    )
    assert too_long.status_code == 422
    assert 'id="comment-edit-form-body-error"' in too_long.text
    blank = client.post(f"/comments/{comment['id']}/edit", data={"body": "   "}, headers=EN)
    assert blank.status_code == 422
    assert "The comment cannot be blank." in blank.text
    assert api.get(f"/needs/{need['id']}/comments", None).json()[0]["body"] == FIRST_BODY


def test_the_edit_page_of_a_locked_need_says_why(
    client: TestClient, api: Api, world: World, need: dict[str, Any]
) -> None:
    assert api.set_status(world.procurer, need["id"], status="verified").status_code == 200
    login(client, world.employee)
    page = client.get(f"/needs/{need['id']}/edit", headers=EN)
    assert page.status_code == 409
    assert "a procurer has decided on the need" in page.text
