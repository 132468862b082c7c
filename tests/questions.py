"""The question scene: a market dialogue with two registered supplier companies, and the usual
asking and publishing, for the question tests (API and live)."""

from __future__ import annotations

from typing import Any

from app.models.base import OrganisationKind, Phase, Role
from tests.conftest import Factory, World
from tests.helpers import Api

ORIGINAL = "Vi i Leverandør AS lurer på om vår sensor SoveVakt 3000 kan brukes i boligene?"
ANONYMISED = "Kan sensorer som allerede finnes på markedet brukes i boligene?"
ANSWER = "Ja, så lenge de ikke bruker kamera og kan kobles til kommunens plattform."
OTHER_ORG_NUMBER = "986105174"


class Cast:
    """The world in the market dialogue, with two registered supplier companies."""

    def __init__(self, api: Api, world: World, factory: Factory) -> None:
        self.world = world
        self.project_id: int = world.public.id  # type: ignore[assignment]
        self.procurer = world.procurer
        self.supplier_a = world.supplier
        self.colleague_a = factory.user(Role.supplier, world.supplier_org, name="Kollega Kari")
        other = factory.org(
            OrganisationKind.supplier, name="Konkurrent AS", org_number=OTHER_ORG_NUMBER
        )
        self.supplier_b = factory.user(Role.supplier, other, name="Kim Konkurrent")
        self.citizen = world.citizen
        api.advance(world.procurer, self.project_id, Phase.market_dialogue)
        for supplier in (self.supplier_a, self.supplier_b):
            response = api.post(f"/projects/{self.project_id}/suppliers", supplier)
            assert response.status_code == 201, response.text


def ask_question(api: Api, cast: Cast, user: Any = None, body: str = ORIGINAL) -> Any:
    """Ask a question as this supplier (supplier A if none); the response, accepted or not."""
    return api.post(
        f"/projects/{cast.project_id}/questions", user or cast.supplier_a, json={"body": body}
    )


def asked_question(api: Api, cast: Cast, body: str = ORIGINAL) -> dict[str, Any]:
    """Supplier A's question, which must be accepted; returns its JSON."""
    response = ask_question(api, cast, body=body)
    assert response.status_code == 201, response.text
    return response.json()


def publish_question(api: Api, cast: Cast, question_id: int, **texts: str) -> Any:
    """Publish the question with its anonymised text and answer; the response."""
    body = {"public_question": ANONYMISED, "answer": ANSWER, **texts}
    return api.post(f"/questions/{question_id}/publish", cast.procurer, json=body)
