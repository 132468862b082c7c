"""Shared set-up of the hearing tests: a public project in market dialogue with two registered
supplier companies, two draft requirements, and a hearing open to every audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.models import User
from app.models.base import OrganisationKind, Phase, Role, id_of
from tests.conftest import Factory, World
from tests.helpers import Api

ALARMS = "Alarmer fra sensorene om natten skal nå nattevakten innen to minutter."
DATA = "Kommunen eier dataene og kan hente dem ut i åpne formater."
SECOND_SUPPLIER_ORG_NUMBER = "986105174"
RIVAL = "Konkurrent AS"


@dataclass
class Heard:
    """The scene: project, requirements, hearing, and the second supplier."""

    project: int
    alarms: int
    data: int
    hearing: int
    rival: User


def later(**delta: Any) -> str:
    """A moment from now, as the API takes it."""
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def draft(api: Api, user: User, project: int, title: str, text: str) -> int:
    """A draft requirement drafted through the API (its id)."""
    body = {"kind": "functional", "title": title, "text": text}
    response = api.post(f"/projects/{project}/requirements", user, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def open_hearing(api: Api, user: User, project: int, **fields: Any) -> Any:
    """Ask to open a hearing (the response)."""
    body = {"deadline": later(days=7), "employees": True, "suppliers": True} | fields
    return api.post(f"/projects/{project}/hearings", user, json=body)


def comment(api: Api, user: User | None, hearing: int, requirement: int, **fields: Any) -> Any:
    """Comment in the hearing as this user (the response)."""
    body = {"requirement_id": requirement, "body": "Dette bør presiseres."} | fields
    return api.post(f"/hearings/{hearing}/comments", user, json=body)


def on_passage(text: str, quote: str, version: int = 1) -> dict[str, Any]:
    """The offsets and quote of a passage of `text`."""
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote, "version": version}


@pytest.fixture
def market(api: Api, world: World, factory: Factory) -> tuple[int, User]:
    """The public project in market dialogue, both supplier companies registered."""
    project = id_of(world.public)
    api.advance(world.procurer, project, Phase.market_dialogue)
    org = factory.org(OrganisationKind.supplier, name=RIVAL, org_number=SECOND_SUPPLIER_ORG_NUMBER)
    rival = factory.user(Role.supplier, org, name="Kim Konkurrent")
    for supplier in (world.supplier, rival):
        registered = api.post(f"/projects/{project}/suppliers", supplier)
        assert registered.status_code == 201, registered.text
    return project, rival


@pytest.fixture
def heard(api: Api, world: World, market: tuple[int, User]) -> Heard:
    """Two draft requirements out for hearing to employees, citizens and suppliers."""
    project, rival = market
    alarms = draft(api, world.procurer, project, "Nattalarmer", ALARMS)
    data = draft(api, world.procurer, project, "Eierskap til data", DATA)
    opened = open_hearing(api, world.procurer, project, citizens=True)
    assert opened.status_code == 201, opened.text
    return Heard(project, alarms, data, opened.json()["id"], rival)
