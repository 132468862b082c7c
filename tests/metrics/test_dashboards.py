"""Dashboards: a municipality's figures over its projects, the heatmap, suppression that cannot
be undone by subtraction, and the project dashboard following contributions live."""

from __future__ import annotations

import asyncio
import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from app.models.base import OrganisationKind, Role
from app.models.project import ProjectCreate
from app.services import projects
from app.services.live import LiveEvent, LiveHub, PageKind, Topic, Viewer
from app.services.metrics import Figure
from app.views.metrics import HEAT_SHADES, HeatCell, heatmap
from tests.conftest import Factory, World, login, run_async
from tests.helpers import ORIGIN, Api, push
from tests.metrics.helpers import open_market_dialogue, rows


def test_a_municipality_counts_each_person_once_over_its_projects(api: Api, world: World) -> None:
    """The same employee in the public and the internal project is one participant."""
    api.post_need(world.employee, world.public.id)
    api.post_need(world.employee, world.internal.id)
    api.post_need(world.partner_employee, world.public.id)

    body = api.get(f"/organisations/{world.owner.id}/metrics", world.procurer).json()
    assert body["view"] == "full"
    assert body["name"] == "Eierkommune"
    assert [p["project_id"] for p in body["projects"]] == [world.public.id, world.internal.id]
    assert rows(body, "participation_by_role") == [
        {"role": "employee", "participants": 2, "contributions": 3}
    ]
    ambition = {r["project_id"]: r["contributions"] for r in rows(body, "ambition_profile")}
    assert ambition == {world.public.id: 2, world.internal.id: 1}

    # A partner municipality's dashboard covers the projects it takes part in.
    partner = api.get(f"/organisations/{world.partner.id}/metrics", world.partner_procurer)
    assert [p["project_id"] for p in partner.json()["projects"]] == [
        world.public.id,
        world.internal.id,
    ]


def test_a_visitor_gets_the_public_projects_only_and_in_aggregate(api: Api, world: World) -> None:
    api.post_need(world.employee, world.internal.id)
    body = api.get(f"/organisations/{world.owner.id}/metrics").json()
    assert body["view"] == "aggregate"
    assert [p["project_id"] for p in body["projects"]] == [world.public.id]
    assert rows(body, "participation_by_role") == []  # the internal need is not counted
    # Another municipality's procurer reads no log here: the aggregate view, public projects.
    other = api.get(f"/organisations/{world.owner.id}/metrics", world.other_procurer).json()
    assert other["view"] == "aggregate"


def test_only_municipalities_and_counties_have_a_dashboard(api: Api, world: World) -> None:
    refused = api.get(f"/organisations/{world.supplier_org.id}/metrics", world.admin)
    assert refused.status_code == 404
    assert "municipality or county" in refused.json()["detail"]
    assert api.get("/organisations/999999/metrics", world.admin).status_code == 404
    page = api.client.get(f"/organisations/{world.supplier_org.id}/metrics")
    assert page.status_code == 404


def _citizens_and_one_employee(api: Api, world: World, factory: Factory, project: int) -> None:
    for _ in range(5):
        api.post_need(factory.user(Role.citizen), project)
    api.post_need(world.employee, project)


def test_a_lone_small_cell_takes_the_next_smallest_with_it(
    api: Api, world: World, factory: Factory
) -> None:
    """Five citizens and one employee: showing the citizens' row would give away the
    employee's by subtraction from the total in another figure."""
    _citizens_and_one_employee(api, world, factory, world.public.id)
    body = api.get(f"/projects/{world.public.id}/metrics", world.citizen).json()
    by_role = next(f for f in body["figures"] if f["key"] == "participation_by_role")
    assert by_role["rows"] == [
        {"role": "citizen", "participants": None, "contributions": None},
        {"role": "employee", "participants": None, "contributions": None},
    ]
    assert by_role["suppressed"] == 2
    # The full view is untouched.
    full = api.get(f"/projects/{world.public.id}/metrics", world.procurer).json()
    assert rows(full, "participation_by_role")[0] == {
        "role": "citizen",
        "participants": 5,
        "contributions": 5,
    }


def test_totals_and_a_municipality_hide_what_any_project_hides(
    api: Api, world: World, factory: Factory, session: Session
) -> None:
    """Project A hides its one employee; B shows five. The total of employees minus B's would
    be A's, so the total is hidden too (and the citizens' total with it)."""
    other = projects.create_project(
        session,
        user=world.procurer,
        data=ProjectCreate(
            title="Andre prosjekt",
            summary="Mer.",
            service_area="Helse",
            innovation_ambition="Nytt.",
        ),
    )
    session.commit()
    _citizens_and_one_employee(api, world, factory, world.public.id)
    for _ in range(5):
        api.post_need(factory.user(Role.employee, world.owner), other.id or 0)
    body = api.get("/metrics", world.citizen).json()
    by_project = {p["project_id"]: p for p in body["projects"]}
    assert rows(by_project[other.id], "participation_by_role") == [
        {"role": "employee", "participants": 5, "contributions": 5}
    ]
    totals = next(f for f in body["totals"] if f["key"] == "participation_by_role")
    hidden = [
        {"role": "employee", "participants": None, "contributions": None},
        {"role": "citizen", "participants": None, "contributions": None},
    ]
    assert totals["rows"] == hidden
    assert totals["suppressed"] == 2
    # The municipality's dashboard adds the same two projects up: it hides the same.
    municipality = api.get(f"/organisations/{world.owner.id}/metrics", world.citizen).json()
    assert rows(municipality, "participation_by_role") == hidden


