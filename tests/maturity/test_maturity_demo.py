"""The demo's self-assessments: Trondheim's two closed rounds a year apart with actions from the
first, and Stjørdal's open round, each seen only by its own municipality."""

from __future__ import annotations

from statistics import median

from sqlmodel import Session, col, select

from app import demo
from app.models import (
    MaturityAction,
    MaturityAnswer,
    MaturityRespondent,
    MaturityRound,
    Organisation,
    User,
)
from app.models.maturity import ActionStatus
from app.services import permissions
from app.services.maturity import rounds


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _org(session: Session, name: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.name == name)).one()


def _levels(session: Session, round_: MaturityRound, indicator: str) -> dict[str, list[int]]:
    rows = session.exec(
        select(MaturityRespondent.unit, MaturityAnswer.level)
        .join(MaturityAnswer, col(MaturityAnswer.respondent_id) == MaturityRespondent.id)
        .where(
            MaturityRespondent.round_id == round_.id,
            MaturityAnswer.indicator_key == indicator,
            col(MaturityAnswer.level).is_not(None),
        )
    ).all()
    found: dict[str, list[int]] = {}
    for unit, level in rows:
        found.setdefault(unit, []).append(level or 0)
    return found


def _all(levels: dict[str, list[int]]) -> list[int]:
    return [level for unit in levels.values() for level in unit]


def test_the_demo_tells_trondheims_two_rounds_and_stjordals_open_one(session: Session) -> None:
    demo.load_demo(session)
    trondheim, stjordal = _org(session, "Trondheim kommune"), _org(session, "Stjørdal kommune")
    procurer = _user(session, "innkjoper@trondheim.example")
    rel = permissions.organisation_relation(session, procurer, trondheim)
    second, first = rounds.visible_rounds(session, rel=rel)
    assert not permissions.round_is_open(first) and not permissions.round_is_open(second)
    assert 350 <= (second.opened_at - first.opened_at).days <= 380
    for round_ in (first, second):
        units = set(_levels(session, round_, "market_dialogue"))
        assert len(units) >= 3, units
    # progress in the market dialogue, and units that disagree on the anchoring in the second
    before, after = (
        _levels(session, first, "market_dialogue"),
        _levels(session, second, "market_dialogue"),
    )
    assert median(_all(after)) > median(_all(before))
    anchoring = _levels(session, second, "strategy_anchoring")
    assert min(anchoring["leadership"]) - max(anchoring["service_area"]) >= 3

    actions = session.exec(select(MaturityAction).where(MaturityAction.round_id == first.id)).all()
    statuses = [action.status for action in actions]
    assert statuses.count(ActionStatus.done) >= 2 and ActionStatus.in_progress in statuses
    assert all(a.outcome for a in actions if a.status == ActionStatus.done)

    stjordal_procurer = _user(session, "innkjoper@stjordal.example")
    mine = permissions.organisation_relation(session, stjordal_procurer, stjordal)
    [open_round] = rounds.visible_rounds(session, rel=mine)
    assert permissions.round_is_open(open_round)
    answered = rounds.answered_count(
        session,
        session.exec(
            select(MaturityRespondent.id).where(MaturityRespondent.round_id == open_round.id)
        ).all(),
    )
    assert len(answered) == 2
    others = permissions.organisation_relation(session, stjordal_procurer, trondheim)
    assert rounds.visible_rounds(session, rel=others) == []
    assert open_round not in rounds.visible_rounds(session, rel=rel)
