"""An organisation's målform and look: its default written standard, accent colour and logo.

A municipality's målform decides the interface language of its members and of its projects'
pages for people who named no language, and the language its new projects are written in. Its
accent colour themes its own pages and its projects' through a stylesheet of our own; a colour
is taken only if white text on it, and it as link text on white, keep WCAG's 4.5:1 contrast.

Its logo (PNG or JPEG: no SVG, which can carry script) heads its projects' pages.

Pages read these on every view, so they are kept a short while per process (`look_of`), as are
a project's language and the owner of the page an address names.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from babel.numbers import format_decimal
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app import i18n
from app.db import new_session
from app.models import (
    DialogueEvent,
    Hearing,
    Need,
    Organisation,
    Project,
    Proposal,
    Requirement,
)
from app.models.vocabulary import AuditAction, AuditField
from app.services import contribution, permissions, uploads
from app.services.contribution import Change
from app.services.errors import Invalid, NotFound

ACCENT_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
MIN_CONTRAST = 4.5  # WCAG 2.1 AA, 1.4.3, for normal text
WHITE = "#ffffff"
CACHE_SECONDS = 30.0
LOGO_TYPES = frozenset({"image/png", "image/jpeg"})  # no SVG: it can carry script
LOGO_MAX_BYTES = 300_000


@dataclass(frozen=True)
class Look:
    """What pages need of an organisation: its målform, its accent colour and its logo (the
    address to show it at, and the organisation's name for its text alternative)."""

    language: str = i18n.DEFAULT_LANGUAGE
    accent: str | None = None
    logo_url: str | None = None
    name: str = ""


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def checked_accent(value: str) -> str | None:
    """A colour fit to be the accent, in lower case ("" gives None: the platform's own)."""
    value = value.strip()
    if not value:
        return None
    if not ACCENT_PATTERN.fullmatch(value):
        raise Invalid("Give the accent colour as # and six hexadecimal digits, like #0b5394.")
    # White text on the accent and the accent as link text on white are one and the same pair.
    ratio = contrast(value, WHITE)
    shown = format_decimal(ratio, "0.00", locale=i18n.babel_locale())
    if ratio < MIN_CONTRAST:
        raise Invalid(
            "The accent colour %(colour)s has a contrast of only %(ratio)s:1 with white; it "
            "needs at least 4.5:1 so that text on it and links in it can be read. Choose a "
            "darker colour.",
            colour=value,
            ratio=shown,
        )
    return value.lower()


def set_look(
    session: Session,
    *,
    rel: permissions.OrganisationRelation,
    language: str,
    accent: str,
) -> Organisation:
    """The organisation's administrators set its målform and accent colour; recorded in its
    audit log."""
    actor = permissions.ensure_org_admin(rel)
    if language not in i18n.LANGUAGES:
        raise Invalid("Choose bokmål, nynorsk or English.")
    colour = checked_accent(accent)
    organisation = rel.organisation
    wanted: dict[str, Any] = {
        AuditField.default_language.value: language,
        AuditField.accent_colour.value: colour,
    }
    current = {
        AuditField.default_language.value: organisation.default_language,
        AuditField.accent_colour.value: organisation.accent_colour,
    }
    changed = [name for name in wanted if wanted[name] != current[name]]
    if not changed:
        return organisation
    organisation.default_language = language
    organisation.accent_colour = colour
    change = Change(
        AuditAction.organisation_look_set,
        before={name: current[name] for name in changed},
        after={name: wanted[name] for name in changed},
    )
    contribution.record_for_organisation(
        session, actor=actor, organisation=organisation, on=organisation, change=change
    )
    forget(organisation.id)
    return organisation


def set_logo(
    session: Session,
    *,
    rel: permissions.OrganisationRelation,
    stream: BinaryIO | None,
    filename: str | None,
    size: int | None,
) -> Organisation:
    """The organisation's administrators upload its logo (PNG or JPEG, at most 300 kB), or
    remove it with no file; recorded in its audit log."""
    actor = permissions.ensure_org_admin(rel)
    organisation = rel.organisation
    sha256, content_type = None, None
    if stream is not None:
        if size is not None and size > LOGO_MAX_BYTES:
            raise Invalid("The logo must be at most %(kb)s kB.", kb=str(LOGO_MAX_BYTES // 1000))
        stored = uploads.store(stream, filename=filename)
        if stored.content_type not in LOGO_TYPES:
            raise Invalid("The logo must be a PNG or JPEG image.")
        if stored.size > LOGO_MAX_BYTES:
            raise Invalid("The logo must be at most %(kb)s kB.", kb=str(LOGO_MAX_BYTES // 1000))
        sha256, content_type = stored.sha256, stored.content_type
    if sha256 == organisation.logo_sha256:
        return organisation
    field = AuditField.logo.value
    change = Change(
        AuditAction.organisation_logo_set,
        before={field: organisation.logo_sha256},
        after={field: sha256},
    )
    organisation.logo_sha256, organisation.logo_type = sha256, content_type
    contribution.record_for_organisation(
        session, actor=actor, organisation=organisation, on=organisation, change=change
    )
    forget(organisation.id)
    return organisation


def logo_url(organisation: Organisation) -> str | None:
    """Where the organisation's logo is shown from (its digest in the address: cached long)."""
    if not organisation.logo_sha256:
        return None
    return f"/organisations/{organisation.id}/logo?v={organisation.logo_sha256[:12]}"


def logo_file(session: Session, *, organisation_id: int) -> tuple[Path, str]:
    """The organisation's logo file and its type (anyone may see it); 404 without one."""
    organisation = organisation_for_theme(session, organisation_id=organisation_id)
    if not organisation.logo_sha256 or organisation.logo_type not in LOGO_TYPES:
        raise NotFound("The organisation has no logo.")
    return uploads.open_stored(organisation.logo_sha256), organisation.logo_type


def organisation_for_theme(session: Session, *, organisation_id: int) -> Organisation:
    """The organisation whose stylesheet is asked for (anyone may read its colour); 404 for
    one that does not exist."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


# ---- read by every page -------------------------------------------------------------------------

_cache: dict[int, tuple[float, Look]] = {}
_lock = threading.Lock()


def look_of(organisation_id: int | None) -> Look:
    """The organisation's look as pages use it (read in a session of its own, kept briefly)."""
    if organisation_id is None:
        return Look()
    now = time.monotonic()
    with _lock:
        kept = _cache.get(organisation_id)
    if kept is not None and now - kept[0] < CACHE_SECONDS:
        return kept[1]
    with new_session() as session:
        organisation = session.get(Organisation, organisation_id)
        look = (
            Look(
                organisation.default_language,
                organisation.accent_colour,
                logo_url(organisation),
                organisation.name,
            )
            if organisation is not None
            else Look()
        )
    with _lock:
        _cache[organisation_id] = (now, look)
    return look


def forget(organisation_id: int | None) -> None:
    """Drop what this process keeps of an organisation's look (it has just changed)."""
    with _lock:
        _cache.pop(organisation_id or 0, None)


def forget_all() -> None:
    """Drop every kept look and page owner (tests start on a fresh database)."""
    with _lock:
        _cache.clear()
        _owners.clear()
        _written.clear()


# The pages that belong to an organisation, by address: its own, and its projects' (the owner
# of the project the page's object is in).
PAGE_ADDRESS = re.compile(
    r"/(organisations|projects|needs|events|proposals|requirements|hearings)/([0-9]{1,18})(?:/|$)"
)
_OWNER_OF: dict[str, Any] = {
    "projects": select(Project.owner_org_id).where(Project.id == bindparam("id")),
    **{
        kind: select(Project.owner_org_id)
        .join(model, col(model.project_id) == Project.id)
        .where(col(model.id) == bindparam("id"))
        for kind, model in (
            ("needs", Need),
            ("events", DialogueEvent),
            ("proposals", Proposal),
            ("requirements", Requirement),
            ("hearings", Hearing),
        )
    },
}
_owners: dict[tuple[str, int], int | None] = {}


def page_owner(path: str) -> int | None:
    """The organisation a page belongs to, by its address (None: the platform's own page)."""
    match = PAGE_ADDRESS.match(path)
    if match is None:
        return None
    kind, number = match.group(1), int(match.group(2))
    if kind == "organisations":
        return number
    key = (kind, number)
    with _lock:
        if key in _owners:
            return _owners[key]
    with new_session() as session:
        owner = session.execute(_OWNER_OF[kind], {"id": number}).scalar_one_or_none()
    with _lock:
        if len(_owners) > 100_000:  # a project's owner never changes; keep the memory bounded
            _owners.clear()
        _owners[key] = owner
    return owner


_written: dict[int, tuple[float, str]] = {}


def written_language(project_id: int | None) -> str | None:
    """The language a project is written in (kept briefly, like looks; None: no such project)."""
    if project_id is None:
        return None
    now = time.monotonic()
    with _lock:
        kept = _written.get(project_id)
    if kept is not None and now - kept[0] < CACHE_SECONDS:
        return kept[1]
    with new_session() as session:
        language = session.execute(
            select(Project.language).where(Project.id == project_id)
        ).scalar_one_or_none()
    if language is not None:
        with _lock:
            _written[project_id] = (now, language)
    return language


def forget_written_language(project_id: int) -> None:
    """Drop what this process keeps of a project's language (it has just changed)."""
    with _lock:
        _written.pop(project_id, None)


def default_language(*, member_of: int | None, path: str) -> str | None:
    """The language for someone who named none: their organisation's målform, else that of the
    organisation whose page it is (None: neither, the site's default)."""
    owner = member_of if member_of is not None else page_owner(path)
    return look_of(owner).language if owner is not None else None
