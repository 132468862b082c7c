"""Each figure of a dashboard downloads as CSV with the dashboard's own permission, showing the
same cells (suppressed ones empty); the dashboards state the research questions in full, name
weeks the Norwegian way and show no id columns."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from app.services.metrics.questions import RESEARCH_QUESTIONS
from tests.conftest import World, login
from tests.helpers import Api


def _table(response: object) -> list[list[str]]:
    """A downloaded CSV as rows of cells, read by the csv module (without the byte-order mark)."""
    text = response.content.decode("utf-8")  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_a_figure_downloads_as_csv_with_the_dashboard_s_headings_and_names(
    client: TestClient, api: Api, world: World
) -> None:
    api.post_need(world.employee, world.public.id)
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}/metrics")
    url = f"/projects/{world.public.id}/metrics/data/participation_by_organisation.csv"
    assert f'href="{url}" download>Last ned data (CSV)</a>' in page.text

    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    header, *rows = _table(response)
    assert header == ["Organisasjon", "Organisasjonstype", "Deltakere", "Bidrag"]
    assert rows == [["Eierkommune", "Kommune", "1", "1"]]


def test_the_public_download_leaves_out_the_cells_the_public_dashboard_suppresses(
    client: TestClient, api: Api, world: World
) -> None:
    api.post_need(world.employee, world.public.id)
    client.cookies.set("lang", "en")
    page = client.get(f"/projects/{world.public.id}/metrics")
    assert '<th scope="row">Employee</th><td data-label="Participants">–</td>' in page.text
    response = client.get(f"/projects/{world.public.id}/metrics/data/participation_by_role.csv")
    assert response.status_code == 200
    assert _table(response) == [["Role", "Participants", "Contributions"], ["Employee", "", ""]]


def test_a_figure_download_is_refused_exactly_where_the_dashboard_is(
    client: TestClient, world: World
) -> None:
    url = f"/projects/{world.internal.id}/metrics/data/participation_by_role.csv"
    assert client.get(url).status_code == 404  # an internal project is not there for visitors
    login(client, world.employee)  # staff who may see the project but not read its figures
    assert client.get(f"/projects/{world.internal.id}/metrics").status_code == 403
    assert client.get(url).status_code == 403
    login(client, world.procurer)
    assert client.get(url).status_code == 200
    missing = f"/projects/{world.internal.id}/metrics/data/no_such_figure.csv"
    assert client.get(missing).status_code == 404


def test_the_organisation_s_and_the_platform_s_figures_download_too(
    client: TestClient, api: Api, world: World
) -> None:
    api.post_need(world.employee, world.public.id)
    login(client, world.procurer)
    for base in (f"/organisations/{world.owner.id}/metrics", "/platform/metrics"):
        page = client.get(base)
        assert page.status_code == 200
        url = f"{base}/data/participation_by_phase.csv"
        assert f'href="{url}" download' in page.text
        header, *rows = _table(client.get(url))
        assert header == ["Fase", "Deltakere", "Bidrag"] and len(rows) == 1


def test_the_dashboard_states_the_research_questions_in_full_and_weeks_as_people_say_them(
    client: TestClient, api: Api, world: World
) -> None:
    api.post_need(world.employee, world.public.id)
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}/metrics").text
    assert "Forskningsspørsmål 2: Hvordan kan anskaffelsesprosesser øke deltakelsen" in page
    assert page.count('<li id="research-question-') == len(RESEARCH_QUESTIONS) == 3
    assert "-W" not in page and "uke " in page
    assert "Organisasjons-id" not in page and "Organisation id" not in page
    client.cookies.set("lang", "en")
    english = client.get(f"/projects/{world.public.id}/metrics").text
    assert "Research question 1: How does the ambition to change service practice show" in english
    assert "week " in english and "-W" not in english


def test_the_dashboards_are_reachable_from_the_menus(client: TestClient, world: World) -> None:
    login(client, world.admin)
    assert 'href="/platform/metrics"' in client.get("/").text
    people = client.get(f"/organisations/{world.owner.id}/people").text
    assert f'href="/organisations/{world.owner.id}/metrics"' in people
    login(client, world.procurer)
    assert 'href="/platform/metrics"' not in client.get("/").text
    maturity = client.get(f"/organisations/{world.owner.id}/maturity").text
    assert f'href="/organisations/{world.owner.id}/metrics"' in maturity
