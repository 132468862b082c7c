"""Translations through Babel catalogs; the language of the current request lives in a contextvar.

Message ids are English; `app/locale/<lang>/LC_MESSAGES/messages.po` hold the translations.
Bokmål (nb) is the default language; nynorsk (nn) and English (en) are the others.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from gettext import c2py
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}
DEFAULT_LANGUAGE = "nb"
# Babel's locale for each language's dates and numbers.
BABEL_LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}
# Browser language tags that name one of ours: "no" (Norwegian, either form) is read as bokmål.
_BROWSER_TAGS = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}
TIMEZONE = ZoneInfo("Europe/Oslo")
PAGE_LANGUAGE_PARAM = "lang"  # in a live socket's address: the language of the page that opened it
# In a request's scope: whether the person (cookie, account, browser) named the language.
LANGUAGE_CHOSEN_KEY = "pivotal.language_chosen"

_current: ContextVar[str] = ContextVar("pivotal_language", default=DEFAULT_LANGUAGE)


@lru_cache
def catalog(lang: str) -> Translations:
    """The translations for a language, read from its .po file (no compile step needed)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    translations = Translations()
    if po.exists():
        with po.open("rb") as handle:
            cat = read_po(handle, locale=lang)
        for message in cat:
            if message.id and message.string and not message.fuzzy:
                key = message.id if isinstance(message.id, str) else message.id[0]
                translations._catalog[key] = (
                    message.string if isinstance(message.string, str) else message.string[0]
                )
                if not isinstance(message.id, str):
                    for index, text in enumerate(message.string):
                        translations._catalog[(message.id[0], index)] = text
        # babel types `plural` as taking floats too; c2py's takes ints, all that ngettext passes
        translations.plural = c2py(cat.plural_expr)  # type: ignore[assignment]
    return translations


def current_language() -> str:
    """The language of the current request or render."""
    return _current.get()


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[None]:
    """Render or translate in `lang` inside the block."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params: object) -> str:
    """Translate a message into the current language and fill in %(name)s parameters."""
    text = catalog(current_language()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Translate a message with a plural form."""
    text = catalog(current_language()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


_ = gettext


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class LazyText:
    """A message translated only when it is shown, in the language of that moment.

    Services refuse with parameters like a phase's name; the error handler fills them into the
    translated message, and this turns into the visitor's language right there.
    """

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return gettext(self.message)

    def __repr__(self) -> str:
        return f"LazyText({self.message!r})"


def live_socket_url(path: str) -> str:
    """The address of a live socket that pushes in the language the page is rendered in.

    A browser's WebSocket handshake need not carry the page's Accept-Language (Chromium's may
    carry the machine's), and the cookie may have changed since the page was rendered; what the
    socket pushes must match the page around it, so the page names its language.
    """
    return f"{path}?{PAGE_LANGUAGE_PARAM}={current_language()}"


# A date and a time the way each language writes them: "27. okt. 2026 kl. 09.00" in Norwegian
# (Språkrådet: a full stop between hours and minutes), "27 Oct 2026, 09:00" in English.
DATETIME_PATTERNS = {"nb": "d. MMM y 'kl.' HH.mm", "nn": "d. MMM y 'kl.' HH.mm"}
DATETIME_PATTERN_EN = "d MMM y, HH:mm"
DATE_PATTERNS = {"nb": "d. MMM y", "nn": "d. MMM y"}
DATE_PATTERN_EN = "d MMM y"


def format_time(value: datetime | None, pattern: str | None = None) -> str:
    """A timestamp in Norwegian time, in the current language's style (`pattern`: babel's)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    if pattern is None:
        pattern = DATETIME_PATTERNS.get(current_language(), DATETIME_PATTERN_EN)
    return format_datetime(value, pattern, tzinfo=TIMEZONE, locale=babel_locale())


def babel_locale(lang: str | None = None) -> Locale:
    """Babel's locale for a language (the current one by default), for dates and numbers."""
    return Locale.parse(BABEL_LOCALES.get(lang or current_language(), "nb_NO"))


def browser_language(accept_language: str | None) -> str | None:
    """The language of ours the browser prefers most (by q-value, then order), or None.

    `nn`, `nn-NO` give nynorsk; `nb`, `no` and their regions bokmål; `en-*` English; a tag with
    q=0 is refused, not wanted.
    """
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        ours = _BROWSER_TAGS.get(tag.lower().split("-")[0])
        if ours is None:
            continue
        quality = 1.0
        for param in params:
            name, _sep, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        if best is None or (-quality, position) < (-best[0], best[1]):
            best = (quality, position, ours)
    return best[2] if best else None


TIME_PATTERNS = {"nb": "HH.mm", "nn": "HH.mm"}
TIME_PATTERN_EN = "HH:mm"


def format_period(start: datetime, end: datetime) -> str:
    """From one moment to another: "27. okt. 2026 kl. 09.00–09.30" within a day (Norwegian
    time), both in full otherwise."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo("UTC"))
    if end.tzinfo is None:
        end = end.replace(tzinfo=ZoneInfo("UTC"))
    if start.astimezone(TIMEZONE).date() != end.astimezone(TIMEZONE).date():
        return f"{format_time(start)} – {format_time(end)}"
    clock = TIME_PATTERNS.get(current_language(), TIME_PATTERN_EN)
    return f"{format_time(start)}–{format_time(end, clock)}"


def machine_time(value: date | datetime) -> str:
    """A moment or a day for a `<time datetime>` attribute: ISO 8601, whole seconds (HTML allows
    at most three digits of a second)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def format_day(value: date | datetime | None) -> str:
    """A calendar date in the current language's style: "27. okt. 2026", "27 Oct 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_time(value, DATE_PATTERNS.get(current_language(), DATE_PATTERN_EN))
    pattern = DATE_PATTERNS.get(current_language(), DATE_PATTERN_EN)
    return format_date(value, pattern, locale=babel_locale())


def _iso_week(value: str | date) -> tuple[int, int]:
    """(year, week) of an ISO week given as `2026-W39` or as a day in it."""
    if isinstance(value, date):
        year, week, _day = value.isocalendar()
        return year, week
    year_text, _w, week_text = value.partition("-W")
    return int(year_text), int(week_text)


def format_week(value: str | date | None, *, with_year: bool = True) -> str:
    """An ISO week as people say it: "uke 39, 2026" (or "uke 39"), "week 39, 2026" in English."""
    if value is None:
        return ""
    year, week = _iso_week(value)
    if with_year:
        return gettext("week %(week)s, %(year)s", week=week, year=year)
    return gettext("week %(week)s", week=week)


def format_file_size(size: int) -> str:
    """A file size in words: "45 byte", "12,3 kB", "1,2 MB" (decimal units, the language's
    decimal mark)."""
    if size < 1000:
        return ngettext("%(num)s byte", "%(num)s bytes", size)
    unit, scaled = ("kB", size / 1000) if size < 1_000_000 else ("MB", size / 1_000_000)
    return f"{format_decimal(scaled, '#,##0.#', locale=babel_locale())} {unit}"


def pick_language(
    cookie: str | None,
    accept_language: str | None,
    *,
    page: str | None = None,
    profile: str | None = None,
) -> str | None:
    """The language the person asked for: the page's own (a live socket's), the cookie, the
    account's choice, then the browser's Accept-Language; None when none names one of ours
    (then the organisation's målform or the site default decides)."""
    for chosen in (page, cookie, profile):
        if chosen in LANGUAGES:
            return chosen
    return browser_language(accept_language)
