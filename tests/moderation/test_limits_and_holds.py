"""Posting limits per account (429 with the wait), and a project that holds first contributions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import get_settings
from app.models import Comment
from app.models.base import history_clock, utcnow
from app.models.need import CommentCreate
from app.services import needs, permissions
from tests.conftest import World, login
from tests.helpers import Api
from tests.moderation.conftest import Thread, acts, decide


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two posts a minute and three an hour (the suite runs with no practical limit)."""
    monkeypatch.setattr(get_settings(), "post_limit_per_minute", 2)
    monkeypatch.setattr(get_settings(), "post_limit_per_hour", 3)


def test_the_api_refuses_a_third_post_in_a_minute_with_the_wait(
    api: Api, world: World, thread: Thread, limits: None
) -> None:
    # The thread's fixture posted one comment as the citizen: one more is allowed.
    assert api.post(f"/needs/{thread.need}/comments", world.citizen, json={"body": "To"}).is_success
    refused = api.post(f"/needs/{thread.need}/comments", world.citizen, json={"body": "Tre"})
    assert refused.status_code == 429
    assert "posting faster than this site allows" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Needs count with comments, per account: someone else may still post.
    assert (
        api.post(
            f"/projects/{world.public.id}/needs",
            world.citizen,
            json={"title": "Enda et behov", "problem": "Dette er et behov som teller med."},
        ).status_code
        == 429
    )
    assert api.post(
        f"/needs/{thread.need}/comments", world.supplier, json={"body": "Ja"}
    ).is_success


def test_the_hourly_limit_holds_after_the_minute_has_passed(
    api: Api, world: World, thread: Thread, limits: None, session: Session
) -> None:
    rel, need = needs.find_need(session, user=world.supplier, need_id=thread.need)
    now = utcnow()
    with history_clock() as set_now:
        for minutes_ago in (50, 40, 30):
            set_now(now - timedelta(minutes=minutes_ago))
            needs.add_comment(session, rel=rel, need=need, data=CommentCreate(body="Tidligere"))
    session.commit()
    refused = api.post(f"/needs/{thread.need}/comments", world.supplier, json={"body": "Nå"})
    assert refused.status_code == 429
    assert 600 <= int(refused.headers["Retry-After"]) <= 601  # the oldest leaves the hour in 10 min


def test_the_page_says_it_in_bokmal_in_the_forms_error_box(
    client: TestClient, world: World, thread: Thread, limits: None
) -> None:
    login(client, world.citizen)
    for body in ("To", "Tre"):
        response = client.post(
            f"/needs/{thread.need}/comments",
            data={"body": body},
            headers={"HX-Request": "true", "HX-Trigger": "comment-form"},
        )
    assert response.status_code == 429
    assert "Du legger inn raskere enn nettstedet tillater" in response.text
    assert response.headers["HX-Retarget"] == "#comment-form-errors"
    assert "Retry-After" in response.headers


@pytest.fixture
def holding(client: TestClient, world: World) -> None:
    """The project's procurer turns holding on from the project page."""
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}")
    assert 'id="hold-first"' in page.text
    saved = client.post(
        f"/projects/{world.public.id}/moderation",
        data={"hold_first": "true"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)


def test_only_procurers_set_the_hold(client: TestClient, world: World) -> None:
    login(client, world.employee)
    assert 'id="hold-first"' not in client.get(f"/projects/{world.public.id}").text
    refused = client.post(f"/projects/{world.public.id}/moderation", data={"hold_first": "true"})
    assert refused.status_code == 403


def test_a_first_comment_is_held_until_a_moderator_approves_it(
    client: TestClient, api: Api, world: World, session: Session, holding: None
) -> None:
    need = api.post_need(world.employee, world.public.id)["id"]  # the employee's first: held
    assert api.needs(world.citizen, world.public.id) == []
    [held_need] = api.get(f"/projects/{world.public.id}/reports", world.procurer).json()
    assert decide(api, world.procurer, held_need["id"], "restore").status_code == 200
    assert [n["id"] for n in api.needs(world.citizen, world.public.id)] == [need]

    first = api.comment(world.supplier, need, "Vårt første innspill.")
    assert first["held"] is True and first["body"] == "Vårt første innspill."
    assert all(
        c["id"] != first["id"] for c in api.get(f"/needs/{need}/comments", world.citizen).json()
    )
    login(client, world.supplier)
    own = client.get(f"/needs/{need}").text
    assert "Vårt første innspill." in own and "Venter på godkjenning" in own
    login(client, world.citizen)
    assert "Vårt første innspill." not in client.get(f"/needs/{need}").text

    # Until one of theirs is approved, the next waits too.
    also = api.comment(world.supplier, need, "Og mens vi venter.")
    assert also["held"] is True
    waiting, also_waiting = api.get(f"/projects/{world.public.id}/reports", world.procurer).json()
    assert waiting["kind"] == "hold" and waiting["object_id"] == first["id"]
    assert also_waiting["object_id"] == also["id"]
    assert decide(api, world.procurer, waiting["id"], "dismiss").status_code == 422
    assert decide(api, world.procurer, waiting["id"], "restore").status_code == 200
    listed = api.get(f"/needs/{need}/comments", world.citizen).json()
    assert [c["body"] for c in listed] == ["Vårt første innspill."]  # the other still waits
    assert acts(session, world.public.id)[-1] == ("restored_content", "comment", world.supplier.id)

    second = api.comment(world.supplier, need, "Og et til.")  # one of theirs shows now
    assert second["held"] is False
    session.expire_all()
    assert session.get(Comment, second["id"]).held is False  # type: ignore[union-attr]


def test_procurers_own_contributions_are_never_held(api: Api, world: World, holding: None) -> None:
    need = api.post_need(world.procurer, world.public.id)
    assert need["held"] is False
    assert api.get(f"/projects/{world.public.id}/reports", world.procurer).json() == []


def test_a_held_need_is_missing_for_everyone_but_its_author_and_the_moderators(
    api: Api, world: World, holding: None, session: Session
) -> None:
    need = api.post_need(world.citizen, world.public.id)["id"]
    assert api.get(f"/needs/{need}", world.citizen).json()["held"] is True
    assert api.get(f"/needs/{need}", world.procurer).status_code == 200
    for reader in (world.supplier, world.employee, None):
        assert api.get(f"/needs/{need}", reader).status_code == 404
    rel = permissions.viewable_project(session, world.supplier, world.public.id)
    assert need not in {v.need.id for v in needs.list_needs(session, rel=rel)}
