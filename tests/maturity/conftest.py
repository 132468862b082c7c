"""Shared set-up for the self-assessment tests: an open round of the world's owner municipality,
and a closed one with answers from several units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session

from app.models import MaturityRound, User
from app.models.base import Role, utcnow
from app.models.maturity import AnswerIn, MaturityUnit, RespondentInvite, RoundOpen
from app.services import permissions
from app.services.maturity import rounds
from tests.conftest import Factory, World


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


# ---- a closed round with answers from several units (exports, research) ---------------------

LEADER = "Lise Leder"
EVIDENCE = '=HYPERLINK("http://evil.example")'  # a formula a spreadsheet must never run
COMMENT = "Innkjøp er med tidlig, men ikke alltid."
POLITICIAN_EMAIL = "politiker@example.org"


@dataclass
class AnsweredRound:
    """A closed round of the owner municipality: the procurer (procurement), the employee
    (service area), a leader (leadership) answered; a politician invited by e-mail never did."""

    round: MaturityRound
    leader: User


def _answer(session: Session, user: User, round_: MaturityRound, answers: list[AnswerIn]) -> None:
    rel = permissions.round_relation(session, user, round_.id or 0)
    rounds.save_answers(session, rel=rel, answers=answers)


def answered_round(session: Session, world: World, factory: Factory) -> AnsweredRound:
    """Open a round, invite four respondents, answer, close it (see `AnsweredRound`)."""
    round_ = open_round(session, world)
    leader = factory.user(Role.employee, world.owner, name=LEADER)
    rel = permissions.round_relation(session, world.procurer, round_.id or 0)
    for data in (
        RespondentInvite(user_id=world.procurer.id, unit=MaturityUnit.procurement),
        RespondentInvite(
            user_id=world.employee.id, unit=MaturityUnit.service_area, unit_detail="Helse"
        ),
        RespondentInvite(user_id=leader.id, unit=MaturityUnit.leadership),
        RespondentInvite(email=POLITICIAN_EMAIL, unit=MaturityUnit.politics),
    ):
        rounds.invite(session, rel=rel, data=data)
    _answer(
        session,
        world.procurer,
        round_,
        [AnswerIn(indicator="market_dialogue", level=4, evidence=EVIDENCE, comment=COMMENT)],
    )
    _answer(
        session,
        world.employee,
        round_,
        [AnswerIn(indicator="market_dialogue", level=2), AnswerIn(indicator="roles", level=3)],
    )
    _answer(session, leader, round_, [AnswerIn(indicator="market_dialogue", dont_know=True)])
    rounds.close_round(
        session, rel=permissions.round_relation(session, world.procurer, round_.id or 0)
    )
    session.commit()
    return AnsweredRound(round_, leader)


@pytest.fixture
def answered(session: Session, world: World, factory: Factory) -> AnsweredRound:
    """A closed round with answers from three units (`AnsweredRound`)."""
    return answered_round(session, world, factory)
