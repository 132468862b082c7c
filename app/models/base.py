"""Shared column helpers and enumerations used across domains."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol, TypeVar

import sqlalchemy as sa
from annotated_types import Ge, Le
from pydantic_core import PydanticCustomError
from sqlmodel import Field

from app.i18n import N_
from app.models.vocabulary import register_labels

# The id columns are INTEGER: 32 bits on PostgreSQL (SQLite stores 64). Keys start at 1.
MAX_ID = 2**31 - 1
# An object id from outside (path, query, form, JSON): one no database row can have is
# invalid input (422), not an overflow deep in the driver (500).
Id = Annotated[int, Ge(1), Le(MAX_ID)]
# A language people write in here (app.i18n.LANGUAGES): bokmål, nynorsk or English.
WrittenLanguage = Literal["nb", "nn", "en"]
# A position in an append-only log from outside: 0 (from the start) or an id.
Cursor = Annotated[int, Ge(0), Le(MAX_ID)]


S = TypeVar("S")


def strip_text(
    schema: S, required: tuple[str, ...], blank: str, optional: tuple[str, ...] = ()
) -> S:
    """Strip an input schema's text fields, and refuse it with the message `blank` when a
    required one holds only spaces (the lengths were checked before; the message names them)."""
    for name in required + optional:
        setattr(schema, name, getattr(schema, name).strip())
    if not all(getattr(schema, name) for name in required):
        raise PydanticCustomError("blank", blank)
    return schema


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Stored) -> int:
    """The primary key of a stored row; SQLModel types it `int | None` until the row is flushed."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it first")
    return row.id


# A moment that stands in for "now" in this context only: the demo writes its history at the
# days it tells of, through the same services (every timestamp and log entry reads `utcnow`).
_history_now: ContextVar[datetime | None] = ContextVar("history_now", default=None)


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware (or the moment `history_clock` holds in this context)."""
    return _history_now.get() or datetime.now(UTC)


def writing_history() -> bool:
    """Whether this context writes at a past moment (`history_clock`), as the demo does."""
    return _history_now.get() is not None


@contextmanager
def history_clock() -> Iterator[Callable[[datetime], None]]:
    """Within the block, `utcnow()` returns the moment last set through the yielded setter.

    Only the current context sees it (not other threads or requests); past moments only.
    """
    token = _history_now.set(None)

    def set_now(moment: datetime) -> None:
        if moment.tzinfo is None or moment > datetime.now(UTC):
            raise ValueError("history_clock takes timezone-aware moments in the past")
        _history_now.set(moment.astimezone(UTC))

    try:
        yield set_now
    finally:
        _history_now.reset(token)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A moment, stored as UTC and always read back timezone-aware in UTC.

    PostgreSQL keeps the zone (timestamptz); SQLite keeps text without one, so a moment is
    converted to UTC before it is stored and given its zone back when read.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """To UTC before storing (a naive moment is taken to be UTC already)."""
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Back as timezone-aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def created_at_field() -> Any:
    """A timezone-aware creation timestamp, filled in by Python."""
    return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


def enum_field(enum: type[StrEnum], *, default: Any = ..., index: bool = False) -> Any:
    """A StrEnum stored as plain text (portable across SQLite and PostgreSQL)."""
    length = max(len(member.value) for member in enum)
    return Field(default=default, sa_type=sa.String(length), index=index, nullable=False)


class Role(StrEnum):
    """What a user does on the platform."""

    citizen = "citizen"
    employee = "employee"
    procurer = "procurer"
    supplier = "supplier"
    researcher = "researcher"
    admin = "admin"


ROLE_LABELS = register_labels(
    Role,
    {
        Role.citizen: N_("Citizen"),
        Role.employee: N_("Employee"),
        Role.procurer: N_("Procurer"),
        Role.supplier: N_("Supplier"),
        Role.researcher: N_("Researcher"),
        Role.admin: N_("Administrator"),
    },
)


class OrganisationKind(StrEnum):
    """Kinds of organisation that take part."""

    municipality = "municipality"
    county = "county"
    supplier = "supplier"
    research = "research"


ORGANISATION_KIND_LABELS = register_labels(
    OrganisationKind,
    {
        OrganisationKind.municipality: N_("Municipality"),
        OrganisationKind.county: N_("County"),
        OrganisationKind.supplier: N_("Supplier company"),
        OrganisationKind.research: N_("Research institution"),
    },
)


class Phase(StrEnum):
    """The phases of an innovation-procurement project, in order."""

    preparation = "preparation"
    needs = "needs"
    market_dialogue = "market_dialogue"
    competition = "competition"
    contract_follow_up = "contract_follow_up"
    benefit_realisation = "benefit_realisation"
    closed = "closed"
    aborted = "aborted"


# How people read each phase; translated where shown (pages, and the refusals that name phases).
PHASE_LABELS = register_labels(
    Phase,
    {
        Phase.preparation: N_("Preparation and anchoring"),
        Phase.needs: N_("Needs"),
        Phase.market_dialogue: N_("Market dialogue"),
        Phase.competition: N_("Competition"),
        Phase.contract_follow_up: N_("Contract follow-up"),
        Phase.benefit_realisation: N_("Benefit realisation"),
        Phase.closed: N_("Closed"),
        Phase.aborted: N_("Aborted"),
    },
)


class Visibility(StrEnum):
    """Who can see a project."""

    public = "public"
    internal = "internal"


class NeedStatus(StrEnum):
    """Life of a need, from submission to decision."""

    submitted = "submitted"
    under_review = "under_review"
    verified = "verified"
    merged = "merged"
    parked = "parked"
    rejected = "rejected"


NEED_STATUS_LABELS = register_labels(
    NeedStatus,
    {
        NeedStatus.submitted: N_("Submitted"),
        NeedStatus.under_review: N_("Under review"),
        NeedStatus.verified: N_("Verified"),
        NeedStatus.merged: N_("Merged"),
        NeedStatus.parked: N_("Parked"),
        NeedStatus.rejected: N_("Rejected"),
    },
)
