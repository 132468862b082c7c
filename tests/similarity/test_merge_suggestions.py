"""Merge suggestions on a need's page: the project's procurers see the needs most like it, each
recorded as shown; merging goes through the procurers' status decision (merged, with its reason
and audit entry) and is recorded as accepted; "not the same need" as dismissed, and the pair is
not suggested again. Nobody else sees any of it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEntry, Need, ParticipationEvent, Suggestion
from app.models.base import NeedStatus
from app.models.suggestion import SuggestionKind, SuggestionOutcome
from tests.conftest import CSRF_RE, World, login
from tests.helpers import Api, without_javascript
from tests.similarity.test_api import HOME_CARE, LIBRARY, SNOW

HTMX = {"HX-Request": "true", "Accept-Language": "nb"}
NB = {"Accept-Language": "nb"}
DUPLICATE = {
    "title": "Tjenester i hjemmet kommer seint",
    "problem": "De eldre venter lenge på hjemmetjenesten om morgenen.",
}


@pytest.fixture
def posted(api: Api, world: World) -> dict[str, int]:
    fields = (("home", HOME_CARE), ("snow", SNOW), ("library", LIBRARY), ("dup", DUPLICATE))
    return {name: api.post_need(world.employee, world.public.id, **f)["id"] for name, f in fields}


def merge_suggestions(session: Session) -> list[Suggestion]:
    session.expire_all()
    query = select(Suggestion).where(Suggestion.kind == SuggestionKind.merge_need)
    return list(session.exec(query.order_by(Suggestion.id)).all())


def open_page(client: TestClient, need_id: int) -> str:
    response = client.get(f"/needs/{need_id}", headers=NB)
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize("procurer", ["procurer", "partner_procurer", "admin"])
def test_a_procurer_sees_the_duplicate_and_it_is_recorded_as_shown(
    client: TestClient, world: World, session: Session, posted: dict[str, int], procurer: str
) -> None:
    """The owner's and the partners' procurers (and a platform admin, who holds their powers)."""
    user = world.member(procurer)
    assert user is not None
    login(client, user)
    page = open_page(client, posted["home"])
    assert "Mulige duplikater" in page
    assert f'href="/needs/{posted["dup"]}"' in page
    assert "Slå sammen" in page and "Ikke samme behov" in page
    assert SNOW["title"] not in page.split("Mulige duplikater")[1].split("</section>")[0]
    [shown] = merge_suggestions(session)
    assert (shown.need_id, shown.shown_on_need_id, shown.user_id) == (
        posted["dup"],
        posted["home"],
        user.id,
    )
    assert shown.outcome == SuggestionOutcome.none and 0.2 <= shown.score <= 1
    open_page(client, posted["home"])  # shown again while unanswered: the same suggestion
    assert [row.id for row in merge_suggestions(session)] == [shown.id]


@pytest.mark.parametrize(
    "reader", [None, "citizen", "supplier", "employee", "partner_employee", "researcher"]
)
def test_nobody_but_the_project_s_procurers_sees_merge_suggestions(
    client: TestClient, world: World, session: Session, posted: dict[str, int], reader: str | None
) -> None:
    user = world.member(reader)
    if user is not None:
        login(client, user)
    page = open_page(client, posted["home"])
    assert "merge-heading" not in page and "Mulige duplikater" not in page
    assert "/merge" not in page
    assert merge_suggestions(session) == []


def test_a_procurer_of_another_municipality_sees_none(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    login(client, world.other_procurer)
    assert "Mulige duplikater" not in open_page(client, posted["home"])
    assert merge_suggestions(session) == []


def test_merging_is_the_status_decision_with_its_audit_entry_and_is_recorded_accepted(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    login(client, world.procurer)
    open_page(client, posted["home"])
    [shown] = merge_suggestions(session)
    reason = "Samme behov som hjemmetjenesten."
    response = client.post(
        f"/suggestions/{shown.id}/merge", data={"reason": reason, "confirm": "yes"}, headers=HTMX
    )
    assert response.status_code == 204, response.text
    assert response.headers["HX-Redirect"] == f"/needs/{posted['home']}"
    session.expire_all()
    merged = session.get(Need, posted["dup"])
    assert merged is not None
    assert (merged.status, merged.merged_into_id, merged.status_reason) == (
        NeedStatus.merged,
        posted["home"],
        reason,
    )
    [accepted] = merge_suggestions(session)
    assert accepted.outcome == SuggestionOutcome.accepted and accepted.decided_at is not None
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.object_type == "need", AuditEntry.object_id == posted["dup"]
        )
    ).one()
    assert audit.action == "need_status_changed" and audit.actor_id == world.procurer.id
    assert audit.after == {"status": "merged", "reason": reason, "merged_into_id": posted["home"]}
    verbs = session.exec(
        select(ParticipationEvent.verb).where(ParticipationEvent.actor_id == world.procurer.id)
    ).all()
    assert "accepted_suggestion" in verbs
    # the kept need shows no suggestion of the merged one any more
    assert (
        f'href="/needs/{posted["dup"]}"'
        not in open_page(client, posted["home"])
        .split("Avgjør behovet")[0]
        .split("Mulige duplikater")[-1]
    )
    again = client.post(
        f"/suggestions/{shown.id}/merge", data={"reason": reason, "confirm": "yes"}, headers=HTMX
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("data", "status"),
    [({"reason": "Samme.", "confirm": ""}, 422), ({"reason": "  ", "confirm": "yes"}, 422)],
)
def test_merging_needs_the_box_ticked_and_a_reason(
    client: TestClient,
    world: World,
    session: Session,
    posted: dict[str, int],
    data: dict[str, str],
    status: int,
) -> None:
    login(client, world.procurer)
    open_page(client, posted["home"])
    [shown] = merge_suggestions(session)
    response = client.post(f"/suggestions/{shown.id}/merge", data=data, headers=HTMX)
    assert response.status_code == status
    session.expire_all()
    assert session.get(Need, posted["dup"]).status == NeedStatus.submitted  # type: ignore[union-attr]
    assert merge_suggestions(session)[0].outcome == SuggestionOutcome.none


def test_not_the_same_need_is_recorded_dismissed_and_not_suggested_again(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    login(client, world.procurer)
    open_page(client, posted["home"])
    [shown] = merge_suggestions(session)
    response = client.post(f"/suggestions/{shown.id}/dismiss", headers=HTMX)
    assert response.status_code == 200
    assert "ikke samme behov" in response.text.lower()
    [dismissed] = merge_suggestions(session)
    assert dismissed.outcome == SuggestionOutcome.dismissed
    assert "Mulige duplikater" not in open_page(client, posted["home"])
    # nor the other way round, for the project's other procurers
    login(client, world.partner_procurer)
    assert "Mulige duplikater" not in open_page(client, posted["dup"])
    assert len(merge_suggestions(session)) == 1


def test_without_javascript_dismissing_goes_back_to_the_need(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    login(client, world.procurer)
    open_page(client, posted["home"])
    [shown] = merge_suggestions(session)
    token = CSRF_RE.search(open_page(client, posted["home"])).group(1)  # type: ignore[union-attr]
    browser = without_javascript(client)
    response = browser.post(
        f"/suggestions/{shown.id}/dismiss", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/needs/{posted['home']}#merge-heading"


def test_someone_else_cannot_answer_a_procurer_s_suggestion(
    client: TestClient, world: World, session: Session, posted: dict[str, int]
) -> None:
    login(client, world.procurer)
    open_page(client, posted["home"])
    [shown] = merge_suggestions(session)
    login(client, world.partner_procurer)
    for action in ("merge", "dismiss"):
        response = client.post(
            f"/suggestions/{shown.id}/{action}",
            data={"reason": "Samme.", "confirm": "yes"},
            headers=HTMX,
        )
        assert response.status_code == 404
    session.expire_all()
    assert session.get(Need, posted["dup"]).status == NeedStatus.submitted  # type: ignore[union-attr]
