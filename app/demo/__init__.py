"""A believable demo: Trøndelag municipalities, suppliers, NTNU, three projects with real dialogue.

The story is data (`story.toml`): the cast, then the steps of ten weeks of dialogue before this
one. Everything goes through the services, so the demo's participation log is as real as any:
each step runs at its own day and hour (the services' clock, `history_clock`), in time order,
so the metrics have weeks, delays and threads to show. `cast` creates the people, `steps` says
how each kind of step plays, `story` plays them.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.demo.cast import (
    DEMO_PASSWORD,
    ORGANISATIONS,
    PEOPLE,
    STORY,
    USERS,
    create_cast,
    set_up_organisations,
)
from app.demo.pdf import demo_pdf
from app.demo.steps import plan
from app.demo.story import WEEKS, Story, earliest_day, first_day
from app.i18n import TIMEZONE
from app.models.base import history_clock
from app.services.notifications import delivery

__all__ = [
    "DEMO_PASSWORD",
    "ORGANISATIONS",
    "PEOPLE",
    "USERS",
    "WEEKS",
    "demo_pdf",
    "first_day",
    "load_demo",
]


def load_demo(session: Session) -> None:
    """Create the demo organisations and accounts, then tell the projects' ten weeks of dialogue."""
    story = Story(session, first_day(datetime.now(TIMEZONE).date()))
    with history_clock() as set_now:
        # Everyone has an account when the story (or its earliest history) begins.
        set_now(story.moment(earliest_day(STORY["step"]), "08:00"))
        story.organisations, story.people = create_cast(session)
        set_up_organisations(session, story.people, story.organisations)
        for step in STORY["step"]:
            plan(story, step)
        story.run(set_now)
    delivery.settle_history(session)
