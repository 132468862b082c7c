"""A study's world: a market dialogue with known contributions, two studies, some consent.

Contributions in the public project (all through the API):

- needs phase: the employee posts need N0 (named);
- market dialogue: supplier A submits proposal P1 (never published, confidential body); supplier
  B asks a question (answered and published), submits proposal P2 and publishes its summary; the
  citizen posts need N1 anonymously; Nils (a citizen who never consents) posts need N2 and
  comments on N0; the employee comments on N1 (its addressee is N1's anonymous author); the
  citizen replies to Nils's comment; the partner employee consents, comments on N0, withdraws;
  five more citizens support N0.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.models import User
from app.models.base import Role
from tests.conftest import Factory, World
from tests.helpers import Api
from tests.proposals.conftest import (  # noqa: F401  (fixtures)
    JUSTIFICATION,
    SECRET_BODY,
    SUMMARY,
    Market,
    market,
    proposal_input,
)

NILS = "Nils Nektet"
ANON_PROBLEM = "Jeg skammer meg over å be om hjelp med medisinene mine."
N0_PROBLEM = "Brukerne våkner av tilsynet om natten og blir urolige."
QUESTION = "Hvor mange leiligheter skal løsningen dekke i første fase?"
P2_SUMMARY = "Trykksensor i sengen melder fra uten kamera og uten lyd."
P2_BODY = "Fortrolig: vår pris er 7 kr per seng per dag."


def study_input(**fields: Any) -> dict[str, Any]:
    today = date.today()
    return {
        "title": "Deltakelse i innovative anskaffelser",
        "institution": "NTNU",
        "ethics_reference": "Sikt 123456",
        "legal_basis": "consent",
        "period_start": (today - timedelta(days=30)).isoformat(),
        "period_end": (today + timedelta(days=365)).isoformat(),
        "include_free_text": True,
        **fields,
    }


@dataclass
class Lab:
    """The market, the studies and who did what."""

    market: Market
    consent_study: dict[str, Any]
    public_study: dict[str, Any]
    nils: User
    supporters: list[User]
    needs: dict[str, int] = field(default_factory=dict)
    comments: dict[str, int] = field(default_factory=dict)
    p2: int = 0
    question: int = 0

    @property
    def world(self) -> World:
        return self.market.world

    @property
    def people(self) -> list[User]:
        w = self.world
        return [
            w.procurer, w.employee, w.partner_employee, w.citizen, w.supplier,
            self.market.supplier_b, self.market.colleague, self.nils, *self.supporters,
        ]  # fmt: skip


def export(api: Api, user: User, study_id: int, **params: Any) -> zipfile.ZipFile:
    response = api.get(f"/research/studies/{study_id}/export", user, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    with archive.open(f"{name}.csv") as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))


def everything(archive: zipfile.ZipFile) -> bytes:
    return b"\n".join(archive.read(name) for name in archive.namelist())


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def lab(api: Api, world: World, factory: Factory, market: Market) -> Lab:  # noqa: F811
    w = world
    project_id = market.project_id
    consent_study = ok(
        api.post("/research/studies", w.researcher, json=study_input(project_ids=[project_id])),
        201,
    )
    public_study = ok(
        api.post(
            "/research/studies",
            w.researcher,
            json=study_input(legal_basis="public_interest", include_free_text=False),
        ),
        201,
    )
    nils = factory.user(Role.citizen, name=NILS)
    supporters = [factory.user(Role.citizen, name=f"Støtte Person {i}") for i in range(5)]
    lab = Lab(market, consent_study, public_study, nils, supporters)
    sid = consent_study["id"]
    for person in (w.employee, w.citizen, market.supplier_b, w.procurer, w.partner_employee):
        ok(api.post(f"/research/studies/{sid}/consent", person))

    lab.needs["N0"] = market.need_id
    question = ok(
        api.post(f"/projects/{project_id}/questions", market.supplier_b, json={"body": QUESTION}),
        201,
    )
    lab.question = question["id"]
    ok(
        api.put(
            f"/questions/{question['id']}/answer",
            w.procurer,
            json={"public_question": "Hvor mange leiligheter?", "answer": "Førti i første fase."},
        )
    )
    ok(api.post(f"/questions/{question['id']}/publish", w.procurer))
    p2 = ok(
        api.post(
            f"/projects/{project_id}/proposals",
            market.supplier_b,
            json=proposal_input(market.need_id, summary=P2_SUMMARY, body=P2_BODY),
        ),
        201,
    )
    lab.p2 = p2["id"]
    ok(api.post(f"/proposals/{p2['id']}/publish-summary", market.supplier_b))
    lab.needs["N1"] = api.post_need(
        w.citizen, project_id, title="Hjelp med medisiner", problem=ANON_PROBLEM, anonymous=True
    )["id"]
    lab.needs["N2"] = api.post_need(nils, project_id, title="Nils sitt behov")["id"]
    lab.comments["nils"] = api.comment(nils, market.need_id, "Nils mener noe om dette.")["id"]
    lab.comments["employee_on_anon"] = api.comment(w.employee, lab.needs["N1"], "Vi hører deg.")[
        "id"
    ]
    lab.comments["citizen_reply"] = api.comment(
        w.citizen, market.need_id, "Enig med forrige.", parent_id=lab.comments["nils"]
    )["id"]
    lab.comments["withdrawn"] = api.comment(w.partner_employee, market.need_id, "Trukket.")["id"]
    ok(api.delete(f"/research/studies/{sid}/consent", w.partner_employee))
    for supporter in supporters:
        ok(api.post(f"/needs/{market.need_id}/supports", supporter), 201)
    return lab


@pytest.fixture
def unpack(tmp_path: Path):
    """Unpack an export into a folder of its own; returns the folder."""

    def _unpack(archive: zipfile.ZipFile, name: str = "export") -> Path:
        target = tmp_path / name
        archive.extractall(target)
        return target

    return _unpack
