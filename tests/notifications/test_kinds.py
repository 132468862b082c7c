"""Each kind of notification: who is told, never the actor, never someone who could not open it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.models import Comment, Need
from app.models.base import OrganisationKind, Role
from app.models.vocabulary import Verb
from app.services import contribution, needs, permissions
from tests.conftest import Factory, World
from tests.helpers import Api, published
from tests.notifications.conftest import kinds, revoke_membership, told
from tests.questions import Cast, asked_question, publish_question

REASON = "Behovet er dekket av et annet prosjekt i kommunen."


# ---- comments and replies ----------------------------------------------------------------------


def test_a_reply_tells_the_comments_author_and_the_needs_author(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)
    first = api.comment(world.citizen, need["id"], "Dette kjenner jeg igjen.")
    api.comment(world.procurer, need["id"], "Takk, vi ser på det.", parent_id=first["id"])
    assert told(session, world.citizen) == [("reply", "comment")]
    assert kinds(session, world.employee) == ["comment_on_need", "comment_on_need"]
    assert kinds(session, world.procurer) == []  # the actor is never told of their own act


def test_replying_to_ones_own_comment_on_ones_own_need_tells_no_one(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.citizen, world.public.id)
    first = api.comment(world.citizen, need["id"])
    api.comment(world.citizen, need["id"], "Og en ting til.", parent_id=first["id"])
    assert kinds(session, world.citizen) == []


def test_commenting_follows_the_need_and_followers_hear_of_later_comments(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.comment(world.citizen, need["id"])
    api.comment(world.partner_employee, need["id"], "Vi har samme behov hos oss.")
    assert kinds(session, world.citizen) == ["followed_need"]
    # The need's author hears of it as a comment on their need, once.
    assert kinds(session, world.employee) == ["comment_on_need", "comment_on_need"]


def test_supporting_follows_the_need(api: Api, world: World, session: Session) -> None:
    need = api.post_need(world.employee, world.public.id)
    assert api.post(f"/needs/{need['id']}/supports", world.citizen).status_code == 201
    api.comment(world.partner_employee, need["id"])
    assert kinds(session, world.citizen) == ["followed_need"]


# ---- need status ---------------------------------------------------------------------------------


def test_a_status_change_tells_the_author_with_the_reason_and_every_supporter(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)
    assert api.post(f"/needs/{need['id']}/supports", world.citizen).status_code == 201
    response = api.set_status(world.procurer, need["id"], status="rejected", reason=REASON)
    assert response.status_code == 200, response.text
    assert kinds(session, world.employee) == ["need_status"]
    assert kinds(session, world.citizen) == ["supported_need_status"]
    assert kinds(session, world.procurer) == []
    page = api.get("/me/notifications", world.employee).json()
    assert REASON in page["items"][0]["text"]
    assert "is now: Rejected." in page["items"][0]["text"]  # the label, not the stored value
    assert page["items"][0]["url"] == f"/needs/{need['id']}"


def test_a_revoked_member_hears_nothing_more_of_an_internal_project(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.internal.id)
    assert api.set_status(world.procurer, need["id"], status="under_review").status_code == 200
    assert kinds(session, world.employee) == ["need_status"]
    revoke_membership(session, world, world.employee)
    assert api.set_status(world.procurer, need["id"], status="verified").status_code == 200
    assert kinds(session, world.employee) == ["need_status"]  # no new one
    # And the one made while they had access is no longer shown or counted.
    page = api.get("/me/notifications", world.employee).json()
    assert page == {"unread_count": 0, "items": [], "next_before": None}


# ---- the market dialogue -----------------------------------------------------------------------


def test_a_published_answer_tells_every_registered_company_and_no_one_else(
    api: Api, world: World, factory: Factory, session: Session
) -> None:
    cast = Cast(api, world, factory)
    question = asked_question(api, cast)
    assert publish_question(api, cast, question["id"]).status_code == 200
    for supplier in (cast.supplier_a, cast.colleague_a, cast.supplier_b):
        assert told(session, supplier) == [("answer_published", "question")]
    for outsider in (world.citizen, world.employee, world.procurer, world.researcher):
        assert kinds(session, outsider) == []


def test_an_unregistered_company_hears_nothing_of_the_dialogue(
    api: Api, world: World, factory: Factory, session: Session
) -> None:
    cast = Cast(api, world, factory)
    outsider = factory.user(
        Role.supplier,
        factory.org(OrganisationKind.supplier, name="Uregistrert AS", org_number="923609016"),
    )
    published(api, cast.procurer, cast.project_id, title="Kravutkast", audience="participants")
    assert kinds(session, cast.supplier_b) == ["document_published"]
    assert kinds(session, outsider) == []


def test_a_document_for_procurers_only_tells_no_supplier(
    api: Api, world: World, factory: Factory, session: Session
) -> None:
    cast = Cast(api, world, factory)
    published(api, cast.procurer, cast.project_id, title="Internt notat", audience="procurers")
    assert kinds(session, cast.supplier_a) == []


def test_a_planned_event_tells_the_registered_companies(
    api: Api, world: World, factory: Factory, session: Session
) -> None:
    cast = Cast(api, world, factory)
    start = datetime.now(UTC) + timedelta(days=20)
    body = {
        "kind": "conference",
        "title": "Dialogkonferanse om nattilsyn",
        "description": "Vi presenterer behovene.",
        "location": "Rådhuset",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 20,
    }
    response = api.post(f"/projects/{cast.project_id}/events", cast.procurer, json=body)
    assert response.status_code == 201, response.text
    assert told(session, cast.supplier_a) == [("event_planned", "dialogue_event")]
    assert kinds(session, world.citizen) == []


def test_an_assessed_proposal_tells_its_company_only(
    api: Api, world: World, factory: Factory, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)
    cast = Cast(api, world, factory)
    proposal = api.post(
        f"/projects/{cast.project_id}/proposals",
        cast.supplier_a,
        json={
            "need_ids": [need["id"]],
            "title": "Radar uten kamera",
            "summary": "Et forslag om radar som ser uten kamera.",
            "body": "Hele løsningen beskrevet i detalj for innkjøperne.",
        },
    )
    assert proposal.status_code == 201, proposal.text
    response = api.put(
        f"/proposals/{proposal.json()['id']}/status",
        cast.procurer,
        json={"status": "considered", "reason": "Tas med i kravspesifikasjonen."},
    )
    assert response.status_code == 200, response.text
    assert told(session, cast.supplier_a) == [("proposal_assessed", "proposal")]
    assert kinds(session, cast.colleague_a) == ["proposal_assessed"]
    assert kinds(session, cast.supplier_b) == []


# ---- moderation ----------------------------------------------------------------------------------


def test_a_hidden_comment_tells_its_author_with_the_public_reason(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)
    comment = api.comment(world.citizen, need["id"], "Noe som ikke hører hjemme her.")
    rel = permissions.relation(session, world.procurer, world.public)
    hidden = session.get(Comment, comment["id"])
    assert hidden is not None
    needs.hide_comment(session, rel=rel, comment=hidden, reason="Personopplysninger.")
    session.commit()
    assert told(session, world.citizen) == [("moderation", "comment")]
    text = api.get("/me/notifications", world.citizen).json()["items"][0]["text"]
    assert "Personopplysninger." in text


# ---- following a project -------------------------------------------------------------------------


def test_a_projects_followers_hear_of_new_needs(api: Api, world: World, session: Session) -> None:
    assert api.post(f"/projects/{world.public.id}/follow", world.citizen).status_code == 201
    api.post_need(world.employee, world.public.id)
    api.post_need(world.citizen, world.public.id)  # their own: not told
    assert told(session, world.citizen) == [("followed_project", "need")]


def test_a_follower_who_lost_access_hears_nothing(api: Api, world: World, session: Session) -> None:
    follower = world.partner_employee
    assert api.post(f"/projects/{world.internal.id}/follow", follower).status_code == 201
    api.post_need(world.employee, world.internal.id)
    assert kinds(session, follower) == ["followed_project"]
    revoke_membership(session, world, follower, world.partner)
    api.post_need(world.procurer, world.internal.id)
    assert kinds(session, follower) == ["followed_project"]


def test_following_is_recorded_as_participation(api: Api, world: World) -> None:
    assert api.post(f"/projects/{world.public.id}/follow", world.citizen).status_code == 201
    assert api.delete(f"/projects/{world.public.id}/follow", world.citizen).status_code == 204
    verbs = [e["verb"] for e in api.events(world.procurer, world.public.id)]
    assert verbs[-2:] == ["followed", "unfollowed"]


def test_a_hidden_project_cannot_be_followed(api: Api, world: World) -> None:
    response = api.post(f"/projects/{world.internal.id}/follow", world.citizen)
    assert response.status_code == 404


def test_a_moderators_restore_or_hidden_need_tells_the_author_as_the_moderation_helper_records_it(
    api: Api, world: World, session: Session
) -> None:
    need_json = api.post_need(world.citizen, world.public.id)
    need = session.get(Need, need_json["id"])
    assert need is not None
    rel = permissions.relation(session, world.procurer, world.public)
    for verb in (Verb.hid_need, Verb.restored_content):
        contribution.record(session, rel=rel, on=need, verb=verb, addressee=world.citizen)
    session.commit()
    assert told(session, world.citizen) == [("moderation", "need"), ("moderation", "need")]
    texts = [i["text"] for i in api.get("/me/notifications", world.citizen).json()["items"]]
    assert texts[0].startswith("A moderator restored your contribution")
    assert texts[1].startswith("A moderator hid your contribution")


def test_a_comment_hidden_later_leaves_the_followers_lists_but_not_its_authors(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.comment(world.partner_employee, need["id"])  # follows the need by commenting
    comment = api.comment(world.citizen, need["id"], "Noe som ikke hører hjemme her.")
    assert api.get("/me/notifications", world.partner_employee).json()["unread_count"] == 1
    hidden = session.get(Comment, comment["id"])
    assert hidden is not None
    rel = permissions.relation(session, world.procurer, world.public)
    needs.hide_comment(session, rel=rel, comment=hidden, reason="Personopplysninger.")
    session.commit()
    follower = api.get("/me/notifications", world.partner_employee).json()
    assert follower == {"unread_count": 0, "items": [], "next_before": None}
    author = api.get("/me/notifications", world.citizen).json()
    assert [i["kind"] for i in author["items"]] == ["moderation"]
