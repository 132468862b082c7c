"""Needs: who may post them, anonymous authors, one support per person, threads and decisions."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.models.base import Phase
from tests.conftest import World
from tests.helpers import NEED, Api

PROJECT = {
    "title": "Prosjekt uten innbyggerinnspill",
    "summary": "Kun ansatte melder behov her.",
    "service_area": "Helse",
    "innovation_ambition": "Nye arbeidsformer.",
}


# ---- posting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "author",
    [
        "employee",
        "partner_employee",
        "other_employee",  # another municipality's employee, on a public project
        "citizen",
        "procurer",
        "partner_procurer",
        "admin",
    ],
)
def test_who_may_post_a_need_on_a_public_project(api: Api, world: World, author: str) -> None:
    need = api.post_need(world.member(author), world.public.id)
    assert need["status"] == "submitted"
    assert need["project_id"] == world.public.id
    assert need["support_count"] == 0


# An outside procurer is public-sector staff like an outside employee: see test_rules_followups.
@pytest.mark.parametrize("author", ["supplier", "researcher"])
def test_supplier_and_researcher_cannot_post_needs(api: Api, world: World, author: str) -> None:
    response = api.post(f"/projects/{world.public.id}/needs", world.member(author), json=NEED)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your role cannot post needs in this project.",
        "code": "forbidden",
    }
    assert api.needs(world.procurer, world.public.id) == []


def test_anonymous_visitor_cannot_post_a_need(api: Api, world: World) -> None:
    response = api.post(f"/projects/{world.public.id}/needs", None, json=NEED)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert api.needs(world.procurer, world.public.id) == []


@pytest.mark.parametrize("author", ["employee", "partner_employee", "procurer"])
def test_members_post_needs_on_an_internal_project(api: Api, world: World, author: str) -> None:
    api.post_need(world.member(author), world.internal.id)


@pytest.mark.parametrize("outsider", ["citizen", "other_employee"])
def test_an_internal_projects_need_answers_outsiders_as_a_missing_need_does(
    api: Api, world: World, outsider: str
) -> None:
    hidden = api.post_need(world.member("employee"), world.internal.id)["id"]
    person = world.member(outsider)
    behind = api.get(f"/needs/{hidden}", person)
    missing = api.get("/needs/999999", person)
    assert (behind.status_code, behind.json()) == (missing.status_code, missing.json())
    assert behind.status_code == 404


@pytest.mark.parametrize("author", ["citizen", "other_employee"])
def test_outsiders_cannot_post_on_an_internal_project(api: Api, world: World, author: str) -> None:
    response = api.post(f"/projects/{world.internal.id}/needs", world.member(author), json=NEED)
    assert response.status_code == 404


def test_citizen_cannot_post_where_the_project_does_not_invite_citizens(
    api: Api, world: World
) -> None:
    project = api.post("/projects", world.procurer, json={**PROJECT, "citizens_may_post": False})
    assert project.status_code == 201
    project_id = project.json()["id"]
    response = api.post(f"/projects/{project_id}/needs", world.citizen, json=NEED)
    assert response.status_code == 403
    api.post_need(world.employee, project_id)  # employees still may


def test_no_new_needs_once_the_competition_is_announced(
    api: Api, world: World, session: Session
) -> None:
    world.public.phase = Phase.competition  # phase gates come later; move it in the database
    session.add(world.public)
    session.commit()
    response = api.post(f"/projects/{world.public.id}/needs", world.employee, json=NEED)
    assert response.status_code == 403
    assert "no longer takes new needs" in response.json()["detail"]


def test_closed_project_takes_no_needs_supports_or_comments(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)
    world.public.phase = Phase.closed  # phase gates come later; close it in the database
    session.add(world.public)
    session.commit()
    refusals = [
        api.post(f"/projects/{world.public.id}/needs", world.employee, json=NEED),
        api.post(f"/needs/{need['id']}/supports", world.citizen),
        api.post(f"/needs/{need['id']}/comments", world.citizen, json={"body": "For sent?"}),
    ]
    assert [r.status_code for r in refusals] == [403, 403, 403]
    assert api.get(f"/needs/{need['id']}").json()["support_count"] == 0


def test_blank_title_is_refused_even_when_long_enough(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/needs", world.employee, json={**NEED, "title": "     "}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Title and problem cannot be blank."


# ---- anonymous needs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reader",
    ["citizen", "other_employee", "other_procurer", "supplier", "researcher", "employee", None],
)
def test_anonymous_need_hides_its_author_from_all_but_the_projects_procurers(
    api: Api, world: World, reader: str | None
) -> None:
    # `employee` is the author: even they get the anonymous view back
    need = api.post_need(world.employee, world.public.id, anonymous=True)
    one = api.get(f"/needs/{need['id']}", world.member(reader)).json()
    for view in [one, *api.needs(world.member(reader), world.public.id)]:
        assert view["author_id"] is None
        assert view["author_name"] is None


@pytest.mark.parametrize("reader", ["procurer", "partner_procurer", "admin"])
def test_projects_procurers_see_who_posted_an_anonymous_need(
    api: Api, world: World, reader: str
) -> None:
    need = api.post_need(world.employee, world.public.id, anonymous=True)
    view = api.get(f"/needs/{need['id']}", world.member(reader)).json()
    assert view["author_id"] == world.employee.id
    assert view["author_name"] == "Emil Employee"


def test_named_need_shows_its_author_to_everyone(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    view = api.get(f"/needs/{need['id']}").json()
    assert view["author_name"] == "Emil Employee"


# ---- supports -------------------------------------------------------------------------------


def test_one_support_per_person(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    first = api.post(f"/needs/{need['id']}/supports", world.citizen)
    assert first.status_code == 201
    assert first.json()["support_count"] == 1
    second = api.post(f"/needs/{need['id']}/supports", world.citizen)
    assert second.status_code == 409
    assert second.json() == {"detail": "You already support this need.", "code": "conflict"}
    assert api.get(f"/needs/{need['id']}").json()["support_count"] == 1


def test_supports_from_different_people_add_up(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    for supporter in (world.citizen, world.partner_employee, world.procurer):
        assert api.post(f"/needs/{need['id']}/supports", supporter).status_code == 201
    assert api.get(f"/needs/{need['id']}").json()["support_count"] == 3


def test_support_can_be_withdrawn_once(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.post(f"/needs/{need['id']}/supports", world.citizen)
    assert api.delete(f"/needs/{need['id']}/supports", world.citizen).status_code == 204
    assert api.get(f"/needs/{need['id']}").json()["support_count"] == 0
    again = api.delete(f"/needs/{need['id']}/supports", world.citizen)
    assert again.status_code == 404
    assert api.post(f"/needs/{need['id']}/supports", world.citizen).status_code == 201


@pytest.mark.parametrize("supporter", ["supplier", "researcher"])
def test_suppliers_and_researchers_cannot_support(api: Api, world: World, supporter: str) -> None:
    need = api.post_need(world.employee, world.public.id)
    response = api.post(f"/needs/{need['id']}/supports", world.member(supporter))
    assert response.status_code == 403
    assert api.get(f"/needs/{need['id']}").json()["support_count"] == 0


def test_anonymous_visitor_cannot_support(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    assert api.post(f"/needs/{need['id']}/supports").status_code == 401


# ---- comments -------------------------------------------------------------------------------


def test_comments_are_threaded(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    first = api.comment(world.supplier, need["id"], "Hvor mange brukere gjelder det?")
    reply = api.comment(world.employee, need["id"], "Rundt 300.", parent_id=first["id"])
    second = api.comment(world.citizen, need["id"], "Min mor er en av dem.")
    thread = api.get(f"/needs/{need['id']}/comments").json()
    assert [(c["id"], c["parent_id"]) for c in thread] == [
        (first["id"], None),
        (reply["id"], first["id"]),
        (second["id"], None),
    ]
    assert api.get(f"/needs/{need['id']}").json()["comment_count"] == 3


def test_reply_to_a_comment_on_another_need_is_refused(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    other = api.post_need(world.employee, world.public.id, title="Et annet behov")
    elsewhere = api.comment(world.citizen, other["id"])
    response = api.post(
        f"/needs/{need['id']}/comments",
        world.citizen,
        json={"body": "Svar", "parent_id": elsewhere["id"]},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "The comment you reply to is not on this need."
    assert api.get(f"/needs/{need['id']}/comments").json() == []


def test_reply_to_a_missing_comment_is_refused(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    response = api.post(
        f"/needs/{need['id']}/comments", world.citizen, json={"body": "Svar", "parent_id": 999}
    )
    assert response.status_code == 422


def test_researchers_observe_and_do_not_comment(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    response = api.post(f"/needs/{need['id']}/comments", world.researcher, json={"body": "Hm"})
    assert response.status_code == 403
    assert api.post(f"/needs/{need['id']}/comments", None, json={"body": "Hm"}).status_code == 401


def test_blank_comment_is_refused(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    response = api.post(f"/needs/{need['id']}/comments", world.citizen, json={"body": "   "})
    assert response.status_code == 422
    assert response.json()["detail"] == "The comment cannot be blank."


# ---- status decisions -----------------------------------------------------------------------


@pytest.mark.parametrize("decider", ["procurer", "partner_procurer", "admin"])
def test_projects_procurers_decide_on_a_need(api: Api, world: World, decider: str) -> None:
    need = api.post_need(world.employee, world.public.id)
    response = api.set_status(world.member(decider), need["id"], status="verified")
    assert response.status_code == 200
    assert response.json()["status"] == "verified"


@pytest.mark.parametrize("decider", ["other_procurer", "employee", "citizen", "supplier"])
def test_others_cannot_decide_on_a_need(api: Api, world: World, decider: str) -> None:
    need = api.post_need(world.employee, world.public.id)
    response = api.set_status(world.member(decider), need["id"], status="verified")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the project's procurers can do this.",
        "code": "forbidden",
    }
    assert api.get(f"/needs/{need['id']}").json()["status"] == "submitted"


def test_anonymous_visitor_cannot_decide_on_a_need(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    assert api.set_status(None, need["id"], status="verified").status_code == 401


@pytest.mark.parametrize("status", ["rejected", "merged"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_merged_and_rejected_need_a_reason(
    api: Api, world: World, status: str, reason: str
) -> None:
    need = api.post_need(world.employee, world.public.id)
    target = api.post_need(world.employee, world.public.id, title="Samlebehov")
    response = api.set_status(
        world.procurer, need["id"], status=status, reason=reason, merged_into_id=target["id"]
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "A reason is required when a need is merged or rejected."
    assert api.get(f"/needs/{need['id']}").json()["status"] == "submitted"


def test_rejected_need_keeps_its_reason_for_the_author(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    response = api.set_status(
        world.procurer, need["id"], status="rejected", reason="  Dekkes av avtalen vi har.  "
    )
    assert response.status_code == 200
    seen = api.get(f"/needs/{need['id']}", world.employee).json()
    assert seen["status"] == "rejected"
    assert seen["status_reason"] == "Dekkes av avtalen vi har."


def test_need_is_merged_into_another_need_of_the_same_project(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    target = api.post_need(world.citizen, world.public.id, title="Samlebehov")
    response = api.set_status(
        world.procurer,
        need["id"],
        status="merged",
        reason="Samme behov",
        merged_into_id=target["id"],
    )
    assert response.status_code == 200
    assert response.json()["merged_into_id"] == target["id"]


@pytest.mark.parametrize("target", ["itself", "other_project", "missing", "none"])
def test_merge_target_must_be_another_need_of_the_same_project(
    api: Api, world: World, target: str
) -> None:
    need = api.post_need(world.employee, world.public.id)
    elsewhere = api.post_need(world.employee, world.internal.id)
    merged_into_id = {
        "itself": need["id"],
        "other_project": elsewhere["id"],
        "missing": 4242,
        "none": None,
    }[target]
    response = api.set_status(
        world.procurer, need["id"], status="merged", reason="Samme", merged_into_id=merged_into_id
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Choose another need in this project to merge into."
    assert api.get(f"/needs/{need['id']}").json()["merged_into_id"] is None


def test_a_later_decision_clears_an_earlier_merge(api: Api, world: World) -> None:
    need = api.post_need(world.employee, world.public.id)
    target = api.post_need(world.employee, world.public.id, title="Samlebehov")
    api.set_status(
        world.procurer, need["id"], status="merged", reason="Samme", merged_into_id=target["id"]
    )
    response = api.set_status(world.procurer, need["id"], status="under_review")
    assert response.json()["merged_into_id"] is None
    assert response.json()["status_reason"] == ""
