"""Shared set-up for the self-assessment tests: an open round of the world's owner municipality."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.models import MaturityRound, User
from app.models.base import utcnow
from app.models.maturity import MaturityUnit, RespondentInvite, RoundOpen
from app.services import permissions
from app.services.maturity import rounds
from tests.conftest import World


def open_round(session: Session, world: World, days: int = 14) -> MaturityRound:
    """A round of the owner municipality, opened by its procurer, closing in `days` days."""
    rel = permissions.organisation_relation(session, world.procurer, world.owner)
    round_ = rounds.open_round(
        session,
        rel=rel,
        data=RoundOpen(title="Modenhet 2026", deadline=utcnow() + timedelta(days=days)),
    )
    session.commit()
    return round_


@pytest.fixture
def maturity_round(session: Session, world: World) -> MaturityRound:
    """An open round of the owner municipality."""
    return open_round(session, world)


def invite_member(session: Session, world: World, round_: MaturityRound, user: User) -> int:
    """Invite a member of the owner municipality by account (the round's opener invites)."""
    rel = permissions.round_relation(session, world.procurer, round_.id or 0)
    respondent = rounds.invite(
        session,
        rel=rel,
        data=RespondentInvite(user_id=user.id, unit=MaturityUnit.service_area, unit_detail="Helse"),
    )
    session.commit()
    return respondent.id or 0


def pass_deadline(session: Session, round_: MaturityRound) -> None:
    """Let the round's deadline pass without anyone closing it."""
    round_.deadline = utcnow() - timedelta(minutes=1)
    session.add(round_)
    session.commit()


@pytest.fixture
def respondent(session: Session, world: World, maturity_round: MaturityRound) -> int:
    """The owner's employee, invited to the open round by account; the respondent's id."""
    return invite_member(session, world, maturity_round, world.employee)
