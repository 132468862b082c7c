"""The self-assessment steps of the story: rounds, respondents, answers and actions.

Kinds of step and their fields (besides `do`, `on`, `by`, `key`):

- `maturity_round`: organisation, title, and either deadline (`day N, HH:MM` of the story) or
  deadline_in_days (from today, when the demo is loaded: the round is still open)
- `maturity_invite`: round, respondents (each a person, a unit and a detail)
- `maturity_answers`: round (answered by `by`), levels (1–5 by indicator, by dimension, or
  `default` for the rest; an indicator left out of everything is not answered), dont_know
  (indicators), evidence and comments (text by indicator), submit (whether they said they
  are done)
- `maturity_close`: round (closed by hand)
- `maturity_action`: round, dimension, indicator, title, description, owner (a person), due
  (`day N` of the story) — a development action chosen from the round's results
- `maturity_action_status`: action, status, outcome
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.demo.calendar import working_moment_in
from app.demo.story import Step, Story, day_and_clock
from app.maturity.model import load_model
from app.models import MaturityAction, MaturityRound
from app.models.base import id_of, utcnow
from app.models.maturity import (
    ActionStatus,
    AnswerIn,
    MaturityUnit,
    RespondentInvite,
    RoundOpen,
)
from app.models.vocabulary import AuditAction
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.maturity import rounds

Planner = Callable[[Story, Step], None]


def _deadline(story: Story, step: Step) -> datetime:
    if "deadline_in_days" in step:
        return working_moment_in(step["deadline_in_days"], 16, 0)
    day, clock = day_and_clock(step["deadline"])
    return story.moment(day, clock or "16:00")


def _round(story: Story, step: Step) -> None:
    def open_round() -> MaturityRound:
        org = story.organisations[step["organisation"]]
        rel = permissions.organisation_relation(story.session, story.person(step["by"]), org)
        data = RoundOpen(title=step["title"], deadline=_deadline(story, step))
        return rounds.open_round(story.session, rel=rel, data=data)

    story.at(step, open_round)


def _on_round(story: Story, step: Step) -> permissions.RoundRelation:
    """The relation of the step's actor to the step's round."""
    round_ = story.made[step["round"]]
    return permissions.round_relation(story.session, story.person(step["by"]), id_of(round_))


def _invite(story: Story, step: Step) -> None:
    def invite() -> None:
        rel = _on_round(story, step)
        for respondent in step["respondents"]:
            data = RespondentInvite(
                user_id=story.person(respondent["person"]).id,
                unit=MaturityUnit(respondent["unit"]),
                unit_detail=respondent.get("detail"),
            )
            rounds.invite(story.session, rel=rel, data=data)

    story.at(step, invite)


def answers(step: Step, round_: MaturityRound) -> list[AnswerIn]:
    """The step's answers on the round's model: each indicator's level from the most specific
    of `levels` (indicator, then dimension, then `default`), or don't know."""
    levels: dict[str, Any] = step.get("levels", {})
    dont_know = set(step.get("dont_know", []))
    evidence, comments = step.get("evidence", {}), step.get("comments", {})
    model = load_model(round_.model_version)
    found = []
    for dimension in model.dimensions():
        for indicator in dimension.indicators:
            key = indicator.key
            level = levels.get(key, levels.get(dimension.key, levels.get("default")))
            if level is None and key not in dont_know:
                continue
            found.append(
                AnswerIn(
                    indicator=key,
                    level=None if key in dont_know else level,
                    dont_know=key in dont_know,
                    evidence=evidence.get(key),
                    comment=comments.get(key),
                )
            )
    return found


def _answers(story: Story, step: Step) -> None:
    def answer() -> None:
        rel = _on_round(story, step)
        rounds.save_answers(story.session, rel=rel, answers=answers(step, rel.round))
        if step.get("submit", True):
            rounds.submit(story.session, rel=rel)

    story.at(step, answer)


def _close(story: Story, step: Step) -> None:
    story.at(step, lambda: rounds.close_round(story.session, rel=_on_round(story, step)))


def _action(story: Story, step: Step) -> None:
    """A development action from a round's results, written as its rows and its audit entry."""

    def add() -> MaturityAction:
        rel = _on_round(story, step)
        permissions.ensure_runs_round(rel)
        due_day, _clock = day_and_clock(step["due"])
        action = MaturityAction(
            round_id=id_of(rel.round),
            organisation_id=rel.round.organisation_id,
            dimension_key=step["dimension"],
            indicator_key=step.get("indicator"),
            title=step["title"],
            description=step.get("description"),
            owner_id=story.person(step["owner"]).id,
            due=story.moment(due_day, "12:00").date(),
            created_by_id=id_of(rel.user),
        )
        if action.indicator_key is not None:
            model = load_model(rel.round.model_version)
            if model.dimension_of(action.indicator_key).key != action.dimension_key:
                raise ValueError(f"{action.indicator_key} is not in {action.dimension_key}")
        contribution.record_for_organisation(
            story.session,
            actor=rel.user,
            organisation=rel.organisation,
            on=action,
            change=Change(
                AuditAction.maturity_action_added,
                before=None,
                after={"title": action.title, "status": action.status},
            ),
        )
        return action

    story.at(step, add)


def _action_status(story: Story, step: Step) -> None:
    def change() -> None:
        action: MaturityAction = story.made[step["action"]]
        rel = permissions.round_relation(story.session, story.person(step["by"]), action.round_id)
        permissions.ensure_runs_round(rel)
        before = {"status": action.status, "outcome": action.outcome}
        action.status = ActionStatus(step["status"])
        action.outcome = step.get("outcome", action.outcome)
        action.updated_at = utcnow()
        contribution.record_for_organisation(
            story.session,
            actor=rel.user,
            organisation=rel.organisation,
            on=action,
            change=Change(
                AuditAction.maturity_action_changed,
                before=before,
                after={"status": action.status, "outcome": action.outcome},
            ),
        )

    story.at(step, change)


MATURITY_STEPS: dict[str, Planner] = {
    "maturity_round": _round,
    "maturity_invite": _invite,
    "maturity_answers": _answers,
    "maturity_close": _close,
    "maturity_action": _action,
    "maturity_action_status": _action_status,
}
