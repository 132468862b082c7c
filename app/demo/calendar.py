"""Working days in Norway: the demo's meetings, hearings and deadlines fall on them, never on a
weekend or a public holiday (no one-to-one meetings on Christmas Day)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from app.i18n import TIMEZONE

# Days most workplaces close although the law does not make them holidays.
CLOSED_BY_CUSTOM = ((12, 24), (12, 31))


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache
def public_holidays(year: int) -> frozenset[date]:
    """Norway's public holidays (helligdager and høytidsdager) in a year."""
    easter = easter_sunday(year)
    around_easter = (-3, -2, 0, 1, 39, 49, 50)  # Maundy Thursday … Whit Monday
    fixed = ((1, 1), (5, 1), (5, 17), (12, 25), (12, 26))
    return frozenset(
        [easter + timedelta(days=offset) for offset in around_easter]
        + [date(year, month, day) for month, day in fixed]
    )


def is_working_day(day: date) -> bool:
    """A weekday that is neither a public holiday nor Christmas or New Year's Eve."""
    return (
        day.weekday() < 5
        and day not in public_holidays(day.year)
        and (day.month, day.day) not in CLOSED_BY_CUSTOM
    )


def working_day_from(day: date) -> date:
    """The day itself if it is a working day, else the next one that is."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def today() -> date:
    """Today in Norway (the day the demo is loaded)."""
    return datetime.now(TIMEZONE).date()


def working_moment_in(days: int, hour: int, minute: int) -> datetime:
    """hour:minute (Norwegian time) on the first working day at least `days` days from today."""
    start = today() + timedelta(days=days)
    return datetime.combine(working_day_from(start), time(hour, minute), TIMEZONE)
