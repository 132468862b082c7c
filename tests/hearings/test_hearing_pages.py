"""The hearing's pages: the workspace's form that opens it, the requirement texts with their
marked passages, commenting without JavaScript, the deadline, and the suppliers' anonymity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import i18n
from app.models import Hearing, Project, Requirement, User
from app.models.requirement import RequirementStatus
from app.services import hearings
from tests.conftest import World, login
from tests.hearings.conftest import ALARMS, RIVAL, Heard, comment, draft, on_passage
from tests.helpers import EN, Api

COMPANY = "Leverandør AS"


def test_a_procurer_opens_the_hearing_from_the_workspace_in_norwegian_time(
    client: TestClient, api: Api, world: World, market: tuple[int, User], session: Session
) -> None:
    project, _rival = market
    draft(api, world.procurer, project, "Nattalarmer", ALARMS)
    login(client, world.procurer)
    workspace = client.get(f"/projects/{project}/specification").text
    assert 'id="hearing-form"' in workspace and "Legg utkastet ut på høring" in workspace
    form = {"deadline": "2099-06-01T12:00", "employees": "yes", "suppliers": "yes"}
    opened = client.post(f"/projects/{project}/hearings", data=form, follow_redirects=False)
    assert opened.status_code == 303, opened.text
    hearing = session.get(Hearing, int(opened.headers["location"].rsplit("/", 1)[1]))
    assert hearing is not None and hearing.deadline.hour == 10  # 12:00 in Oslo in summer
    page = client.get(opened.headers["location"]).text
    assert "1. juni 2099 kl. 12.00" in page
    assert 'id="hearing-form"' not in client.get(f"/projects/{project}/specification").text


def test_the_page_marks_commented_passages_and_counts_them(
    client: TestClient, api: Api, world: World, heard: Heard
) -> None:
    passage = on_passage(ALARMS, "nattevakten", version=2)
    for user in (world.employee, world.citizen, world.supplier):
        assert comment(api, user, heard.hearing, heard.alarms, **passage).is_success
    assert comment(api, world.employee, heard.hearing, heard.alarms, passage="om natten").is_success
    login(client, world.employee)
    page = client.get(f"/hearings/{heard.hearing}").text
    assert '<mark class="passage passage-3" data-count="3">nattevakten</mark>' in page
    assert '<mark class="passage passage-1" data-count="1">om natten</mark>' in page
    assert "4 kommentarer" in page
    assert "Kommenter utvalgt tekst" in page and 'src="/static/js/passage.js"' in page
    assert 'data-version="2"' in page


def test_a_contents_list_leads_to_each_requirement_with_its_count_and_folds_the_forms(
    client: TestClient, api: Api, world: World, heard: Heard
) -> None:
    for body in ("Én.", "To.", "Tre."):
        assert comment(api, world.citizen, heard.hearing, heard.alarms, body=body).is_success
    login(client, world.employee)
    page = client.get(f"/hearings/{heard.hearing}").text
    start = page.index('class="hearing-contents"')
    contents = page[start : page.index("</nav>", start)]
    assert "Kravene i høringen" in contents
    assert f'<a href="#requirement-{heard.alarms}">Nattalarmer</a>' in contents
    assert f'id="hearing-count-{heard.alarms}"' in contents and "(3 kommentarer)" in contents
    assert page.index('class="hearing-contents"') < page.index(f'id="requirement-{heard.alarms}"')
    # Each form is folded under its summary, and opens by itself when it comes back with errors.
    assert "<summary>Kommenter hele kravet</summary>" in page
    assert '<details class="hearing-comment-box">' in page
    refused = client.post(
        f"/hearings/{heard.hearing}/comments",
        data={"requirement_id": str(heard.alarms), "body": ""},
    )
    assert refused.status_code == 422
    assert '<details class="hearing-comment-box" open>' in refused.text


def test_commenting_without_javascript_finds_the_pasted_passage(
    client: TestClient, api: Api, world: World, heard: Heard
) -> None:
    login(client, world.citizen)
    form = {"requirement_id": str(heard.alarms), "body": "Hvem er nattevakten?"}
    sent = client.post(
        f"/hearings/{heard.hearing}/comments",
        data=form | {"passage": "nattevakten"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].endswith(f"#requirement-{heard.alarms}")
    body = api.get(f"/hearings/{heard.hearing}", world.procurer).json()
    assert body["comments"][0]["passage"]["quote"] == "nattevakten"
    refused = client.post(
        f"/hearings/{heard.hearing}/comments", data=form | {"passage": "finnes ikke"}
    )
    assert refused.status_code == 422
    assert f'id="hearing-comment-form-{heard.alarms}-passage-error"' in refused.text
    assert 'value="finnes ikke"' in refused.text


def test_after_the_deadline_the_form_gives_way_to_a_notice(
    client: TestClient,
    world: World,
    heard: Heard,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deadline = session.get(Hearing, heard.hearing).deadline  # type: ignore[union-attr]
    monkeypatch.setattr(hearings, "utcnow", lambda: deadline + timedelta(seconds=1))
    login(client, world.employee)
    page = client.get(f"/hearings/{heard.hearing}").text
    assert "Høringen er avsluttet" in page
    assert "hearing-comment-form" not in page
    form = {"requirement_id": str(heard.alarms), "body": "For sent."}
    late = client.post(f"/hearings/{heard.hearing}/comments", data=form, headers=EN)
    assert late.status_code == 409
    assert "The hearing is closed" in late.text


def test_suppliers_see_a_supplier_and_procurers_see_the_company(
    client: TestClient, api: Api, world: World, heard: Heard
) -> None:
    assert comment(api, world.supplier, heard.hearing, heard.alarms, body="Fra A.").is_success
    login(client, heard.rival)
    page = client.get(f"/hearings/{heard.hearing}").text
    assert "Fra A." in page and "En leverandør" in page
    assert COMPANY not in page
    login(client, world.procurer)
    assert COMPANY in client.get(f"/hearings/{heard.hearing}").text


def test_the_project_page_links_the_open_hearing_for_those_heard_only(
    client: TestClient, world: World, heard: Heard
) -> None:
    link = f'href="/hearings/{heard.hearing}"'
    login(client, world.citizen)
    assert link in client.get(f"/projects/{heard.project}").text
    login(client, world.other_employee)
    assert link not in client.get(f"/projects/{heard.project}").text
    assert client.get(f"/hearings/{heard.hearing}").status_code == 404


def test_the_deadline_reads_in_norwegian_time() -> None:
    assert i18n.TIMEZONE.key == "Europe/Oslo"
    assert RIVAL != COMPANY


def settle(session: Session, heard: Heard) -> None:
    """The specification made final after the hearing, so that everyone may read it."""
    for requirement_id in (heard.alarms, heard.data):
        requirement = session.get(Requirement, requirement_id)
        assert requirement is not None
        requirement.status = RequirementStatus.final
        session.add(requirement)
    project = session.get(Project, heard.project)
    assert project is not None
    project.specification_final = True
    session.add(project)
    session.commit()


def test_a_writer_sees_on_the_requirement_page_how_it_fares_in_the_open_hearing(
    client: TestClient, api: Api, world: World, heard: Heard
) -> None:
    for body in ("Én.", "To."):
        assert comment(api, world.citizen, heard.hearing, heard.alarms, body=body).is_success
    login(client, world.procurer)
    page = client.get(f"/requirements/{heard.alarms}").text
    link = f'<a href="/hearings/{heard.hearing}#requirement-{heard.alarms}">'
    assert "Høringsinnspill:" in page and link + "2 kommentarer — se høringen</a>" in page
    uncommented = client.get(f"/requirements/{heard.data}").text
    assert f'#requirement-{heard.data}">0 kommentarer — se høringen</a>' in uncommented


@pytest.mark.parametrize("who", ["employee", "supplier", "citizen"])
def test_those_heard_are_led_from_a_final_requirement_to_its_hearing_comments(
    client: TestClient, api: Api, world: World, heard: Heard, session: Session, who: str
) -> None:
    for body in ("Én.", "To."):
        assert comment(api, world.citizen, heard.hearing, heard.alarms, body=body).is_success
    settle(session, heard)
    login(client, getattr(world, who))
    page = client.get(f"/requirements/{heard.alarms}").text
    link = f'<a href="/hearings/{heard.hearing}#requirement-{heard.alarms}">'
    assert link + "2 kommentarer — se høringen</a>" in page
    # No longer in hearing and never commented on: nothing to lead to.
    assert "Høringsinnspill" not in client.get(f"/requirements/{heard.data}").text


@pytest.mark.parametrize("who", ["other_employee", "researcher", "other_procurer", None])
def test_the_requirement_page_tells_nobody_else_of_the_hearing(
    client: TestClient, api: Api, world: World, heard: Heard, session: Session, who: str | None
) -> None:
    assert comment(api, world.citizen, heard.hearing, heard.alarms, body="Én.").is_success
    settle(session, heard)
    user = getattr(world, who) if who else None
    if user is not None:
        login(client, user)
    page = client.get(f"/requirements/{heard.alarms}")
    assert page.status_code == 200
    assert "Høringsinnspill" not in page.text and "/hearings/" not in page.text
