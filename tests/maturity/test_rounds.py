"""Self-assessment rounds: who opens them, who answers, saving as one goes, and closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.models import AuditEntry, MaturityAnswer, MaturityRound, Membership
from app.models.base import utcnow
from app.models.maturity import AnswerIn, MaturityUnit, RespondentInvite, RoundOpen
from app.models.membership import MembershipStatus
from app.services import permissions
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.maturity import rounds
from tests.conftest import World


def _invite(session: Session, world: World, round_: MaturityRound, user_id: int) -> None:
    rel = permissions.round_relation(session, world.procurer, round_.id or 0)
    rounds.invite(
        session, rel=rel, data=RespondentInvite(user_id=user_id, unit=MaturityUnit.service_area)
    )
    session.commit()


def test_a_procurer_opens_a_round_on_the_newest_model_and_it_is_audited(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    assert maturity_round.model_version >= 1
    assert permissions.round_is_open(maturity_round)
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "maturity_round_opened")
    ).one()
    assert entry.organisation_id == world.owner.id


@pytest.mark.parametrize("who", ["employee", "citizen", "supplier", "other_procurer"])
def test_only_the_municipalitys_procurers_and_administrators_open_rounds(
    session: Session, world: World, who: str
) -> None:
    rel = permissions.organisation_relation(session, getattr(world, who), world.owner)
    with pytest.raises(Forbidden):
        rounds.open_round(
            session, rel=rel, data=RoundOpen(title="X", deadline=utcnow() + timedelta(days=3))
        )


def test_a_deadline_in_the_past_is_refused(session: Session, world: World) -> None:
    rel = permissions.organisation_relation(session, world.procurer, world.owner)
    with pytest.raises(Invalid):
        rounds.open_round(
            session, rel=rel, data=RoundOpen(title="X", deadline=utcnow() - timedelta(hours=1))
        )


def test_answers_save_as_they_go_and_replace_the_earlier_answer(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _invite(session, world, maturity_round, world.employee.id or 0)
    rel = permissions.round_relation(session, world.employee, maturity_round.id or 0)
    rounds.save_answers(session, rel=rel, answers=[AnswerIn(indicator="need_discovery", level=2)])
    rounds.save_answers(
        session,
        rel=rel,
        answers=[AnswerIn(indicator="need_discovery", level=3, comment=" Bedre i år ")],
    )
    session.commit()
    answers = session.exec(select(MaturityAnswer)).all()
    assert [(a.level, a.comment) for a in answers] == [(3, "Bedre i år")]


def test_dont_know_is_an_answer_of_its_own_and_cannot_carry_a_level() -> None:
    assert AnswerIn(indicator="need_discovery", dont_know=True).level is None
    with pytest.raises(ValueError):
        AnswerIn(indicator="need_discovery", dont_know=True, level=2)


def test_an_unknown_indicator_writes_nothing(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _invite(session, world, maturity_round, world.employee.id or 0)
    rel = permissions.round_relation(session, world.employee, maturity_round.id or 0)
    with pytest.raises(Invalid):
        rounds.save_answers(
            session,
            rel=rel,
            answers=[
                AnswerIn(indicator="need_discovery", level=2),
                AnswerIn(indicator="no_such_thing", level=2),
            ],
        )
    assert session.exec(select(MaturityAnswer)).all() == []


def test_answers_are_frozen_once_the_round_is_closed(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _invite(session, world, maturity_round, world.employee.id or 0)
    owner = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    rounds.close_round(session, rel=owner)
    session.commit()
    rel = permissions.round_relation(session, world.employee, maturity_round.id or 0)
    with pytest.raises(Conflict):
        rounds.save_answers(session, rel=rel, answers=[AnswerIn(indicator="need_discovery")])
    with pytest.raises(Conflict):
        rounds.close_round(session, rel=owner)


@pytest.mark.parametrize(
    "who", ["employee", "citizen", "supplier", "other_procurer", "partner_procurer", "researcher"]
)
def test_people_outside_the_round_do_not_learn_it_exists(
    session: Session, world: World, maturity_round: MaturityRound, who: str
) -> None:
    with pytest.raises(NotFound):
        permissions.round_relation(session, getattr(world, who), maturity_round.id or 0)


def test_only_members_are_invited_by_account(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    rel = permissions.round_relation(session, world.procurer, maturity_round.id or 0)
    with pytest.raises(Invalid):
        rounds.invite(
            session,
            rel=rel,
            data=RespondentInvite(user_id=world.citizen.id, unit=MaturityUnit.politics),
        )
    _invite(session, world, maturity_round, world.employee.id or 0)
    with pytest.raises(Conflict):
        _invite(session, world, maturity_round, world.employee.id or 0)


def test_a_procurer_who_left_the_municipality_no_longer_sees_the_round_they_opened(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    membership = session.exec(
        select(Membership).where(
            Membership.user_id == world.procurer.id, Membership.organisation_id == world.owner.id
        )
    ).one()
    membership.status = MembershipStatus.revoked
    session.add(membership)
    session.commit()
    with pytest.raises(NotFound):
        permissions.round_relation(session, world.procurer, maturity_round.id or 0)


def test_an_indicator_given_twice_in_one_save_is_refused_and_nothing_written(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    _invite(session, world, maturity_round, world.employee.id or 0)
    rel = permissions.round_relation(session, world.employee, maturity_round.id or 0)
    twice = [AnswerIn(indicator="need_discovery", level=2), AnswerIn(indicator="need_discovery")]
    with pytest.raises(Invalid):
        rounds.save_answers(session, rel=rel, answers=twice)
    assert session.exec(select(MaturityAnswer)).all() == []
