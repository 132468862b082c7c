"""The demo's meetings, hearings and deadlines fall on Norwegian working days: never on a
weekend, a public holiday, or Christmas or New Year's Eve (no meetings on 25 December)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from app import demo
from app.demo import calendar
from app.i18n import TIMEZONE
from app.models import DialogueEvent, Hearing, MaturityRound, MeetingSlot


@pytest.mark.parametrize(
    "easter",
    [date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28), date(2038, 4, 25)],
)
def test_easter_sunday_is_computed_for_any_year(easter: date) -> None:
    assert calendar.easter_sunday(easter.year) == easter


def test_norway_s_public_holidays_of_2026() -> None:
    assert sorted(calendar.public_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 4, 2),  # Maundy Thursday
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 5),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 17),
        date(2026, 5, 24),  # Whit Sunday
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 23), date(2026, 12, 23)),  # a Wednesday
        (date(2026, 12, 24), date(2026, 12, 28)),  # Christmas Eve, Christmas, a weekend
        (date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Eve, New Year's Day, a weekend
        (date(2026, 4, 1), date(2026, 4, 1)),  # the Wednesday before Easter
        (date(2026, 4, 2), date(2026, 4, 7)),  # Easter
        (date(2026, 5, 16), date(2026, 5, 18)),  # a Saturday, then 17 May (a Sunday)
    ],
)
def test_a_date_moves_to_the_next_working_day(day: date, working: date) -> None:
    assert calendar.working_day_from(day) == working


def test_whatever_day_the_demo_is_loaded_its_dates_are_working_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = date(2026, 1, 1)
    for offset in range(366 * 2):
        today = start + timedelta(days=offset)
        monkeypatch.setattr(calendar, "today", lambda today=today: today)
        for days in (14, 21):
            moment = calendar.working_moment_in(days, 9, 0)
            assert calendar.is_working_day(moment.date()), (today, days)
            assert moment.date() >= today + timedelta(days=days)
            assert (moment.hour, moment.minute, moment.tzinfo) == (9, 0, TIMEZONE)


def test_a_demo_loaded_on_11_december_books_no_meeting_at_christmas(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """14 and 21 days after 11 December 2026 are Christmas Day and New Year's Day."""
    monkeypatch.setattr(calendar, "today", lambda: date(2026, 12, 11))
    demo.load_demo(session)
    slots = session.exec(select(MeetingSlot)).all()
    assert slots
    moments = [
        *(slot.starts_at for slot in slots),
        *(event.starts_at for event in session.exec(select(DialogueEvent))),
        *(hearing.deadline for hearing in session.exec(select(Hearing))),
    ]
    days = {moment.astimezone(TIMEZONE).date() for moment in moments}
    assert not [day for day in days if not calendar.is_working_day(day)]
    assert date(2026, 12, 28) in days  # the conference, the first working day after Christmas
    still_open = max(r.deadline for r in session.exec(select(MaturityRound)))
    assert calendar.is_working_day(still_open.astimezone(TIMEZONE).date())
