"""The ledger's figures on the dashboards (research question 2) and the suggestion metrics
(research question 3), on known data, with the dashboards' small-cell rules."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import Need, Suggestion, User
from app.models.base import NeedStatus, Role, id_of, utcnow
from tests.conftest import Factory, World
from tests.helpers import Api
from tests.influence.conftest import Scene, need
from tests.metrics.helpers import figure, rows


def test_the_ledger_joins_the_project_dashboard_with_its_totals(api: Api, scene: Scene) -> None:
    body = api.get(f"/projects/{scene.project_id}/metrics", scene.world.procurer).json()
    totals = {r["measure"]: r["count"] for r in rows(body, "influence_ledger")}
    assert totals == {
        "final_requirements": 6,
        "with_verified_need": 1,  # R1
        "without_verified_need": 5,
        "single_supplier": 3,  # R3, R4, R5
        "verified_needs": 3,
        "verified_needs_reached": 2,  # N1, N2
    }
    assert figure(body, "influence_by_group")["research_question"] == 2
    by_group = rows(body, "influence_by_group")
    assert by_group[-1] == {
        "author_role": "supplier",
        "organisation_kind": "supplier",
        "inputs": 3,
        "reached": 3,
        "requirements": 4,
    }


def test_the_public_dashboard_counts_no_confidential_link_and_suppresses_small_groups(
    api: Api, scene: Scene
) -> None:
    body = api.get(f"/projects/{scene.project_id}/metrics", scene.world.citizen).json()
    assert body["view"] == "aggregate"
    totals = {r["measure"]: r["count"] for r in rows(body, "influence_ledger")}
    assert totals["single_supplier"] == 2  # R4 rests on a confidential link alone
    assert all(r["inputs"] is None for r in rows(body, "influence_by_group"))
    # Researchers read the participation (full view) but never a confidential link.
    research = api.get(f"/projects/{scene.project_id}/metrics", scene.world.researcher).json()
    assert rows(research, "influence_by_group")[-1]["inputs"] == 2


def _suggest(session: Session, project_id: int, need: Need, user: User | None, **fields: Any):
    row = Suggestion(
        project_id=project_id, need_id=id_of(need), score=0.8, user_id=user and user.id, **fields
    )
    session.add(row)
    return row


def _suggestions(session: Session, world: World, factory: Factory, *, trace: bool = True) -> None:
    """Seven similar-need suggestions to six people (and a visitor): four accepted, one
    dismissed; a trace suggestion of another kind, accepted; two needs merged after posting."""
    pid = id_of(world.public)
    target = need(session, world.employee, pid, "Varsling ved fall")
    people = [factory.user(Role.citizen) for _ in range(6)]
    outcomes = ["accepted"] * 4 + ["dismissed", "none"]
    for person, outcome in zip(people, outcomes, strict=True):
        decided = utcnow() if outcome != "none" else None
        _suggest(session, pid, target, person, kind="similar_need", outcome=outcome,
                 decided_at=decided)  # fmt: skip
    _suggest(session, pid, target, None, kind="similar_need")
    if trace:
        _suggest(session, pid, target, world.procurer, kind="trace_need", outcome="accepted")
    for n in range(2):
        need(session, people[n], pid, f"Dobbelt {n}", NeedStatus.merged, merged_into_id=target.id)
    session.commit()


def test_suggestions_by_kind_and_duplicate_posting_for_the_procurer(
    api: Api, world: World, session: Session, factory: Factory
) -> None:
    _suggestions(session, world, factory)
    body = api.get(f"/projects/{world.public.id}/metrics", world.procurer).json()
    assert figure(body, "suggestions_by_kind")["research_question"] == 3
    assert rows(body, "suggestions_by_kind") == [
        {"kind": "similar_need", "shown": 7, "accepted": 4, "dismissed": 1,
         "share_accepted": 0.5714},
        {"kind": "trace_need", "shown": 1, "accepted": 1, "dismissed": 0, "share_accepted": 1.0},
    ]  # fmt: skip
    assert rows(body, "duplicate_posting") == [
        {"measure": "needs_posted", "count": 3, "per_100_needs": 100.0},
        {"measure": "merged_after_posting", "count": 2, "per_100_needs": 66.67},
        {"measure": "supported_after_suggestion", "count": 4, "per_100_needs": 133.33},
    ]


def test_suggestion_metrics_are_suppressed_under_five_people_for_outsiders(
    api: Api, world: World, session: Session, factory: Factory
) -> None:
    _suggestions(session, world, factory)
    body = api.get(f"/projects/{world.public.id}/metrics", world.citizen).json()
    suggestions = figure(body, "suggestions_by_kind")
    # One person saw the trace suggestion: its row is blanked, and the similar-need row (six
    # people) with it, or the one could be worked out from a total shown elsewhere.
    assert [r["shown"] for r in suggestions["rows"]] == [None, None]
    assert suggestions["suppressed"] == 2
    # Every duplicate-posting row counts fewer than 5 people but the supports (4 people).
    assert all(r["count"] is None for r in rows(body, "duplicate_posting"))


def test_a_kind_shown_to_five_people_or_more_is_shown_to_outsiders(
    api: Api, world: World, session: Session, factory: Factory
) -> None:
    _suggestions(session, world, factory, trace=False)
    body = api.get(f"/projects/{world.public.id}/metrics", world.citizen).json()
    assert rows(body, "suggestions_by_kind") == [
        {"kind": "similar_need", "shown": 7, "accepted": 4, "dismissed": 1,
         "share_accepted": 0.5714},
    ]  # fmt: skip


def test_the_overview_totals_the_suggestions_across_projects(
    api: Api, world: World, session: Session, factory: Factory
) -> None:
    _suggestions(session, world, factory)
    body = api.get("/metrics", world.procurer).json()
    totals = {f["key"]: f["rows"] for f in body["totals"]}
    assert totals["suggestions_by_kind"][0]["shown"] == 7
    page = api.client.get(f"/projects/{world.public.id}/metrics")
    assert "Lignende behov mens man skriver" in page.text
    assert "Dobbeltposting" in page.text
