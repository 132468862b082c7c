"""`GET /api/v1/projects/{id}/needs/similar`: the needs like a text, best first, at or above
the threshold, only those the caller may read, and 404/422 like every other project route."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.models import Need
from app.services import moderation, permissions
from app.services.similar_needs import DEFAULT_THRESHOLD
from tests.conftest import World
from tests.helpers import Api

HOME_CARE = {
    "title": "Hjemmetjenesten kommer for sent",
    "problem": "Eldre venter ofte en time på hjemmetjenesten om morgenen.",
}
SNOW = {
    "title": "Brøyting av fortau",
    "problem": "Fortauene blir brøytet for sent, og eldre går på glatta om vinteren.",
}
LIBRARY = {
    "title": "Lengre åpningstid på biblioteket",
    "problem": "Biblioteket stenger klokka 16, før folk kommer fra jobb.",
}
QUERY = "Tjenester i hjemmet kommer seint"


def similar(api: Api, user: Any, project_id: int, **params: Any) -> Any:
    return api.get(f"/projects/{project_id}/needs/similar", user, params=params)


@pytest.fixture
def posted(api: Api, world: World) -> dict[str, int]:
    return {
        name: api.post_need(world.employee, world.public.id, **fields)["id"]
        for name, fields in (("home", HOME_CARE), ("snow", SNOW), ("library", LIBRARY))
    }


@pytest.mark.parametrize("reader", [None, "citizen", "supplier", "employee", "procurer"])
def test_the_similar_need_comes_first_with_its_title_and_score(
    api: Api, world: World, posted: dict[str, int], reader: str | None
) -> None:
    response = similar(api, world.member(reader), world.public.id, text=QUERY)
    assert response.status_code == 200
    found = response.json()
    assert [row["need_id"] for row in found] == [posted["home"]]
    assert found[0]["title"] == HOME_CARE["title"]
    assert DEFAULT_THRESHOLD <= found[0]["score"] <= 1


def test_min_score_overrides_the_threshold_and_the_order_is_best_first(
    api: Api, world: World, posted: dict[str, int]
) -> None:
    everything = similar(api, world.citizen, world.public.id, text=QUERY, min_score=0).json()
    scores = [row["score"] for row in everything]
    assert scores == sorted(scores, reverse=True)
    assert everything[0]["need_id"] == posted["home"]
    assert len(everything) > 1  # the others share a word or a 4-gram, below the threshold
    assert similar(api, world.citizen, world.public.id, text=QUERY, min_score=1).json() == []


def test_unrelated_text_finds_nothing(api: Api, world: World, posted: dict[str, int]) -> None:
    text = "Gratis kollektivtransport for ungdom"
    assert similar(api, world.citizen, world.public.id, text=text).json() == []


def test_a_hidden_need_is_suggested_to_moderators_only(
    api: Api, world: World, session: Session, posted: dict[str, int]
) -> None:
    assert similar(api, world.citizen, world.public.id, text=QUERY).json() != []
    need = session.get(Need, posted["home"])
    assert need is not None
    rel = permissions.relation(session, world.procurer, world.public)
    moderation.hide(session, rel=rel, content=need, reason="Personopplysninger")
    session.commit()
    # the index is rebuilt: the hiding moved the project's content version
    assert similar(api, world.citizen, world.public.id, text=QUERY).json() == []
    assert similar(api, world.employee, world.public.id, text=QUERY).json() == []
    for_moderator = similar(api, world.procurer, world.public.id, text=QUERY).json()
    assert [row["need_id"] for row in for_moderator] == [posted["home"]]


def test_a_held_need_is_suggested_to_moderators_only(
    api: Api, world: World, session: Session
) -> None:
    need_id = api.post_need(world.employee, world.public.id, **HOME_CARE)["id"]
    need = session.get(Need, need_id)
    assert need is not None
    need.held = True  # as a new account's first need is (before anyone asked for similar ones)
    session.add(need)
    session.commit()
    assert similar(api, world.citizen, world.public.id, text=QUERY).json() == []
    assert [
        row["need_id"] for row in similar(api, world.procurer, world.public.id, text=QUERY).json()
    ] == [need_id]


@pytest.mark.parametrize("outsider", [None, "citizen", "other_employee", "supplier"])
def test_an_internal_project_answers_outsiders_as_a_missing_one(
    api: Api, world: World, outsider: str | None
) -> None:
    api.post_need(world.employee, world.internal.id, **HOME_CARE)
    user = world.member(outsider)
    behind = similar(api, user, world.internal.id, text=QUERY)
    missing = similar(api, user, 999_999, text=QUERY)
    assert (behind.status_code, behind.json()) == (missing.status_code, missing.json())
    assert behind.status_code == 404
    member = similar(api, world.partner_employee, world.internal.id, text=QUERY)
    assert len(member.json()) == 1


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"text": "ab"},
        {"text": "x" * 2001},
        {"text": QUERY, "min_score": 1.5},
        {"text": QUERY, "min_score": -0.1},
        {"text": QUERY, "min_score": "høy"},
    ],
)
def test_bad_input_is_a_422(api: Api, world: World, params: dict[str, Any]) -> None:
    response = similar(api, world.citizen, world.public.id, **params)
    assert response.status_code == 422


def test_new_and_edited_needs_are_found_at_once(
    api: Api, world: World, posted: dict[str, int]
) -> None:
    from app.services.similar_needs import indexes

    assert similar(api, world.citizen, world.public.id, text="Lekeplassen er ødelagt").json() == []
    builds = indexes.builds
    added = api.post_need(
        world.employee,
        world.public.id,
        title="Ødelagt lekeplass",
        problem="Lekeplassen ved skolen er ødelagt.",
    )
    found = similar(api, world.citizen, world.public.id, text="Lekeplassen er ødelagt").json()
    assert [row["need_id"] for row in found] == [added["id"]]
    assert indexes.builds == builds  # added to the index, not rebuilt
    edited = api.request(
        "PATCH",
        f"/needs/{posted['library']}",
        world.employee,
        json={"title": "Svømmehallen er for kald", "problem": "Vannet i svømmehallen er kaldt."},
    )
    assert edited.status_code == 200, edited.text
    text = "Kaldt vann i svømmehallen"
    found = similar(api, world.citizen, world.public.id, text=text).json()
    assert [(row["need_id"], row["title"]) for row in found] == [
        (posted["library"], "Svømmehallen er for kald")
    ]
    assert similar(api, world.citizen, world.public.id, text=LIBRARY["title"]).json() == []
