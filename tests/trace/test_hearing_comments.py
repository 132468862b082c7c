"""A hearing comment as a trace source: a writer links a requirement to what someone said in the
project's hearing; the link names the requirement commented on and the comment's own words,
points at the comment on the hearing's page, and shows only to those heard in that hearing.
A supplier's comment never names its company or its writer through a link (equal treatment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models import User
from app.models.base import OrganisationKind, Phase, Role, id_of
from app.models.trace import TraceSource
from app.services import trace_sources
from app.services.influence import sources as influence_sources
from tests.conftest import Factory, World, login
from tests.hearings.conftest import comment, draft, open_hearing
from tests.helpers import Api
from tests.trace.conftest import Scene, finalise, link

NO_SUCH_INPUT = "There is no such input in this project that you may link to."
SAID = "Nattevakten må kunne slå av varselet fra lommen uten å gå til rommet."
COMPANY = "Leverandør AS"
RIVAL = "Konkurrent AS"
EN = {"Accept-Language": "en"}


@dataclass
class Heard:
    """The trace scene with a hearing open, a supplier's comment in it, and a rival company."""

    hearing: int
    said: int  # the supplier's comment on the scene's requirement
    rival: User


@pytest.fixture
def heard(api: Api, world: World, scene: Scene, factory: Factory) -> Heard:
    """The draft requirement out for hearing to employees, citizens and suppliers; the
    supplier has commented on it."""
    org = factory.org(OrganisationKind.supplier, name=RIVAL, org_number="986105174")
    rival = factory.user(Role.supplier, org, name="Kim Konkurrent")
    assert api.post(f"/projects/{scene.project}/suppliers", rival).status_code == 201
    opened = open_hearing(api, world.procurer, scene.project, citizens=True)
    assert opened.status_code == 201, opened.text
    hearing = opened.json()["id"]
    said = comment(api, world.supplier, hearing, scene.requirement, body=SAID)
    assert said.status_code == 201, said.text
    return Heard(hearing=hearing, said=said.json()["id"], rival=rival)


def _page(client: TestClient, user: User, url: str) -> str:
    """A page as this user reads it (signed in anew)."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, user)
    page = client.get(url, headers=EN)
    assert page.status_code == 200
    return page.text


def _links(api: Api, user: Any, requirement: int) -> Any:
    return api.get(f"/requirements/{requirement}/links", user)


def test_a_procurer_links_a_requirement_to_a_hearing_comment(
    client: TestClient, api: Api, world: World, scene: Scene, heard: Heard
) -> None:
    created = link(api, world.procurer, scene.requirement, "hearing_comment", heard.said)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["source_type"], body["source_id"]) == ("hearing_comment", heard.said)
    assert body["source_title"] == f"Tilsyn uten å vekke: {SAID}"
    assert body["source_url"] == f"/hearings/{heard.hearing}#hearing-comment-{heard.said}"
    assert body["confidential"] is False
    listed = _links(api, world.procurer, scene.requirement).json()
    assert [row["source_id"] for row in listed] == [heard.said]
    # The anchor is the comment's own element on the hearing's page.
    page = _page(client, world.procurer, f"/hearings/{heard.hearing}")
    assert f'id="hearing-comment-{heard.said}"' in page


def test_a_co_author_links_a_hearing_comment_too(
    api: Api, world: World, scene: Scene, heard: Heard
) -> None:
    created = link(api, world.employee, scene.requirement, "hearing_comment", heard.said)
    assert created.status_code == 201, created.text


def test_a_comment_in_another_projects_hearing_is_refused_like_any_unseen_input(
    api: Api, world: World, scene: Scene, heard: Heard
) -> None:
    elsewhere = id_of(world.internal)
    api.advance(world.procurer, elsewhere, Phase.market_dialogue)
    there = draft(api, world.procurer, elsewhere, "Annet krav", "Et krav i et annet prosjekt.")
    opened = open_hearing(api, world.procurer, elsewhere, suppliers=False)
    assert opened.status_code == 201, opened.text
    said = comment(api, world.employee, opened.json()["id"], there, body="Annet prosjekt.")
    assert said.status_code == 201, said.text
    refused = link(api, world.procurer, scene.requirement, "hearing_comment", said.json()["id"])
    assert refused.status_code == 422
    assert refused.json()["detail"] == NO_SUCH_INPUT
    missing = link(api, world.procurer, scene.requirement, "hearing_comment", 999_999)
    assert (missing.status_code, missing.json()["detail"]) == (422, NO_SUCH_INPUT)


def test_writers_see_the_link_and_the_choice_on_the_requirement_page(
    client: TestClient, api: Api, world: World, scene: Scene, heard: Heard
) -> None:
    assert link(api, world.procurer, scene.requirement, "hearing_comment", heard.said).is_success
    anchor = f'href="/hearings/{heard.hearing}#hearing-comment-{heard.said}"'
    for writer in (world.procurer, world.employee):
        page = _page(client, writer, f"/requirements/{scene.requirement}")
        assert anchor in page and SAID in page
        assert f'value="hearing_comment:{heard.said}"' in page  # offered in the form
        assert "Hearing comment" in page


def test_a_suppliers_comment_never_names_its_company_through_a_link(
    client: TestClient, api: Api, world: World, scene: Scene, heard: Heard
) -> None:
    assert link(api, world.procurer, scene.requirement, "hearing_comment", heard.said).is_success
    finalise(api, world.procurer, scene)  # now every reader of the project sees the requirement
    writer = world.supplier.display_name
    for reader in (world.employee, heard.rival, world.citizen):
        listed = _links(api, reader, scene.requirement)
        assert [row["source_id"] for row in listed.json()] == [heard.said]
        page = _page(client, reader, f"/requirements/{scene.requirement}")
        links = page[page.index('id="links"') :]
        assert SAID in links
        for name in (COMPANY, writer):
            assert name not in listed.text and name not in links
        report = api.get(f"/projects/{scene.project}/influence", reader)
        assert report.status_code == 200
        assert COMPANY not in report.text and writer not in report.text


def test_only_those_heard_see_a_link_to_a_hearing_comment(
    api: Api, world: World, scene: Scene, heard: Heard
) -> None:
    assert link(api, world.procurer, scene.requirement, "need", scene.need).is_success
    assert link(api, world.procurer, scene.requirement, "hearing_comment", heard.said).is_success
    finalise(api, world.procurer, scene)
    # The researcher and a signed-out visitor see the final requirement, not the hearing.
    for outsider in (world.researcher, None):
        listed = _links(api, outsider, scene.requirement).json()
        assert [row["source_type"] for row in listed] == ["need"]


def test_every_kind_of_input_is_a_source_for_links_and_for_the_influence_ledger() -> None:
    assert set(trace_sources.SOURCES) == set(TraceSource)
    assert set(influence_sources.SOURCES) == set(TraceSource)
