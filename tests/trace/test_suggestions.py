"""Trace suggestions: the needs and published proposal summaries closest to a requirement are
offered to its writer on its page, and every one shown, accepted or dismissed is recorded."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import ParticipationEvent, Suggestion, TraceLink
from tests.conftest import World, login
from tests.helpers import Api
from tests.trace.conftest import Scene, finalise

EN = {"Accept-Language": "en"}


def _shown(session: Session) -> list[Suggestion]:
    session.expire_all()
    query = select(Suggestion).where(col(Suggestion.kind).in_(["trace_need", "trace_proposal"]))
    return list(session.exec(query.order_by(col(Suggestion.id))).all())


def test_viewing_a_requirement_records_the_suggestions_shown_to_its_writer(
    client: TestClient, world: World, scene: Scene, session: Session
) -> None:
    login(client, world.procurer)
    page = client.get(f"/requirements/{scene.requirement}", headers=EN).text
    assert "Suggested trace links" in page
    shown = _shown(session)
    kinds = {(row.kind, row.need_id, row.proposal_id) for row in shown}
    assert ("trace_need", scene.need, None) in kinds
    assert ("trace_proposal", None, scene.shown_proposal) in kinds
    # Never a proposal whose summary is not published, even to a procurer.
    assert all(row.proposal_id != scene.hidden_proposal for row in shown)
    assert all(row.requirement_id == scene.requirement for row in shown)
    assert all(0 < row.score <= 1 and row.outcome == "none" for row in shown)
    assert all(row.user_id == world.procurer.id for row in shown)
    # Shown again, the same rows (with the latest score), not new ones.
    client.get(f"/requirements/{scene.requirement}")
    assert [row.id for row in _shown(session)] == [row.id for row in shown]


def test_one_click_accepts_a_suggestion_as_a_link_with_the_default_rationale(
    client: TestClient, world: World, scene: Scene, session: Session
) -> None:
    login(client, world.procurer)
    client.get(f"/requirements/{scene.requirement}")
    (need_suggestion,) = [row for row in _shown(session) if row.kind == "trace_need"]
    accepted = client.post(
        f"/requirements/{scene.requirement}/suggestions/{need_suggestion.id}/accept",
        data={},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    stored = session.exec(select(TraceLink)).one()
    assert (stored.source_type, stored.source_id, stored.relation) == (
        "need",
        scene.need,
        "derived_from",
    )
    assert "Nattilsyn uten å vekke" in stored.rationale
    (answered,) = [row for row in _shown(session) if row.id == need_suggestion.id]
    assert answered.outcome == "accepted" and answered.decided_at is not None
    verbs = session.exec(select(ParticipationEvent.verb)).all()
    assert "accepted_suggestion" in verbs and "linked_requirement" in verbs
    # The linked need is not suggested again.
    client.get(f"/requirements/{scene.requirement}")
    open_needs = [r for r in _shown(session) if r.kind == "trace_need" and r.outcome == "none"]
    assert open_needs == []


def test_an_edited_rationale_is_kept(
    client: TestClient, world: World, scene: Scene, session: Session
) -> None:
    login(client, world.procurer)
    client.get(f"/requirements/{scene.requirement}")
    (proposal,) = [row for row in _shown(session) if row.kind == "trace_proposal"]
    url = f"/requirements/{scene.requirement}/suggestions/{proposal.id}/accept"
    assert client.post(url, data={"rationale": "Egen begrunnelse."}).status_code == 200
    stored = session.exec(select(TraceLink)).one()
    assert (stored.relation, stored.rationale) == ("motivated_by", "Egen begrunnelse.")


def test_a_dismissed_suggestion_is_recorded_and_not_offered_again(
    client: TestClient, world: World, scene: Scene, session: Session
) -> None:
    login(client, world.procurer)
    client.get(f"/requirements/{scene.requirement}")
    before = _shown(session)
    target = before[0]
    url = f"/requirements/{scene.requirement}/suggestions/{target.id}/dismiss"
    assert client.post(url, follow_redirects=False).status_code == 303
    client.get(f"/requirements/{scene.requirement}")
    after = _shown(session)
    assert len(after) == len(before)
    (dismissed,) = [row for row in after if row.id == target.id]
    assert dismissed.outcome == "dismissed"
    assert session.exec(select(TraceLink)).all() == []
    again = client.post(url, follow_redirects=False)
    assert again.status_code == 409


def test_nobody_else_answers_a_writers_suggestion(
    client: TestClient, api: Api, world: World, scene: Scene, session: Session
) -> None:
    login(client, world.procurer)
    client.get(f"/requirements/{scene.requirement}")
    target = _shown(session)[0]
    login(client, world.partner_procurer)
    url = f"/requirements/{scene.requirement}/suggestions/{target.id}/accept"
    assert client.post(url, follow_redirects=False).status_code == 404


def test_readers_who_do_not_write_get_no_suggestions(
    client: TestClient, api: Api, world: World, scene: Scene, session: Session
) -> None:
    finalise(api, world.procurer, scene)
    login(client, world.citizen)
    page = client.get(f"/requirements/{scene.requirement}", headers=EN)
    assert page.status_code == 200
    assert "Suggested trace links" not in page.text
    assert _shown(session) == []