def test_heatmap_shades_by_share_of_the_busiest_cell_and_keeps_blanks_blank() -> None:
    figure = Figure(
        key="interaction_by_role",
        label="Who responds to whom, by role",
        research_question=2,
        method="m",
        columns=["actor", "addressee", "exchanges", "participants"],
        rows=[
            {"actor": "employee", "addressee": "citizen", "exchanges": 8, "participants": 6},
            {"actor": "citizen", "addressee": "employee", "exchanges": 1, "participants": 5},
            {"actor": "procurer", "addressee": "employee", "exchanges": None, "participants": None},
        ],
    )
    grid = heatmap(figure)
    assert grid.actors == ["citizen", "employee", "procurer"]
    assert grid.addressees == ["citizen", "employee"]
    cells = {
        (a, b): grid.cells[i][j]
        for i, a in enumerate(grid.actors)
        for j, b in enumerate(grid.addressees)
    }
    assert cells["employee", "citizen"].text == "8"
    assert cells["employee", "citizen"].shade == HEAT_SHADES - 1  # the busiest: darkest
    assert cells["citizen", "employee"].shade == 1  # any exchange shows
    assert cells["citizen", "citizen"] == HeatCell("0", 0)
    assert cells["procurer", "employee"] == HeatCell("–", 0)  # suppressed stays unreadable


def test_the_dashboard_page_has_a_heatmap_and_the_influence_chart(
    api: Api, world: World, client: TestClient
) -> None:
    need = api.post_need(world.citizen, world.public.id)
    api.comment(world.employee, need["id"])
    assert api.set_status(world.procurer, need["id"], status="verified").status_code == 200
    login(client, world.procurer)
    client.cookies.set("lang", "en")
    page = client.get(f"/projects/{world.public.id}/metrics")
    assert page.status_code == 200
    assert 'class="heat"' in page.text
    assert '<th scope="row">Employee</th><td class="heat-4" data-label="Citizen">1</td>' in (
        page.text
    )
    assert "Citizen: 100 %" in page.text  # the influence chart's text alternative
    assert f'ws-connect="/ws/projects/{world.public.id}/metrics?lang=en"' in page.text
    assert f'href="/organisations/{world.owner.id}/metrics"' in page.text
    org = client.get(f"/organisations/{world.owner.id}/metrics")
    assert org.status_code == 200
    assert "Offentlig prosjekt" in org.text and 'class="heat"' in org.text


def test_the_project_dashboard_follows_contributions_live(
    client: TestClient, world: World, api: Api
) -> None:
    login(client, world.procurer)
    client.cookies.set("lang", "en")
    url = f"/ws/projects/{world.public.id}/metrics"
    with client.websocket_connect(url, headers=ORIGIN) as ws:
        first = ws.receive_text()
        assert 'id="metrics-body" hx-swap-oob="true" data-live' in first
        assert '<th scope="row">Employee</th>' not in first
        api.post_need(world.employee, world.public.id)
        pushed = push(ws, 'id="metrics-body"', timeout=10)
    assert (
        '<th scope="row">Employee</th><td data-label="Participants">1</td>'
        '<td data-label="Contributions">1</td>'
    ) in pushed
    assert 'id="metrics-updated" role="status" hx-swap-oob="innerHTML"' in pushed


def test_the_public_dashboard_socket_sends_the_aggregate_view(
    client: TestClient, world: World, api: Api
) -> None:
    client.cookies.set("lang", "en")
    with client.websocket_connect(f"/ws/projects/{world.public.id}/metrics", headers=ORIGIN) as ws:
        ws.receive_text()
        api.post_need(world.employee, world.public.id)
        pushed = push(ws, 'id="metrics-body"', timeout=10)
    assert (
        '<th scope="row">Employee</th><td data-label="Participants">–</td>'
        '<td data-label="Contributions">–</td>'
    ) in pushed
    assert "The public view" not in pushed  # the lead stays on the page; figures only


def test_internal_metrics_socket_is_refused_to_staff_without_the_right(
    client: TestClient, world: World
) -> None:
    login(client, world.employee)
    url = f"/ws/projects/{world.internal.id}/metrics"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(url, headers=ORIGIN),
    ):
        pass
    assert refused.value.code == 1008


