"""The similar needs under the new-need form: the fragment and its live region, and every
suggestion recorded as shown, then accepted (supported from the list) or dismissed."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import ParticipationEvent, Suggestion, Support
from app.models.suggestion import SuggestionKind, SuggestionOutcome
from tests.conftest import CSRF_RE, World, login
from tests.helpers import Api, without_javascript
from tests.similarity.test_api import HOME_CARE, LIBRARY, SNOW

HTMX = {"HX-Request": "true", "Accept-Language": "nb"}
TYPED = {"title": "Tjenester i hjemmet kommer seint", "problem": "De eldre venter lenge."}


@pytest.fixture
def posted(api: Api, world: World) -> dict[str, int]:
    return {
        name: api.post_need(world.employee, world.public.id, **fields)["id"]
        for name, fields in (("home", HOME_CARE), ("snow", SNOW), ("library", LIBRARY))
    }


def fragment(client: TestClient, project_id: int, **typed: str):
    return client.get(f"/projects/{project_id}/needs/similar", params=typed, headers=HTMX)


def suggestions(session: Session) -> list[Suggestion]:
    session.expire_all()
    return list(session.exec(select(Suggestion).order_by(Suggestion.id)).all())


def shown_to_the_citizen(client: TestClient, world: World, session: Session) -> Suggestion:
    """The citizen, logged in, types a need like the home-care one: its one suggestion."""
    login(client, world.citizen)
    fragment(client, world.public.id, **TYPED)
    [shown] = suggestions(session)
    return shown


def test_the_form_asks_for_similar_needs_while_typing(
    client: TestClient, world: World, posted: dict[str, int]
) -> None:
    login(client, world.citizen)
    page = client.get(f"/projects/{world.public.id}").text
    region = re.search(r'<div id="similar-needs"[^>]*>', page)
    assert region is not None
    assert 'aria-live="polite"' in region.group(0)
    assert f'hx-get="/projects/{world.public.id}/needs/similar"' in region.group(0)
    assert "keyup changed delay:500ms from:#need-title" in region.group(0)
    assert 'hx-swap="innerHTML"' in region.group(0)  # not the form's outerHTML, inherited
    assert 'hx-include="#need-title, #need-problem"' in region.group(0)


def test_the_fragment_shows_the_similar_need_and_records_it_shown(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    login(client, world.citizen)
    response = fragment(client, world.public.id, **TYPED)
    assert response.status_code == 200
    assert "1 lignende behov" in response.text
    assert f'href="/needs/{posted["home"]}"' in response.text
    assert HOME_CARE["title"] in response.text
    assert "Støtt dette i stedet" in response.text and "Ikke det samme" in response.text
    assert SNOW["title"] not in response.text
    [shown] = suggestions(session)
    assert (shown.kind, shown.need_id, shown.user_id) == (
        SuggestionKind.similar_need,
        posted["home"],
        world.citizen.id,
    )
    assert shown.outcome == SuggestionOutcome.none and 0.2 <= shown.score <= 1
    assert shown.project_id == world.public.id
    # showing is not an act of the person: no participation event
    events = session.exec(select(ParticipationEvent.verb)).all()
    assert "accepted_suggestion" not in events and "dismissed_suggestion" not in events


def test_nothing_similar_shows_nothing_and_records_nothing(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    login(client, world.citizen)
    for typed in ({"title": "Gratis buss for ungdom"}, {"title": "ab"}, {}):
        response = fragment(client, world.public.id, **typed)
        assert response.status_code == 200
        assert "lignende" not in response.text
    assert suggestions(session) == []


def test_a_visitor_is_shown_suggestions_recorded_without_a_person(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    response = fragment(client, world.public.id, **TYPED)
    assert HOME_CARE["title"] in response.text
    assert "Ikke det samme" not in response.text and "Støtt dette i stedet" not in response.text
    [shown] = suggestions(session)
    assert shown.user_id is None


def test_an_internal_project_s_fragment_is_a_404_for_outsiders(
    client: TestClient, api: Api, world: World
) -> None:
    api.post_need(world.employee, world.internal.id, **HOME_CARE)
    login(client, world.citizen)
    assert fragment(client, world.internal.id, **TYPED).status_code == 404


def test_supporting_from_the_list_accepts_the_suggestion(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    shown = shown_to_the_citizen(client, world, session)
    response = client.post(
        f"/needs/{posted['home']}/support",
        data={"suggestion_id": shown.id, **TYPED},
        headers=HTMX,
    )
    assert response.status_code == 200, response.text
    assert "Du støtter nå dette behovet." in response.text
    [accepted] = suggestions(session)
    assert accepted.outcome == SuggestionOutcome.accepted and accepted.decided_at is not None
    support = session.exec(select(Support).where(Support.user_id == world.citizen.id)).one()
    assert support.need_id == posted["home"]
    verbs = session.exec(
        select(ParticipationEvent.verb).where(ParticipationEvent.actor_id == world.citizen.id)
    ).all()
    assert sorted(verbs) == ["accepted_suggestion", "supported"]  # in one transaction


def test_without_javascript_supporting_from_the_list_goes_to_the_need(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    shown = shown_to_the_citizen(client, world, session)
    browser = without_javascript(client)
    page = browser.get(f"/projects/{world.public.id}").text
    token = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    response = browser.post(
        f"/needs/{posted['home']}/support",
        data={"suggestion_id": shown.id, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/needs/{posted['home']}"
    assert suggestions(session)[0].outcome == SuggestionOutcome.accepted


def test_dismissing_records_it_and_the_item_leaves_the_list(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    shown = shown_to_the_citizen(client, world, session)
    response = client.post(f"/suggestions/{shown.id}/dismiss", headers=HTMX)
    assert response.status_code == 200
    assert "Forslaget er avvist." in response.text
    assert suggestions(session)[0].outcome == SuggestionOutcome.dismissed
    again = client.post(f"/suggestions/{shown.id}/dismiss", headers=HTMX)
    assert again.status_code == 409
    verbs = session.exec(
        select(ParticipationEvent.verb).where(ParticipationEvent.actor_id == world.citizen.id)
    ).all()
    assert list(verbs) == ["dismissed_suggestion"]


@pytest.mark.parametrize("other", ["employee", None])
def test_another_person_s_suggestion_cannot_be_answered(
    client: TestClient,
    other_client: TestClient,
    world: World,
    session: Session,
    posted: dict[str, int],
    other: str | None,
) -> None:
    shown = shown_to_the_citizen(client, world, session)
    user = world.member(other)
    if user is not None:
        login(other_client, user)
    else:
        page = other_client.get("/login")
        other_client.headers["X-CSRF-Token"] = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    refused = other_client.post(f"/suggestions/{shown.id}/dismiss", headers=HTMX)
    assert refused.status_code == 404
    support = other_client.post(
        f"/needs/{posted['home']}/support", data={"suggestion_id": shown.id}, headers=HTMX
    )
    assert support.status_code == (404 if user else 401)
    # nothing half-written: no support went with the refused acceptance
    assert session.exec(select(Support)).all() == []
    assert suggestions(session)[0].outcome == SuggestionOutcome.none


def test_a_suggestion_for_another_need_is_refused(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    shown = shown_to_the_citizen(client, world, session)
    response = client.post(
        f"/needs/{posted['snow']}/support", data={"suggestion_id": shown.id}, headers=HTMX
    )
    assert response.status_code == 422, response.text
    assert session.exec(select(Support).where(Support.user_id == world.citizen.id)).all() == []


def test_the_answers_show_in_the_participation_log_and_leave_my_contributions_alone(
    client: TestClient, api: Api, world: World, session: Session, posted: dict[str, int]
) -> None:
    shown = shown_to_the_citizen(client, world, session)
    client.post(f"/suggestions/{shown.id}/dismiss", headers=HTMX)
    log = api.get(f"/projects/{world.public.id}/participation-events", world.procurer)
    assert log.status_code == 200
    assert [e["verb"] for e in log.json() if e["object_type"] == "suggestion"] == [
        "dismissed_suggestion"
    ]
    assert client.get("/me").status_code == 200
    mine = api.get("/me/contributions", world.citizen)
    assert mine.status_code == 200
    assert "suggestion" not in mine.text


def test_typing_on_shows_the_same_open_suggestion_not_a_new_one(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    first = shown_to_the_citizen(client, world, session)
    fragment(client, world.public.id, title=TYPED["title"], problem="De eldre venter en time.")
    assert [s.id for s in suggestions(session)] == [first.id]
    client.post(f"/suggestions/{first.id}/dismiss", headers=HTMX)
    fragment(client, world.public.id, **TYPED)
    after = suggestions(session)
    assert [s.outcome for s in after] == [SuggestionOutcome.dismissed, SuggestionOutcome.none]
