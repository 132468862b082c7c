"""The story's player: it plans each step of `story.toml` at its moment and runs them in time
order, each at its own day and hour (the services' clock, `history_clock`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from app.i18n import TIMEZONE
from app.models import Organisation, User
from app.services import permissions

WEEKS = 10  # the story runs over the ten whole weeks before the current one
# Some of it reaches further back: a municipality's self-assessment a year before this one.
HISTORY_DAYS = 400

# A step of the story as `story.toml` writes it.
Step = dict[str, Any]


def first_day(today: date) -> date:
    """Day 0 of the story: the Monday `WEEKS` weeks before the current week's Monday."""
    return today - timedelta(days=today.weekday(), weeks=WEEKS)


def when(step: Step) -> tuple[int, str | None]:
    """The day and clock (HH:MM, or None) a step's `on` names, e.g. `day 2, 07:45` (a day
    before the story's first, `day -300`, for what happened long before)."""
    return day_and_clock(step["on"])


def day_and_clock(text: str) -> tuple[int, str | None]:
    """The day and clock of `day N, HH:MM` (or `day N`)."""
    day, _, clock = text.partition(",")
    kind, _, number = day.strip().partition(" ")
    if kind != "day" or not number.removeprefix("-").isdigit():
        raise ValueError(f"A step's `on` reads `day N, HH:MM`, not {text!r}")
    return int(number), clock.strip() or None


def earliest_day(steps: list[Step]) -> int:
    """The first day any step happens on (0 unless some happen before the story's first)."""
    return min([0, *(when(step)[0] for step in steps)])


@dataclass
class Story:
    """Steps on days of the story, each run at its moment (Norwegian time) in time order."""

    session: Session
    day0: date
    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    steps: list[tuple[datetime, int, str | None, Callable[[], Any]]] = field(default_factory=list)
    made: dict[str, Any] = field(default_factory=dict)
    need_project: dict[str, str] = field(default_factory=dict)  # need key -> project key

    def moment(self, day: int, clock: str) -> datetime:
        """The moment `clock` (HH:MM, Norwegian time) on day `day` of the story."""
        hour, minute = (int(part) for part in clock.split(":"))
        return datetime.combine(self.day0 + timedelta(days=day), time(hour, minute), TIMEZONE)

    def on(self, day: int, clock: str, step: Callable[[], Any], key: str | None = None) -> None:
        """Plan `step` for that moment; its result is kept as `made[key]`."""
        if not -HISTORY_DAYS <= day < 7 * WEEKS:
            raise ValueError(f"Day {day} is outside the story's {WEEKS} weeks and its history")
        self.steps.append((self.moment(day, clock), len(self.steps), key, step))

    def at(self, step: Step, action: Callable[[], Any]) -> None:
        """Plan `action` at the step's moment, keeping its result under the step's key."""
        day, clock = when(step)
        if clock is None:
            raise ValueError(f"The step {step['do']!r} on day {day} needs a time of day")
        self.on(day, clock, action, step.get("key"))

    def run(self, set_now: Callable[[datetime], None]) -> None:
        """Run every step in time order, each at its moment, flushing after each."""
        for moment, _order, key, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            set_now(moment)
            result = step()
            self.session.flush()
            if key is not None:
                self.made[key] = result

    def person(self, key: str) -> User:
        """The person the story names by `key`."""
        return self.people[key]

    def rel(self, user: User, project: str) -> permissions.ProjectRelation:
        """The person's relation to a project the story made."""
        return permissions.relation(self.session, user, self.made[project])

    def by(self, step: Step, project: str | None = None) -> permissions.ProjectRelation:
        """The relation of the step's actor (`by`) to its project (or the one given)."""
        return self.rel(self.person(step["by"]), project or step["project"])
