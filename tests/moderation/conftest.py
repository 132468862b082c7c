"""A need by an employee with a citizen's comment on it, in the world's public project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, select

from app.models import AuditEntry, ParticipationEvent
from tests.conftest import World
from tests.helpers import Api

SECRET = "Naboen min Kari Nordmann har diabetes og bor alene."
REASON = "Personopplysninger om en tredjeperson"


@dataclass
class Thread:
    """The scene's ids: the need, the employee's top comment and the citizen's reply to it."""

    need: int
    parent: int
    comment: int


@pytest.fixture
def thread(api: Api, world: World) -> Thread:
    need = api.post_need(world.employee, world.public.id)["id"]
    parent = api.comment(world.employee, need, "Vi ser det samme på natt.")["id"]
    comment = api.comment(world.citizen, need, SECRET, parent_id=parent)["id"]
    return Thread(need=need, parent=parent, comment=comment)


def report(api: Api, user: Any, object_type: str, object_id: int, reason: str = "Upassende"):
    """Report as this user (the response, accepted or not)."""
    body = {"object_type": object_type, "object_id": object_id, "reason": reason}
    return api.post("/reports", user, json=body)


def decide(api: Api, user: Any, report_id: int, decision: str, reason: str = ""):
    """Decide a report as this user (the response, accepted or not)."""
    return api.post(
        f"/reports/{report_id}/decision", user, json={"decision": decision, "reason": reason}
    )


def audit_actions(session: Session, project_id: int) -> list[tuple[str, str, int]]:
    """The project's audit entries: action, object type and id, oldest first."""
    session.expire_all()
    rows = session.exec(
        select(AuditEntry).where(AuditEntry.project_id == project_id).order_by(AuditEntry.id)
    ).all()
    return [(e.action, e.object_type, e.object_id) for e in rows]


def acts(session: Session, project_id: int) -> list[tuple[str, str, int | None]]:
    """The project's participation events: verb, object type and addressee, oldest first."""
    session.expire_all()
    rows = session.exec(
        select(ParticipationEvent)
        .where(ParticipationEvent.project_id == project_id)
        .order_by(ParticipationEvent.id)
    ).all()
    return [(e.verb, e.object_type, e.addressee_id) for e in rows]
