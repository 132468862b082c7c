"""An attacker's suite: schemathesis sends generated input, valid and invalid, to every API
operation, as a visitor and as a procurer; no answer may be a 5xx or differ from the schema.

The app runs in-process; examples are few per operation and derandomised (the same on every
run), so the whole suite takes a minute or two. The OpenAPI document is the app's own
(/api/v1/openapi.json), so a new operation is covered by itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import HOST, ASGIClient
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.main import app
from app.models.base import MAX_ID, Phase
from tests.conftest import World, bearer
from tests.helpers import Api

QUESTION = "Kan løsningen brukes uten kamera i leiligheten?"
EVENT = {
    "kind": "conference",
    "title": "Dialogkonferanse",
    "starts_at": "2027-03-01T09:00:00+01:00",
    "ends_at": "2027-03-01T12:00:00+01:00",
    "capacity": 20,
}


def proposal(need_id: int) -> dict[str, object]:
    """A valid proposal for one need."""
    return {
        "need_ids": [need_id],
        "title": "Radar som ser uten kamera",
        "summary": "Radar i taket varsler nattevakten.",
        "body": "Sensorpakken koster 19 kr per måned.",
    }


schema = schemathesis.openapi.from_dict(app.openapi())
CHECKS = [not_a_server_error, response_schema_conformance]
BASE_URL = f"http://{HOST}"
EXAMPLES = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def asgi_client(database_url: str, upload_dir: Path) -> Iterator[ASGIClient]:
    """The app in-process, its lifespan (live hub and bus) run once as in every other test."""
    with TestClient(app):
        yield ASGIClient(app)


@pytest.fixture
def market(asgi_client: ASGIClient, world: World) -> World:
    """Something of every kind to find: needs, a comment, a market dialogue with a registered
    supplier, its question and proposal, an event and a document."""
    api = Api(TestClient(app))
    project = world.public.id
    need = api.post_need(world.employee, project)  # type: ignore[arg-type]
    api.comment(world.citizen, need["id"])
    api.advance(world.procurer, project, Phase.market_dialogue)  # type: ignore[arg-type]
    for response in (
        api.post(f"/projects/{project}/suppliers", world.supplier),
        api.post(f"/projects/{project}/questions", world.supplier, json={"body": QUESTION}),
        api.post(f"/projects/{project}/proposals", world.supplier, json=proposal(need["id"])),
        api.post(f"/projects/{project}/events", world.procurer, json=EVENT),
        api.post(
            f"/projects/{project}/documents",
            world.procurer,
            data={"title": "Behovsbeskrivelse"},
            files={"file": ("behov.txt", b"Behovene.", "text/plain")},
        ),
    ):
        assert response.status_code == 201, response.text
    return world


def _onto_stored_rows(case: schemathesis.Case) -> None:
    """An id in the valid range names one of the first rows (which `market` made), so the
    operation meets real objects; ids out of range and non-numbers stay as generated."""
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, int) and 0 < value <= MAX_ID:
            case.path_parameters[name] = 1 + value % 2  # type: ignore[index]


@pytest.fixture
def procurer(market: World) -> dict[str, str]:
    """The bearer token of the project's procurer."""
    return bearer(TestClient(app), market.procurer)


@schema.parametrize()
@EXAMPLES
def test_no_5xx_and_only_declared_answers_for_a_visitor_and_a_procurer(
    case: schemathesis.Case, asgi_client: ASGIClient, procurer: dict[str, str]
) -> None:
    _onto_stored_rows(case)
    case.call_and_validate(session=asgi_client, base_url=BASE_URL, checks=CHECKS)
    case.call_and_validate(session=asgi_client, base_url=BASE_URL, headers=procurer, checks=CHECKS)
