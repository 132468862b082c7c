"""Idempotent retries: an API write sent again with the same Idempotency-Key (same user, same
route, same body) gets its first answer back and writes nothing a second time."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Comment, IdempotentRequest, Need
from tests.conftest import World
from tests.helpers import NEED, Api, count_rows

KEY = {"Idempotency-Key": "3f6c1b9e-7d2a-4e51-9a0f-2b8c4d6e8f10"}


def test_a_retried_write_returns_the_first_answer_and_writes_once(
    api: Api, world: World, session: Session
) -> None:
    url = f"/projects/{world.public.id}/needs"
    first = api.post(url, world.employee, json=NEED, headers=KEY)
    retry = api.post(url, world.employee, json=NEED, headers=KEY)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count_rows(session, Need) == 1


def test_the_same_key_with_another_body_is_refused(
    api: Api, world: World, session: Session
) -> None:
    url = f"/projects/{world.public.id}/needs"
    assert api.post(url, world.employee, json=NEED, headers=KEY).status_code == 201
    other = api.post(url, world.employee, json={**NEED, "title": "Noe annet"}, headers=KEY)
    assert other.status_code == 409
    assert other.json()["code"] == "conflict"
    assert count_rows(session, Need) == 1


def test_without_a_key_each_request_writes(api: Api, world: World, session: Session) -> None:
    need = api.post_need(world.employee, world.public.id)  # type: ignore[arg-type]
    for _ in range(2):
        api.post(f"/needs/{need['id']}/comments", world.citizen, json={"body": "Enig."})
    assert count_rows(session, Comment) == 2


def test_keys_belong_to_one_user_and_one_route(api: Api, world: World, session: Session) -> None:
    need = api.post_need(world.employee, world.public.id)  # type: ignore[arg-type]
    body = {"body": "Enig."}
    for user in (world.citizen, world.employee):
        response = api.post(f"/needs/{need['id']}/comments", user, json=body, headers=KEY)
        assert response.status_code == 201
    assert (
        api.post(
            f"/projects/{world.public.id}/needs", world.citizen, json=NEED, headers=KEY
        ).status_code
        == 201
    )
    assert count_rows(session, Comment) == 2
    assert count_rows(session, IdempotentRequest) == 3


def test_a_refused_write_keeps_nothing_and_the_key_stays_usable(
    api: Api, world: World, session: Session
) -> None:
    url = f"/projects/{world.public.id}/needs"
    refused = api.post(url, world.supplier, json=NEED, headers=KEY)  # suppliers post no needs
    assert refused.status_code == 403
    assert count_rows(session, IdempotentRequest) == 0
    invalid = api.post(url, world.employee, json={**NEED, "title": ""}, headers=KEY)
    assert invalid.status_code == 422
    assert api.post(url, world.employee, json=NEED, headers=KEY).status_code == 201
    assert count_rows(session, IdempotentRequest) == 1


def test_a_retried_delete_answers_as_the_first_did(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.public.id)  # type: ignore[arg-type]
    assert api.post(f"/needs/{need['id']}/supports", world.citizen).status_code == 201
    url = f"/needs/{need['id']}/supports"
    first = api.delete(url, world.citizen, headers=KEY)
    retry = api.delete(url, world.citizen, headers=KEY)
    assert first.status_code == retry.status_code == 204  # not a 404 for the missing support
    assert retry.headers["idempotent-replayed"] == "true"


def test_an_unusable_key_is_refused(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/needs",
        world.employee,
        json=NEED,
        headers={"Idempotency-Key": "x" * 201},
    )
    assert response.status_code == 422
