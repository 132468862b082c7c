"""The project's tab row: the same on every project page, only sections the viewer may open,
counts of only what the viewer may see, and a bounded number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Phase
from app.services import permissions
from app.services.project_tabs import Section, tabs_for
from tests.conftest import World, login
from tests.helpers import EN, Api, counted_queries

NAV = re.compile(r'<nav class="tabs".*?</nav>', re.S)
TAB = re.compile(
    r'<a href="([^"]+)"( aria-current="page")?>([^<]+?)(?: <span class="count">(\d+)</span>)?</a>'
)
SUB_PAGES = {
    "": Section.needs,
    "/proposals": Section.proposals,
    "/questions": Section.questions,
    "/events": Section.events,
    "/documents": Section.documents,
    "/specification": Section.specification,
    "/metrics": Section.figures,
    "/influence": None,
    "/audit-log": None,
    "/reports": None,
}


def tabs_of(page: str) -> list[tuple[str, bool, str, str]]:
    """(address, current, label, count or "") of each tab on the page."""
    nav = NAV.search(page)
    assert nav, "the page has no tab row"
    return [
        (href, bool(cur), label.strip(), count)
        for href, cur, label, count in TAB.findall(nav.group(0))
    ]


def market_dialogue(api: Api, world: World) -> dict[str, Any]:
    """The public project in its market dialogue with a need and supplier A's unpublished
    proposal."""
    project_id = world.public.id
    need = api.post_need(world.employee, project_id)
    api.advance(world.procurer, project_id, Phase.market_dialogue)
    assert api.post(f"/projects/{project_id}/suppliers", world.supplier).status_code == 201
    proposal = api.post(
        f"/projects/{project_id}/proposals",
        world.supplier,
        json={
            "need_ids": [need["id"]],
            "title": "Radar i taket",
            "summary": "Radar i taket varsler nattevakten når en beboer står opp.",
            "body": "Sensorpakken bruker radar og koster lite per leilighet og måned.",
        },
    )
    assert proposal.status_code == 201, proposal.text
    return proposal.json()


def test_every_project_page_shows_the_same_tabs_with_the_current_one_marked(
    client: TestClient, world: World
) -> None:
    login(client, world.procurer)
    rows = {}
    for path, section in SUB_PAGES.items():
        response = client.get(f"/projects/{world.public.id}{path}", headers=EN)
        assert response.status_code == 200, path
        tabs = tabs_of(response.text)
        current = [href for href, cur, _label, _count in tabs if cur]
        expected = [] if section is None else [f"/projects/{world.public.id}{path}"]
        assert current == expected, path
        rows[path] = [(href, label, count) for href, _cur, label, count in tabs]
    first = rows[""]
    assert all(row == first for row in rows.values())
    assert [label for _href, label, _count in first] == [
        "Needs",
        "Proposals",
        "Questions and answers",
        "Events",
        "Documents",
        "Specification",
        "Figures",
    ]
    assert first[-1][2] == ""  # figures carry no count


@pytest.mark.parametrize(
    "who", ["anonymous", "citizen", "employee", "supplier", "researcher", "other_procurer"]
)
@pytest.mark.parametrize("project", ["public", "internal"])
def test_every_tab_opens_for_whoever_sees_it(
    client: TestClient, world: World, who: str, project: str
) -> None:
    if who != "anonymous":
        login(client, getattr(world, who))
    project_id = getattr(world, project).id
    page = client.get(f"/projects/{project_id}", headers=EN)
    if page.status_code != 200:
        pytest.skip(f"{who} does not see the {project} project")
    for href, _cur, label, _count in tabs_of(page.text):
        assert client.get(href, headers=EN).status_code == 200, (who, label)


def test_the_specification_tab_is_left_out_until_the_viewer_may_open_it(
    client: TestClient, world: World
) -> None:
    login(client, world.citizen)
    labels = [
        label
        for _h, _c, label, _n in tabs_of(
            client.get(f"/projects/{world.public.id}", headers=EN).text
        )
    ]
    assert "Specification" not in labels and "Figures" in labels
    assert client.get(f"/projects/{world.public.id}/specification").status_code == 404


def test_counts_are_what_each_viewer_may_see(client: TestClient, api: Api, world: World) -> None:
    market_dialogue(api, world)

    def counts(user: Any) -> dict[str, str]:
        if user is not None:
            login(client, user)
        page = client.get(f"/projects/{world.public.id}", headers=EN).text
        return {label: count for _h, _c, label, count in tabs_of(page)}

    procurer = counts(world.procurer)
    assert (procurer["Needs"], procurer["Proposals"]) == ("1", "1")
    assert counts(world.supplier)["Proposals"] == "1"  # its own company's, unpublished
    client.cookies.clear()
    assert counts(None)["Proposals"] == "0"  # not published: not even a number leaks


def test_the_tabs_take_a_bounded_number_of_queries(
    session: Session, api: Api, world: World
) -> None:
    market_dialogue(api, world)
    rel = permissions.relation(session, world.procurer, world.public)
    with counted_queries() as statements:
        tabs = tabs_for(session, rel=rel, current=Section.needs)
    assert len(tabs) == len(Section)
    assert len(statements) <= 10, statements


def test_sub_pages_lead_back_to_the_project_in_one_wording(
    client: TestClient, world: World
) -> None:
    login(client, world.procurer)
    project = world.public
    back = (
        f'<p class="back-link"><a href="/projects/{project.id}">'
        f'<span aria-hidden="true">←</span> Back to {project.title}</a></p>'
    )
    for path in SUB_PAGES:
        if path:
            assert back in client.get(f"/projects/{world.public.id}{path}", headers=EN).text, path