def _watch_dashboard(render_for: dict[int, str]) -> tuple[list[str], list[str]]:
    """One viewer of a dashboard topic, three events at once, then two more later; what the hub
    rendered and what the viewer got (the render gives `render_for[event id]`)."""

    async def scenario() -> tuple[list[str], list[str]]:
        hub = LiveHub(coalesce={PageKind.metrics: 0.05})
        rendered: list[str] = []

        def render(event: LiveEvent, topic: Topic, audience: object) -> str:
            rendered.append(f"{topic}#{event.object_id}")
            return render_for[event.object_id]

        hub.render = render
        sent: list[str] = []

        async def send(message: str) -> None:
            sent.append(message)

        async def close(code: int) -> None:
            return None

        viewer = Viewer(send=send, close=close, topic=Topic(PageKind.metrics, 7), audience="a")
        closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        serving = asyncio.create_task(hub.serve(viewer, "first", until=closed))
        await asyncio.sleep(0)
        for n in (1, 2, 3):
            await hub.deliver(LiveEvent(kind="need.created", object_id=n, project_id=7))
        await asyncio.sleep(0.2)
        for n in (4, 5):
            await hub.deliver(LiveEvent(kind="need.created", object_id=n, project_id=7))
            await asyncio.sleep(0.2)
        closed.set_result(None)
        await serving
        return rendered, sent

    return run_async(scenario())


def test_a_burst_of_events_renders_the_dashboard_once() -> None:
    rendered, sent = _watch_dashboard({3: "after 3", 4: "after 4", 5: "after 5"})
    assert rendered == ["metrics:7#3", "metrics:7#4", "metrics:7#5"]  # the burst: once, latest
    assert sent == ["first", "after 3", "after 4", "after 5"]


def test_figures_that_did_not_change_are_not_sent_again() -> None:
    """An event the viewer may not see leaves its figures as they were: no message at all."""
    rendered, sent = _watch_dashboard({3: "first", 4: "changed", 5: "changed"})
    assert len(rendered) == 3
    assert sent == ["first", "changed"]


def test_organisation_kinds_without_dashboards(factory: Factory, api: Api) -> None:
    county = factory.org(OrganisationKind.county, name="Fylket")
    body = api.get(f"/organisations/{county.id}/metrics").json()
    assert body == {
        "organisation_id": county.id,
        "name": "Fylket",
        "view": "full",
        "projects": [],
        "as_of": None,
        "figures": [],
    }


def test_an_unpublished_proposal_sends_the_public_dashboard_nothing(
    client: TestClient, world: World, api: Api
) -> None:
    """Not even the moment of a message may tell a visitor that a proposal came in."""
    project = world.public.id
    submit_proposal = open_market_dialogue(api, world)
    client.cookies.set("lang", "en")
    with client.websocket_connect(f"/ws/projects/{project}/metrics", headers=ORIGIN) as ws:
        ws.receive_text()
        submit_proposal()
        time.sleep(1.5)  # past the dashboard's gathering of a burst
        api.post_need(world.citizen, project)
        pushed = push(ws, "", timeout=20)  # the very next message (a loaded machine is slow)
    assert '<th scope="row">Citizen</th>' in pushed


@pytest.mark.parametrize("reader", ["visitor", "researcher", "rival"])
def test_an_unpublished_question_sends_no_dashboard_anything_but_the_procurers(
    client: TestClient, world: World, api: Api, factory: Factory, reader: str
) -> None:
    """Another supplier watching the figures must not learn from a push that a company asked."""
    project = world.public.id
    open_market_dialogue(api, world)
    watchers = {
        "visitor": None,
        "researcher": world.researcher,
        "rival": factory.user(Role.supplier, factory.org(OrganisationKind.supplier, name="R AS")),
    }
    if watchers[reader] is not None:
        login(client, watchers[reader])
    client.cookies.set("lang", "en")
    with client.websocket_connect(f"/ws/projects/{project}/metrics", headers=ORIGIN) as ws:
        ws.receive_text()
        asked = api.post(
            f"/projects/{project}/questions", world.supplier, json={"body": "Hvor mange?"}
        )
        assert asked.status_code == 201, asked.text
        time.sleep(1.5)  # past the dashboard's gathering of a burst
        api.post_need(world.citizen, project)
        pushed = push(ws, "", timeout=20)  # the very next message (a loaded machine is slow)
    assert '<th scope="row">Citizen</th>' in pushed


def test_after_a_change_a_municipality_dashboard_answers_at_once_and_catches_up(
    api: Api, world: World
) -> None:
    """Figures over several projects take seconds on a large platform: the first reader after
    a contribution gets the figures before it at once, and the new ones once computed."""
    api.post_need(world.employee, world.public.id)
    url = f"/organisations/{world.owner.id}/metrics"

    def needs_counted() -> int:
        body = api.get(url, world.procurer).json()
        return sum(r["contributions"] for r in rows(body, "participation_by_role"))

    assert needs_counted() == 1
    api.post_need(world.employee, world.public.id)
    assert needs_counted() in (1, 2)  # at once: as before, or already caught up
    deadline = time.monotonic() + 10
    while needs_counted() != 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert needs_counted() == 2
