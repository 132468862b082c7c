"""The phase rules: which dialogue action is open in which phase, and what a refusal says."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app import i18n
from app.models.base import Phase
from app.services import permissions
from app.services.errors import Forbidden
from app.services.permissions import DialogueAction
from tests.conftest import World

BEFORE_COMPETITION = {Phase.preparation, Phase.needs, Phase.market_dialogue}
MARKET_DIALOGUE = {Phase.market_dialogue}
# The rule as the brief states it; a change to the table must change this on purpose.
EXPECTED = {
    DialogueAction.post_need: BEFORE_COMPETITION,
    DialogueAction.comment: BEFORE_COMPETITION,
    DialogueAction.support: BEFORE_COMPETITION,
    DialogueAction.register_supplier: MARKET_DIALOGUE,
    DialogueAction.ask_question: MARKET_DIALOGUE,
    DialogueAction.submit_proposal: MARKET_DIALOGUE,
    DialogueAction.book_meeting: MARKET_DIALOGUE,
    DialogueAction.register_for_event: MARKET_DIALOGUE,
    DialogueAction.plan_event: BEFORE_COMPETITION,
}


@pytest.mark.parametrize("action", list(DialogueAction))
@pytest.mark.parametrize("phase", list(Phase))
def test_each_action_is_open_exactly_in_its_phases(action: DialogueAction, phase: Phase) -> None:
    assert permissions.phase_allows(phase, action) == (phase in EXPECTED[action])


def test_every_action_has_a_rule_and_a_refusal() -> None:
    assert set(permissions.PHASE_RULES) == set(DialogueAction) == set(permissions.PHASE_REFUSALS)


def _refusal(world: World, session: Session, action: DialogueAction, phase: Phase) -> str:
    world.public.phase = phase
    rel = permissions.relation(session, world.supplier, world.public)
    with pytest.raises(Forbidden) as refused:
        permissions.ensure_phase_allows(rel, action)
    return i18n.gettext(refused.value.message, **refused.value.params)


def test_refusal_says_what_is_closed_and_which_phase_the_project_is_in(
    world: World, session: Session
) -> None:
    with i18n.use_language("nb"):
        message = _refusal(world, session, DialogueAction.ask_question, Phase.competition)
    assert message == (
        "Spørsmål kan bare stilles under markedsdialogen; prosjektet er nå i fasen «Konkurranse»."
    )


@pytest.mark.parametrize(
    ("action", "phase", "english"),
    [
        (DialogueAction.post_need, Phase.competition, "no longer takes new needs"),
        (DialogueAction.comment, Phase.closed, "Comments are closed"),
        (DialogueAction.support, Phase.aborted, "Supports are closed"),
        (DialogueAction.register_supplier, Phase.needs, "Suppliers can only register"),
        (DialogueAction.submit_proposal, Phase.preparation, "Solution proposals can only"),
        (DialogueAction.book_meeting, Phase.contract_follow_up, "Meetings can only be booked"),
        (DialogueAction.register_for_event, Phase.benefit_realisation, "dialogue events"),
    ],
)
def test_each_refusal_names_the_action_and_the_current_phase(
    world: World, session: Session, action: DialogueAction, phase: Phase, english: str
) -> None:
    with i18n.use_language("en"):
        message = _refusal(world, session, action, phase)
    assert english in message
    assert f"the phase “{permissions.PHASE_LABELS[phase]}”" in message  # English is the msgid


@pytest.mark.parametrize("action", list(DialogueAction))
def test_an_open_phase_lets_the_action_through(
    world: World, session: Session, action: DialogueAction
) -> None:
    world.public.phase = Phase.market_dialogue  # every action is open in the market dialogue
    rel = permissions.relation(session, world.citizen, world.public)
    permissions.ensure_phase_allows(rel, action)
