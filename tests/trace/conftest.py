"""Shared set-up of the trace-link tests: a project in market dialogue with one input of each
kind, a draft requirement, and the owner's employee invited to co-author the specification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.models.base import Phase, id_of
from tests.conftest import World
from tests.helpers import Api

NEED_TEXT = "Nattevaktene vekker beboerne når de går runder med lommelykt om natten."
REQUIREMENT_TEXT = (
    "Løsningen skal la nattevaktene se om beboerne sover uten å gå inn i rommet og vekke dem."
)


@dataclass
class Scene:
    """The ids of the scene's objects."""

    project: int
    need: int
    requirement: int
    hidden_proposal: int  # its summary is not published: only procurers see it
    shown_proposal: int  # its summary is published
    answer: int  # a published answer
    unanswered: int  # a question still waiting
    event: int  # a conference whose minutes are published


def link(api: Api, user: Any, requirement: int, kind: str, source: int, **fields: Any) -> Any:
    """Post a trace link as this user (the response, accepted or not)."""
    body = {
        "source_type": kind,
        "source_id": source,
        "relation": "derived_from",
        "rationale": "Kravet bygger på dette innspillet.",
    } | fields
    return api.post(f"/requirements/{requirement}/links", user, json=body)


def _proposal(api: Api, supplier: Any, project: int, need: int, title: str) -> int:
    body = {
        "need_ids": [need],
        "title": title,
        "summary": f"Sammendrag av {title.lower()} for nattilsyn uten å vekke beboerne.",
        "body": "Fullt forslag med detaljer om drift, pris og sensorer.",
    }
    created = api.post(f"/projects/{project}/proposals", supplier, json=body)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _question(api: Api, supplier: Any, project: int, publish: Any = None) -> int:
    body = {"body": "Kan sensorene kobles til det eksisterende pasientvarslingsanlegget?"}
    asked = api.post(f"/projects/{project}/questions", supplier, json=body)
    assert asked.status_code == 201, asked.text
    question = int(asked.json()["id"])
    if publish is not None:
        answer = {"public_question": "Kobling til pasientvarsling?", "answer": "Ja, via HL7."}
        published = api.post(f"/questions/{question}/publish", publish, json=answer)
        assert published.status_code == 200, published.text
    return question


def _event(api: Api, procurer: Any, project: int) -> int:
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC) + timedelta(days=7)
    created = api.post(
        f"/projects/{project}/events",
        procurer,
        json={
            "kind": "conference",
            "title": "Dialogkonferanse om nattilsyn",
            "description": "Behovene presenteres.",
            "location": "Rådhuset",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": 20,
        },
    )
    assert created.status_code == 201, created.text
    event = int(created.json()["id"])
    minutes = {"minutes": "Referat: leverandørene ønsker åpne grensesnitt."}
    assert api.put(f"/events/{event}/minutes", procurer, json=minutes).status_code == 200
    assert api.post(f"/events/{event}/minutes/publish", procurer).status_code == 200
    return event


@pytest.fixture
def scene(api: Api, world: World) -> Scene:
    """The public project in market dialogue with its inputs and a draft requirement."""
    project = id_of(world.public)
    api.advance(world.procurer, project, Phase.needs)
    need = api.post_need(world.citizen, project, title="Nattilsyn uten å vekke", problem=NEED_TEXT)
    api.advance(world.procurer, project, Phase.market_dialogue)
    assert api.post(f"/projects/{project}/suppliers", world.supplier).status_code == 201
    hidden = _proposal(api, world.supplier, project, need["id"], "Radar i taket")
    shown = _proposal(api, world.supplier, project, need["id"], "Sengesensor")
    assert api.post(f"/proposals/{shown}/publish-summary", world.supplier).status_code == 200
    body = {"kind": "functional", "title": "Tilsyn uten å vekke", "text": REQUIREMENT_TEXT}
    drafted = api.post(f"/projects/{project}/requirements", world.procurer, json=body)
    assert drafted.status_code == 201, drafted.text
    invite = {"user_id": world.employee.id}
    invited = api.post(f"/projects/{project}/specification/co-authors", world.procurer, json=invite)
    assert invited.status_code == 201, invited.text
    return Scene(
        project=project,
        need=need["id"],
        requirement=drafted.json()["id"],
        hidden_proposal=hidden,
        shown_proposal=shown,
        answer=_question(api, world.supplier, project, publish=world.procurer),
        unanswered=_question(api, world.supplier, project),
        event=_event(api, world.procurer, project),
    )


def finalise(api: Api, procurer: Any, scene: Scene) -> None:
    """Mark every requirement final (with an award criterion of weight 100) and the
    specification final, so everyone who sees the project reads it."""
    body = {"kind": "award_criterion", "title": "Pris", "text": "Laveste pris.", "weight": 100}
    criterion = api.post(f"/projects/{scene.project}/requirements", procurer, json=body)
    assert criterion.status_code == 201, criterion.text
    for requirement in (scene.requirement, criterion.json()["id"]):
        final = api.request(
            "PATCH", f"/requirements/{requirement}", procurer, json={"status": "final"}
        )
        assert final.status_code == 200, final.text
    done = api.post(f"/projects/{scene.project}/specification/final", procurer)
    assert done.status_code == 200, done.text
