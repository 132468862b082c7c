"""A market dialogue with two registered suppliers and one proposal, for the proposal tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.models import User
from app.models.base import OrganisationKind, Phase, Role
from tests.conftest import Factory, World
from tests.helpers import Api

OTHER_ORG_NUMBER = "986105174"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET_BODY = "Vår sensorpakke bruker radar til 19 kr per måned per leilighet."
SUMMARY = "Radar i taket varsler nattevakten når en beboer står opp."
JUSTIFICATION = "Prisen og radarløsningen er ikke kjent for konkurrentene våre."


@dataclass
class Market:
    """The public project in its market dialogue, the cast around one proposal."""

    world: World
    project_id: int
    need_id: int
    colleague: User  # works for the same company as world.supplier (supplier A)
    supplier_b: User
    proposal: dict[str, Any]

    @property
    def proposal_id(self) -> int:
        return int(self.proposal["id"])


def proposal_input(need_id: int, **fields: Any) -> dict[str, Any]:
    """A valid proposal with a business-secret claim on its body."""
    return {
        "need_ids": [need_id],
        "title": "Radar som ser uten kamera",
        "summary": SUMMARY,
        "body": SECRET_BODY,
        "claims": [{"field": "body", "justification": JUSTIFICATION}],
        **fields,
    }


@pytest.fixture
def market(api: Api, world: World, factory: Factory, upload_dir: Path) -> Market:
    """Supplier A (with a colleague) and supplier B registered; A submitted one proposal."""
    project_id = world.public.id
    need = api.post_need(world.employee, project_id)
    api.advance(world.procurer, project_id, Phase.market_dialogue)
    org_b = factory.org(
        OrganisationKind.supplier, name="Konkurrent AS", org_number=OTHER_ORG_NUMBER
    )
    supplier_b = factory.user(Role.supplier, org_b, name="Kim Konkurrent")
    colleague = factory.user(Role.supplier, world.supplier_org, name="Kari Kollega")
    for supplier in (world.supplier, supplier_b):
        response = api.post(f"/projects/{project_id}/suppliers", supplier)
        assert response.status_code == 201, response.text
    response = api.post(
        f"/projects/{project_id}/proposals", world.supplier, json=proposal_input(need["id"])
    )
    assert response.status_code == 201, response.text
    return Market(world, project_id, need["id"], colleague, supplier_b, response.json())


def attach(api: Api, market: Market, user: User | None, justification: str = "") -> Any:
    """Upload a PDF named like a text file to the market's proposal."""
    return api.post(
        f"/proposals/{market.proposal_id}/attachments",
        user,
        files={"file": ("pris.txt", PDF, "text/plain")},
        data={"justification": justification},
    )
