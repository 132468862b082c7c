"""My contributions (/me and GET /api/v1/me/contributions): what I put in, where it stands,
what happened since I last looked, and nothing from a project I may no longer see."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Project
from app.models.base import Visibility
from app.services import render_cache
from tests.conftest import World, login
from tests.helpers import EN, Api, counted_queries
from tests.market import ASKED, CONFERENCE, SECRET_BODY, UNANSWERED, Market


def contributions(api: Api, user: Any, **params: Any) -> dict[str, Any]:
    response = api.get("/me/contributions", user, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def by_kind(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [item for item in body["items"] if item["kind"] == kind]


def test_visitors_are_asked_to_log_in(client: TestClient, api: Api) -> None:
    page = client.get("/me", headers=EN, follow_redirects=False)
    assert page.status_code == 401
    assert 'href="/login?next=/me"' in page.text
    assert api.get("/me/contributions").status_code == 401


def test_me_lists_each_kind_with_its_status_and_link(
    client: TestClient, api: Api, world: World
) -> None:
    mine = api.post_need(world.citizen, world.public.id, title="Mitt eget behov")
    other = api.post_need(world.employee, world.public.id, title="Et behov jeg støtter")
    comment = api.comment(world.citizen, other["id"], "Jeg er enig.")
    assert api.post(f"/needs/{other['id']}/supports", world.citizen).status_code == 201
    api.set_status(world.procurer, other["id"], status="verified")

    body = contributions(api, world.citizen)
    assert [i["title"] for i in by_kind(body, "need")] == ["Mitt eget behov"]
    [support] = by_kind(body, "support")
    assert support["status"] == "verified" and support["url"] == f"/needs/{other['id']}"
    [said] = by_kind(body, "comment")
    assert said["url"] == f"/needs/{other['id']}#comment-{comment['id']}"
    assert said["status"] == "visible"

    login(client, world.citizen)
    page = client.get("/me", headers=EN).text
    assert "Mitt eget behov" in page and f'href="/needs/{mine["id"]}"' in page
    assert "Verified" in page and 'href="/me"' in client.get("/", headers=EN).text


def test_what_happened_since_i_last_looked_is_marked_once(
    client: TestClient, api: Api, world: World
) -> None:
    mine = api.post_need(world.citizen, world.public.id, title="Mitt behov")
    my_comment = api.comment(world.citizen, mine["id"], "Min egen kommentar.")
    login(client, world.citizen)
    client.get("/me")  # looked: nothing since

    api.comment(world.employee, mine["id"], "En kommentar på behovet ditt.")
    api.comment(world.procurer, mine["id"], "Et svar til deg.", parent_id=my_comment["id"])
    api.set_status(world.procurer, mine["id"], status="verified", reason="")

    body = contributions(api, world.citizen)
    [need] = by_kind(body, "need")
    [comment] = by_kind(body, "comment")
    assert need["new_count"] == 2  # a comment and a status change
    assert comment["new_count"] == 1  # the reply
    assert body["new_count"] == 3
    page = client.get("/me", headers=EN).text
    assert "2 new since you last looked" in page
    # The API does not move the moment; the page did, so the marks are gone now.
    assert contributions(api, world.citizen)["new_count"] == 0
    assert "new since you last looked" not in client.get("/me", headers=EN).text


def test_a_moderators_decision_on_my_comment_is_news_and_a_hidden_comment_is_not(
    client: TestClient, api: Api, world: World
) -> None:
    mine = api.post_need(world.citizen, world.public.id)
    my_comment = api.comment(world.citizen, mine["id"], "Noe som blir skjult.")
    login(client, world.citizen)
    client.get("/me")
    rude = api.comment(world.employee, mine["id"], "Et frekt svar som skjules.")
    procurer = login(TestClient(client.app), world.procurer)
    for comment in (my_comment, rude):
        hidden = procurer.post(
            f"/comments/{comment['id']}/hide", data={"reason": "Bryter retningslinjene."}
        )
        assert hidden.status_code in (200, 303), hidden.text
    body = contributions(api, world.citizen)
    [comment] = by_kind(body, "comment")
    assert comment["status"] == "hidden" and comment["new_count"] == 1
    assert by_kind(body, "need")[0]["new_count"] == 0  # the hidden reply is no news


def test_my_own_acts_are_not_news_to_me(api: Api, world: World, client: TestClient) -> None:
    mine = api.post_need(world.citizen, world.public.id)
    login(client, world.citizen)
    client.get("/me")
    api.comment(world.citizen, mine["id"], "Jeg kommenterer mitt eget.")
    assert contributions(api, world.citizen)["new_count"] == 0


def test_a_project_hidden_from_me_drops_out_of_my_contributions(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.citizen, world.public.id, title="Behov i et prosjekt som lukkes")
    assert by_kind(contributions(api, world.citizen), "need")
    project = session.get(Project, world.public.id)
    assert project is not None
    project.visibility = Visibility.internal
    session.add(project)
    session.commit()
    render_cache.clear_all()
    body = contributions(api, world.citizen)
    assert body["items"] == []
    assert str(need["id"]) not in str(body)


def test_one_feed_pages_by_cursor_without_duplicates_or_gaps(api: Api, world: World) -> None:
    needs = [api.post_need(world.citizen, world.public.id, title=f"Behov {n}") for n in range(4)]
    for need in needs:
        api.comment(world.citizen, need["id"], "Og en kommentar.")
    seen: list[tuple[str, int]] = []
    cursor = ""
    while True:
        body = contributions(api, world.citizen, limit=3, cursor=cursor)
        seen.extend((i["kind"], i["id"]) for i in body["items"])
        cursor = body["next"] or ""
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 8
    one_kind = contributions(api, world.citizen, kind="need", limit=10)
    assert [i["id"] for i in one_kind["items"]] == [n["id"] for n in reversed(needs)]


def test_garbage_cursor_or_kind_is_invalid_input(api: Api, world: World) -> None:
    for params in ({"cursor": "nonsense"}, {"cursor": "WzEsMiwzXQ"}, {"kind": "poems"}):
        response = api.get("/me/contributions", world.citizen, params=params)
        assert response.status_code == 422, (params, response.text)


def test_queries_for_me_do_not_grow_with_my_contributions(api: Api, world: World) -> None:
    def queries() -> int:
        contributions(api, world.citizen)  # warm the token
        with counted_queries() as statements:
            contributions(api, world.citizen)
        return len(statements)

    first = api.post_need(world.citizen, world.public.id)
    api.comment(world.employee, first["id"], "Hei.")
    few = queries()
    for n in range(8):
        need = api.post_need(world.citizen, world.public.id, title=f"Behov nummer {n}")
        api.comment(world.employee, need["id"], "Hei igjen.")
        api.comment(world.citizen, need["id"], "Takk.")
    assert queries() == few


def test_a_supplier_sees_its_companys_questions_proposals_registrations_and_bookings(
    api: Api, world: World, factory: Any
) -> None:
    market = Market(api, world, factory)
    body = contributions(api, world.supplier)
    kinds = {item["kind"] for item in body["items"]}
    assert kinds == {"question", "proposal", "registration", "booking"}
    questions = {q["id"]: q for q in by_kind(body, "question")}
    assert questions[market.unanswered]["status"] == "asked"
    assert questions[market.unanswered]["title"] == UNANSWERED
    assert questions[market.published]["status"] == "published"
    assert ASKED not in str(body)  # a published question shows in its anonymised wording
    assert SECRET_BODY not in str(body)
    [registration] = by_kind(body, "registration")
    assert registration["title"] == CONFERENCE and registration["status"] == "confirmed"
    [booking] = by_kind(body, "booking")
    assert booking["starts_at"] is not None and booking["url"] == f"/events/{market.meetings}"
    # The other company sees none of supplier A's questions or proposals.
    other = contributions(api, market.users["supplier_b"])
    assert market.unanswered not in {q["id"] for q in by_kind(other, "question")}


def test_a_withdrawn_comment_stands_as_withdrawn_among_my_contributions(
    api: Api, world: World
) -> None:
    need = api.post_need(world.employee, world.public.id)
    comment = api.comment(world.citizen, need["id"], "Det jeg trekker tilbake.")
    assert api.delete(f"/comments/{comment['id']}", world.citizen).status_code == 204
    [said] = by_kind(contributions(api, world.citizen), "comment")
    assert said["status"] == "withdrawn" and said["status_label"] == "Withdrawn"
