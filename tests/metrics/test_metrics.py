"""Participation metrics: exact figures from a known set of contributions, and who sees what."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import ParticipationEvent, ParticipationRollupMark, Question
from app.models.base import OrganisationKind, Phase, Role
from app.services import metrics
from tests.conftest import Factory, World, run_async
from tests.helpers import Api
from tests.metrics.helpers import figure, open_market_dialogue, rows

MONDAY = datetime(2026, 3, 2, 10, 0)  # ISO week 2026-W10


@pytest.fixture
def dialogue(api: Api, world: World, session: Session) -> dict[str, int]:
    """An employee's and a citizen's need, a cross-municipality thread, a verified need, and a
    supplier question answered 30 hours later; every event on Monday of week 10 at 10:00,
    except the verification six hours later."""
    project = world.public.id
    staff_need = api.post_need(world.employee, project)
    citizen_need = api.post_need(world.citizen, project)
    comment = api.comment(world.partner_employee, staff_need["id"])
    api.comment(world.employee, staff_need["id"], parent_id=comment["id"])
    api.comment(world.citizen, staff_need["id"])
    response = api.set_status(world.procurer, staff_need["id"], status="verified")
    assert response.status_code == 200, response.text
    api.advance(world.procurer, project, Phase.market_dialogue)
    assert api.post(f"/projects/{project}/suppliers", world.supplier).status_code == 201
    asked = api.post(
        f"/projects/{project}/questions", world.supplier, json={"body": "Hvor mange beboere?"}
    )
    assert asked.status_code == 201, asked.text
    published = api.post(
        f"/questions/{asked.json()['id']}/publish",
        world.procurer,
        json={"public_question": "Hvor mange beboere?", "answer": "Omtrent 40."},
    )
    assert published.status_code == 200, published.text
    session.execute(update(ParticipationEvent).values(occurred_at=MONDAY))
    session.execute(
        update(ParticipationEvent)
        .where(col(ParticipationEvent.verb) == "verified_need")
        .values(occurred_at=MONDAY + timedelta(hours=6))
    )
    session.execute(
        update(Question).values(asked_at=MONDAY, published_at=MONDAY + timedelta(hours=30))
    )
    session.commit()
    return {"project": project, "staff_need": staff_need["id"], "citizen_need": citizen_need["id"]}


def test_participation_counts_people_and_contributions(
    api: Api, world: World, dialogue: dict[str, int]
) -> None:
    body = api.get(f"/projects/{dialogue['project']}/metrics", world.researcher).json()
    assert body["view"] == "full"
    assert rows(body, "participation_by_role") == [
        {"role": "employee", "participants": 2, "contributions": 3},
        {"role": "procurer", "participants": 1, "contributions": 3},
        {"role": "citizen", "participants": 1, "contributions": 2},
        {"role": "supplier", "participants": 1, "contributions": 2},
    ]
    assert rows(body, "participation_by_organisation_kind") == [
        {"organisation_kind": "municipality", "participants": 3, "contributions": 6},
        {"organisation_kind": "none", "participants": 1, "contributions": 2},
        {"organisation_kind": "supplier", "participants": 1, "contributions": 2},
    ]
    by_org = {r["organisation"]: r for r in rows(body, "participation_by_organisation")}
    assert by_org["Eierkommune"]["participants"] == 2  # the employee and the procurer
    assert by_org["Eierkommune"]["contributions"] == 5
    assert by_org["Partnerkommune"]["contributions"] == 1
    assert "Leverandør AS" not in by_org  # a supplier company only for the procurers
    for_procurer = api.get(f"/projects/{dialogue['project']}/metrics", world.procurer).json()
    by_org = {r["organisation"]: r for r in rows(for_procurer, "participation_by_organisation")}
    assert by_org["Leverandør AS"]["contributions"] == 2
    assert rows(body, "participation_by_phase") == [
        {"phase": "needs", "participants": 4, "contributions": 7},
        {"phase": "market_dialogue", "participants": 2, "contributions": 3},
    ]
    assert rows(body, "participation_by_week") == [
        {"week": "2026-W10", "participants": 5, "contributions": 10}
    ]
    fig = figure(body, "participation_by_role")
    assert fig["research_question"] == 2 and fig["method"].startswith("Distinct actors")


def test_interaction_shows_who_answers_whom_and_what_crosses_organisations(
    api: Api, world: World, dialogue: dict[str, int]
) -> None:
    body = api.get(f"/projects/{dialogue['project']}/metrics", world.procurer).json()
    exchanges = {
        (r["actor"], r["addressee"]): r["exchanges"] for r in rows(body, "interaction_by_role")
    }
    assert exchanges == {
        ("citizen", "employee"): 1,
        ("employee", "employee"): 2,  # the partner's comment and the owner's reply
        ("procurer", "employee"): 1,
        ("procurer", "supplier"): 1,
        ("supplier", "procurer"): 1,
    }
    kinds = {
        (r["actor"], r["addressee"]): r["exchanges"]
        for r in rows(body, "interaction_by_organisation_kind")
    }
    assert kinds == {
        ("none", "municipality"): 1,
        ("municipality", "municipality"): 3,
        ("municipality", "supplier"): 1,
        ("supplier", "municipality"): 1,
    }
    crossing = {r["exchange"]: r["exchanges"] for r in rows(body, "exchanges_across_organisations")}
    assert crossing == {
        "between_municipalities": 2,
        "with_suppliers": 2,
        "with_citizens": 1,
        "across_organisations": 4,
        "all": 6,
    }


def test_influence_and_dialogue_quality(api: Api, world: World, dialogue: dict[str, int]) -> None:
    body = api.get(f"/projects/{dialogue['project']}/metrics", world.admin).json()
    assert rows(body, "needs_verified_by_author_role") == [
        {"author_role": "citizen", "needs": 1, "verified": 0, "share_verified": 0.0},
        {"author_role": "employee", "needs": 1, "verified": 1, "share_verified": 1.0},
    ]
    assert rows(body, "first_response_hours") == [
        {"author_role": "citizen", "needs": 1, "responded": 0, "median_hours": None},
        {"author_role": "employee", "needs": 1, "responded": 1, "median_hours": 6.0},
    ]
    assert rows(body, "comment_threads") == [
        {
            "comments": 3,
            "replies": 1,
            "replies_per_comment": 0.3333,
            "share_replied": 0.3333,
            "max_depth": 2,
            "mean_depth": 1.5,
        }
    ]
    assert rows(body, "question_answer_hours") == [
        {"asked": 1, "published": 1, "median_hours": 30.0}
    ]
    [profile] = rows(body, "ambition_profile")
    assert profile["innovation_ambition"] == world.public.innovation_ambition
    assert profile["participants"] == 5 and profile["contributions"] == 10
    assert profile["share_employees_citizens"] == 0.5
    assert profile["organisations"] == 3


def test_citizen_gets_the_aggregate_view_without_small_cells(
    api: Api, world: World, dialogue: dict[str, int]
) -> None:
    response = api.get(f"/projects/{dialogue['project']}/metrics", world.citizen)
    assert response.status_code == 200
    body = response.json()
    assert body["view"] == "aggregate"
    # Every group here has fewer than 5 people: the counts are withheld, the groups named.
    assert rows(body, "participation_by_role")[0] == {
        "role": "employee",
        "participants": None,
        "contributions": None,
    }
    assert figure(body, "participation_by_role")["suppressed"] == 4
    assert rows(body, "participation_by_week") == [
        {"week": "2026-W10", "participants": 5, "contributions": 10}
    ]
    organisations = rows(body, "participation_by_organisation")
    assert {r["organisation_kind"] for r in organisations} == {"municipality"}
    assert "asked" not in rows(body, "question_answer_hours")[0]
    assert "Leverandør AS" not in response.text
    assert api.get(f"/projects/{dialogue['project']}/metrics").json()["view"] == "aggregate"


def test_outsiders_and_staff_without_the_right_are_refused_internal_metrics(
    api: Api, world: World
) -> None:
    url = f"/projects/{world.internal.id}/metrics"
    assert api.get(url, world.other_employee).status_code == 404
    assert api.get(url, world.citizen).status_code == 404
    assert api.get(url).status_code == 404
    refused = api.get(url, world.employee)
    assert refused.status_code == 403
    assert "procurers and researchers" in refused.json()["detail"]
    assert api.get(url, world.partner_procurer).json()["view"] == "full"
    assert api.get("/projects/999999999/metrics", world.admin).status_code == 404


def test_unpublished_proposals_are_never_counted_for_researchers(
    api: Api, world: World, factory: Factory
) -> None:
    project = world.public.id
    submit_proposal = open_market_dialogue(api, world)
    submit_proposal()

    def supplier_row(reader: Any) -> dict[str, Any] | None:
        body = api.get(f"/projects/{project}/metrics", reader).json()
        return next(
            (r for r in rows(body, "participation_by_role") if r["role"] == "supplier"), None
        )

    researcher = supplier_row(world.researcher)
    assert researcher == {"role": "supplier", "participants": 1, "contributions": 1}  # registered
    procurer = supplier_row(world.procurer)
    assert procurer is not None and procurer["contributions"] > 1  # the proposal and its claim


def test_metrics_across_projects_lists_what_the_caller_may_see(
    api: Api, world: World, dialogue: dict[str, int], factory: Factory
) -> None:
    body = api.get("/metrics", world.procurer).json()
    assert [p["project_id"] for p in body["projects"]] == [world.public.id, world.internal.id]
    assert {p["view"] for p in body["projects"]} == {"full"}
    totals = {f["key"]: f for f in body["totals"]}
    assert sum(r["contributions"] for r in totals["participation_by_role"]["rows"]) == 10
    assert len(totals["ambition_profile"]["rows"]) == 2

    outsider = api.get("/metrics", world.other_employee).json()
    assert [p["project_id"] for p in outsider["projects"]] == [world.public.id]
    assert outsider["projects"][0]["view"] == "aggregate"
    staff = api.get("/metrics", world.employee).json()
    assert [p["project_id"] for p in staff["projects"]] == [world.public.id]


def test_dashboard_page_has_tables_and_a_chart_with_a_text_alternative(
    client: Any, world: World, dialogue: dict[str, int]
) -> None:
    from tests.conftest import login

    login(client, world.researcher)
    page = client.get(f"/projects/{dialogue['project']}/metrics", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert '<th scope="col">Participants</th>' in page.text
    assert '<desc id="week-chart-desc">week 10, 2026: 10</desc>' in page.text
    assert "<script" not in page.text.split("<main", 1)[-1].split("</main>")[0]


def test_metrics_are_documented_in_openapi(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/projects/{project_id}/metrics" in paths
    assert "/api/v1/metrics" in paths


def test_project_page_links_to_the_metrics(client: Any, world: World) -> None:
    page = client.get(f"/projects/{world.public.id}", headers={"Accept-Language": "nb"})
    assert f'href="/projects/{world.public.id}/metrics">Nøkkeltall<' in page.text  # its tab


def test_dashboard_names_groups_in_the_reader_s_language(
    client: Any, world: World, dialogue: dict[str, int]
) -> None:
    from tests.conftest import login

    login(client, world.procurer)
    page = client.get(f"/projects/{dialogue['project']}/metrics", headers={"Accept-Language": "nb"})
    assert "<caption>Deltakelse etter rolle</caption>" in page.text
    assert '<th scope="row">Innbygger</th>' in page.text
    assert '<th scope="row">Behov</th>' in page.text  # the phase


def test_rolled_up_and_new_events_are_each_counted_once(
    api: Api, world: World, dialogue: dict[str, int], session: Session
) -> None:
    url = f"/projects/{dialogue['project']}/metrics"
    before = api.get(url, world.researcher).json()  # nothing rolled up yet: all counted live
    assert metrics.refresh_rollups() == 1  # the keeper's round: the settled events
    assert session.get(ParticipationRollupMark, dialogue["project"]) is not None
    first = api.get(url, world.researcher).json()
    assert first["figures"] == before["figures"]
    api.comment(world.other_employee, dialogue["citizen_need"])  # new: counted live
    again = api.get(url, world.procurer).json()
    assert sum(r["contributions"] for r in rows(first, "participation_by_role")) == 10
    assert sum(r["contributions"] for r in rows(again, "participation_by_role")) == 11
    crossing = {
        r["exchange"]: r["exchanges"] for r in rows(again, "exchanges_across_organisations")
    }
    assert crossing["with_citizens"] == 2 and crossing["all"] == 7


def test_the_keeper_rolls_up_settled_events_in_the_background(
    dialogue: dict[str, int], session: Session
) -> None:
    async def one_round() -> None:
        keeper = asyncio.create_task(metrics.keep_rollups(0.01))
        await asyncio.sleep(0.5)
        keeper.cancel()

    run_async(one_round())
    mark = session.get(ParticipationRollupMark, dialogue["project"])
    assert mark is not None and mark.last_event_id > 0
    assert metrics.refresh_rollups() == 0  # nothing settled is left to count


def test_unpublished_questions_and_bookings_move_no_figure_but_the_procurers(
    api: Api, world: World, factory: Factory, session: Session
) -> None:
    """Another supplier (or anyone but the procurers) must not see a figure move the moment a
    company asks or books; a question counts once published, dated at its publication."""
    project = world.public.id
    open_market_dialogue(api, world)
    rival = factory.user(Role.supplier, factory.org(OrganisationKind.supplier, name="Rival AS"))
    watchers = [world.researcher, world.citizen, rival, world.other_procurer]

    def seen() -> list[dict[str, Any]]:
        return [api.get(f"/projects/{project}/metrics", w).json() for w in watchers]

    before, procurer_before = seen(), api.get(f"/projects/{project}/metrics", world.procurer)
    asked = api.post(f"/projects/{project}/questions", world.supplier, json={"body": "Hvor mange?"})
    assert asked.status_code == 201, asked.text
    assert seen() == before
    start = datetime.now(UTC) + timedelta(days=7)
    meetings = api.post(
        f"/projects/{project}/events",
        world.procurer,
        json={
            "kind": "one_to_one",
            "title": "En-til-en",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "slot_minutes": 30,
        },
    )
    slots = api.post(f"/events/{meetings.json()['id']}/slots", world.procurer).json()
    planned = seen()  # planning an event is public; the ask and the booking come next
    assert planned != before  # (the plan is counted, so the check below means something)
    assert api.post(f"/slots/{slots[0]['id']}/booking", world.supplier).status_code == 201
    assert seen() == planned
    assert api.get(f"/projects/{project}/metrics", world.procurer).json() != procurer_before.json()

    published = api.post(
        f"/questions/{asked.json()['id']}/publish",
        world.procurer,
        json={"public_question": "Hvor mange beboere?", "answer": "Omtrent 40."},
    )
    assert published.status_code == 200, published.text
    body = api.get(f"/projects/{project}/metrics", world.researcher).json()
    [supplier] = [r for r in rows(body, "participation_by_role") if r["role"] == "supplier"]
    assert supplier["contributions"] == 2  # registered, and now the published question

    # Asked two weeks before its publication: the procurers count it then, others at publication.
    session.execute(
        update(ParticipationEvent)
        .where(col(ParticipationEvent.verb) == "asked")
        .values(occurred_at=datetime.now(UTC) - timedelta(days=14))
    )
    session.commit()

    def weeks(reader: Any) -> list[str]:
        body = api.get(f"/projects/{project}/metrics", reader).json()
        return [r["week"] for r in rows(body, "participation_by_week")]

    assert len(weeks(world.procurer)) == 2
    assert weeks(world.researcher) == weeks(world.procurer)[1:]


def test_the_keepers_round_reads_each_projects_own_watermark(
    api: Api, world: World, dialogue: dict[str, int], session: Session
) -> None:
    """With marks for several projects, each project is compared with its own watermark (the
    query once compared every project with all marks at once, which PostgreSQL refused)."""
    api.post_need(world.employee, world.internal.id)
    for event in session.exec(select(ParticipationEvent)).all():  # all settled
        event.occurred_at = event.occurred_at - timedelta(minutes=5)
        session.add(event)
    session.commit()
    assert metrics.refresh_rollups() == 2  # both projects: two marks from now on
    assert metrics.refresh_rollups() == 0
    api.post_need(world.employee, world.internal.id)
    newest = session.exec(
        select(ParticipationEvent).order_by(col(ParticipationEvent.id).desc())
    ).first()
    assert newest is not None
    newest.occurred_at = newest.occurred_at - timedelta(minutes=5)
    session.add(newest)
    session.commit()
    assert metrics.refresh_rollups() == 1  # only the project with a settled event past its mark
