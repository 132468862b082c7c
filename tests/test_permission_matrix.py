"""Who sees what in the market dialogue: every role × every object, through pages, API and socket.

One scene is built through the API (a public project in market dialogue, two registered
supplier companies, their questions, proposals, events and documents). Each cell of `CELLS` names
an object, a channel, where to look, a text only that object carries, and the roles that may see
it; every role is checked against every cell, and a failure lists all the cells that disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.base import OrganisationKind, Phase, Role
from tests.conftest import Factory, World, login
from tests.routers.helpers import Api
from tests.routers.test_live_ws import ORIGIN

ROLES = (
    "citizen",
    "employee",
    "procurer",
    "other_procurer",
    "supplier_a",
    "supplier_b",
    "researcher",
    "anonymous",
)
EVERYONE = frozenset(ROLES)
PROCURERS = frozenset({"procurer"})
SUPPLIER_B_ORG_NUMBER = "986105174"

# Texts that only one object carries, so finding them in a response means the object is shown.
UNANSWERED = "Kan løsningen driftes uten skytjenester fra land utenfor EØS?"
ASKED = "Helsetek-spesifikt: må sensorene våre ha CE-merking klasse IIa allerede nå?"
ANONYMISED = "Må sensorene være CE-merket som medisinsk utstyr ved tilbudsfrist?"
ANSWER = "Ja, klasse IIa kreves ved tilbudsfristen, ikke under dialogen."
RATIONALE = "Behovene er verifisert og markedet skal høres før konkurransen."


class Market:
    """The scene: the world's public project in market dialogue, seen by eight roles."""

    def __init__(self, api: Api, world: World, factory: Factory) -> None:
        self.project = world.public.id
        org_b = factory.org(
            OrganisationKind.supplier, name="Konkurrent AS", org_number=SUPPLIER_B_ORG_NUMBER
        )
        self.users: dict[str, Any] = {
            "citizen": world.citizen,
            "employee": world.employee,
            "procurer": world.procurer,
            "other_procurer": world.other_procurer,
            "supplier_a": world.supplier,
            "supplier_b": factory.user(Role.supplier, org_b, name="Kim Konkurrent"),
            "researcher": world.researcher,
            "anonymous": None,
        }
        procurer, supplier_a = world.procurer, world.supplier
        api.move_phase(procurer, self.project, Phase.market_dialogue, RATIONALE)
        for supplier in (supplier_a, self.users["supplier_b"]):
            registered = api.post(f"/projects/{self.project}/suppliers", supplier)
            assert registered.status_code == 201, registered.text
        self.unanswered = self._ask(api, supplier_a, UNANSWERED)
        self.published = self._ask(api, supplier_a, ASKED)
        published = api.post(
            f"/questions/{self.published}/publish",
            procurer,
            json={"public_question": ANONYMISED, "answer": ANSWER},
        )
        assert published.status_code == 200, published.text

    def _ask(self, api: Api, supplier: Any, body: str) -> int:
        asked = api.post(f"/projects/{self.project}/questions", supplier, json={"body": body})
        assert asked.status_code == 201, asked.text
        return int(asked.json()["id"])


@dataclass(frozen=True)
class Cell:
    """One object seen through one channel: where to look, what shows it, who may see it."""

    object: str
    channel: str  # "api" (bearer token), "page" (logged-in browser), "socket" (resync on connect)
    path: str  # formatted with the Market's attributes
    marker: str
    allowed: frozenset[str]


def cells(object: str, marker: str, allowed: frozenset[str], **paths: str) -> list[Cell]:
    """The same object through several channels."""
    return [Cell(object, channel, path, marker, allowed) for channel, path in paths.items()]


QA_PATHS = {
    "api": "/api/v1/projects/{project}/questions",
    "page": "/projects/{project}/questions",
    "socket": "/ws/projects/{project}/questions",
}
CELLS: list[Cell] = [
    *cells("unanswered question", UNANSWERED, PROCURERS | {"supplier_a"}, **QA_PATHS),
    *cells("published answer", ANSWER, EVERYONE, **QA_PATHS),
    # The page and the socket show published answers in their anonymised wording to everyone;
    # the original stays in the API for those who may read it, and nowhere else.
    *cells(
        "published answer's original wording",
        ASKED,
        PROCURERS | {"supplier_a"},
        api=QA_PATHS["api"],
    ),
    *cells(
        "published answer's original wording on the Q&A page",
        ASKED,
        frozenset(),
        page=QA_PATHS["page"],
        socket=QA_PATHS["socket"],
    ),
    *cells(
        "who asked the published answer",
        "Leverandør AS",
        PROCURERS | {"supplier_a"},
        api="/api/v1/questions/{published}",
    ),
    *cells(
        "published answer in OCDS",
        ANSWER,
        EVERYONE,
        api="/api/v1/projects/{project}/ocds",
    ),
    *cells(
        "unanswered question or asker in OCDS",
        UNANSWERED,
        frozenset(),
        api="/api/v1/projects/{project}/ocds",
    ),
    *cells("asker in OCDS", "Leverandør AS", frozenset(), api="/api/v1/projects/{project}/ocds"),
    *cells(
        "registration list (company B)",
        "Konkurrent AS",
        PROCURERS | {"supplier_b"},
        api="/api/v1/projects/{project}/suppliers",
    ),
    *cells(
        "audit log",
        RATIONALE,
        PROCURERS,
        api="/api/v1/projects/{project}/audit-log",
        page="/projects/{project}/audit-log",
    ),
]


def _look(client: TestClient, api: Api, market: Market, role: str, cell: Cell) -> str:
    """What this role gets through the cell's channel ("" for a refusal)."""
    user = market.users[role]
    path = cell.path.format(**vars(market))
    if cell.channel == "api":
        response = api.get(path.removeprefix("/api/v1"), user)
        assert response.status_code < 500, response.text
        return response.text if response.status_code == 200 else ""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    if user is not None:
        login(client, user)
    if cell.channel == "page":
        response = client.get(path)
        assert response.status_code < 500, response.text
        return response.text if response.status_code == 200 else ""
    with client.websocket_connect(path, headers=ORIGIN) as socket:
        return socket.receive_text()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_exactly_what_the_policy_allows(
    role: str, client: TestClient, api: Api, world: World, factory: Factory
) -> None:
    market = Market(api, world, factory)
    wrong = []
    for cell in CELLS:
        shown = cell.marker in _look(client, api, market, role, cell)
        if shown != (role in cell.allowed):
            verdict = "shown but should be denied" if shown else "denied but should be shown"
            wrong.append(f"{cell.object} via {cell.channel} ({cell.path}): {verdict}")
    assert not wrong, f"{role}:\n  " + "\n  ".join(wrong)
