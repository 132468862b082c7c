"""Shared set-up for the self-assessment tests: an open round of the world's owner municipality,
and a closed one with answers from several units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session

from app.maturity.model import load_model
from app.models import Document, MaturityRound, Organisation, Project, User
from app.models.base import Role, id_of, utcnow
from app.models.document import DocumentAudience, DocumentKind
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


@pytest.fixture
def respondent(session: Session, world: World, maturity_round: MaturityRound) -> int:
    """The owner's employee, invited to the open round by account; the respondent's id."""
    return invite_member(session, world, maturity_round, world.employee)


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


def close(session: Session, world: World, round_: MaturityRound) -> None:
    """Close the round by hand (its procurer)."""
    rounds.close_round(
        session, rel=permissions.round_relation(session, world.procurer, round_.id or 0)
    )
    session.commit()


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
def answered(session: Session, world: World, factory: Factory) -> AnsweredRound:
    """A closed round with answers from three units (`AnsweredRound`)."""
    return answered_round(session, world, factory)


# A respondent's answers: indicator key → level, or None for "don't know".
Levels = Mapping[str, int | None]


def run_round(
    session: Session,
    *,
    opener: User,
    organisation: Organisation,
    answers: Sequence[tuple[User, MaturityUnit, Levels]],
    close: bool = True,
    title: str = "Modenhet",
) -> MaturityRound:
    """A round of `organisation` opened by `opener`, each respondent invited by account from
    their unit and their levels saved (None: "don't know"), closed unless `close` is False."""
    org_rel = permissions.organisation_relation(session, opener, organisation)
    round_ = rounds.open_round(
        session,
        rel=org_rel,
        data=RoundOpen(title=title, deadline=utcnow() + timedelta(days=14)),
    )
    session.flush()
    owner = permissions.round_relation(session, opener, id_of(round_))
    for user, unit, _ in answers:
        rounds.invite(session, rel=owner, data=RespondentInvite(user_id=user.id, unit=unit))
    session.flush()
    for user, _, levels in answers:
        rel = permissions.round_relation(session, user, id_of(round_))
        given = [
            AnswerIn(indicator=key, level=level, dont_know=level is None)
            for key, level in levels.items()
        ]
        rounds.save_answers(session, rel=rel, answers=given)
    if close:
        rounds.close_round(session, rel=permissions.round_relation(session, opener, id_of(round_)))
    session.commit()
    return round_


def completed_elsewhere(session: Session, factory: Factory, level: int) -> MaturityRound:
    """Another municipality with one completed round, its procurer answering `level` on every
    indicator of the newest model."""
    org = factory.org()
    procurer = factory.user(Role.procurer, org)
    levels: Levels = {i.key: level for i in load_model().indicators()}
    return run_round(
        session,
        opener=procurer,
        organisation=org,
        answers=[(procurer, MaturityUnit.procurement, levels)],
    )


def add_document(
    session: Session,
    project: Project,
    title: str,
    *,
    audience: DocumentAudience = DocumentAudience.public,
    published: bool = True,
    withdrawn: bool = False,
    age: timedelta = timedelta(0),
) -> int:
    """A document of the project, published `age` ago unless a draft; its id."""
    moment = utcnow() - age
    document = Document(
        project_id=id_of(project),
        kind=DocumentKind.other,
        title=title,
        audience=audience,
        sha256="0" * 64,
        size=10,
        content_type="application/pdf",
        filename=f"{title}.pdf",
        uploaded_by_id=project.created_by_id,
        published_at=moment if published else None,
        withdrawn_at=moment if withdrawn else None,
    )
    session.add(document)
    session.commit()
    return id_of(document)
