"""Dialogue events: conferences with registration and waitlist, one-to-one meetings in slots."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import Id, UtcDateTime, created_at_field, enum_field, strip_text
from app.models.vocabulary import register_labels

MINUTES_MAX = 50_000
DIGITAL = "digital"


def as_utc(moment: datetime) -> datetime:
    """A stored moment as timezone-aware UTC (SQLite hands timestamps back without a zone)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class EventKind(StrEnum):
    """What kind of dialogue event."""

    conference = "conference"
    one_to_one = "one_to_one"


class RegistrationStatus(StrEnum):
    """Where a registration for a conference stands."""

    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


EVENT_KIND_LABELS = register_labels(
    EventKind,
    {
        EventKind.conference: N_("Dialogue conference"),
        EventKind.one_to_one: N_("One-to-one meetings"),
    },
)
REGISTRATION_STATUS_LABELS = register_labels(
    RegistrationStatus,
    {
        RegistrationStatus.confirmed: N_("Confirmed"),
        RegistrationStatus.waitlisted: N_("On the waiting list"),
        RegistrationStatus.cancelled: N_("Cancelled"),
    },
)


def _moment_field() -> datetime:
    return Field(sa_type=UtcDateTime, nullable=False)


class DialogueEventBase(SQLModel):
    """Fields shared by every dialogue-event schema."""

    kind: EventKind = enum_field(EventKind)
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=5000)
    location: str = Field(default=DIGITAL, min_length=1, max_length=300)
    starts_at: datetime = _moment_field()
    ends_at: datetime = _moment_field()
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    slot_minutes: int | None = Field(default=None, ge=5, le=480)


class DialogueEventCreate(DialogueEventBase):
    """Input for a new event: times with a zone, ending after they start."""

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _zoned(cls, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("give the time with a time zone")
        try:
            return moment.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is before the first moment Python knows
            raise ValueError("the time is out of range") from None

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, end: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("starts_at")
        if start is not None and end <= start:  # the message stands beside the end time
            raise PydanticCustomError("out_of_order", N_("The event must end after it starts."))
        return end

    @model_validator(mode="after")
    def _stripped(self) -> DialogueEventCreate:
        blank = N_("Title and location cannot be blank.")
        return strip_text(self, ("title", "location"), blank)

    @model_validator(mode="after")
    def _consistent(self) -> DialogueEventCreate:
        if self.kind == EventKind.one_to_one:
            if self.slot_minutes is None:
                raise ValueError("one-to-one meetings need a slot length")
            self.capacity = None
        else:
            self.slot_minutes = None
        return self


class DialogueEvent(DialogueEventBase, table=True):
    """A dialogue event as stored."""

    __tablename__ = "dialogue_event"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = created_at_field()
    minutes: str | None = Field(default=None, max_length=MINUTES_MAX)
    minutes_published_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)


class DialogueEventPublic(DialogueEventBase):
    """An event as a viewer sees it: counts for all, minutes only for those who may read them."""

    id: int
    project_id: int
    created_at: datetime
    confirmed_count: int = 0
    waitlist_count: int = 0
    slot_count: int = 0
    free_slot_count: int = 0
    minutes_published: bool = False
    minutes_published_at: datetime | None = None
    minutes: str | None = Field(default=None, description="Only for those who may read them")
    my_status: RegistrationStatus | None = None
    my_waitlist_position: int | None = None
    my_slot_id: int | None = Field(default=None, description="The slot your company booked")


class EventRegistration(SQLModel, table=True):
    """A person registered for a conference: confirmed, waitlisted or cancelled."""

    __tablename__ = "event_registration"
    __table_args__ = (
        # One active registration per person and event; a cancelled one may be followed by another.
        sa.Index(
            "uq_event_registration_active",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="dialogue_event.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    registered_at: datetime = created_at_field()
    status: RegistrationStatus = enum_field(RegistrationStatus)
    attended_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)


class EventRegistrationPublic(SQLModel):
    """A registration as the project's procurers (or the person) see it."""

    id: int
    event_id: int
    user_id: int
    name: str
    organisation_id: int | None
    organisation_name: str | None
    registered_at: datetime
    status: RegistrationStatus
    waitlist_position: int | None = None
    attended: bool = False


class MeetingSlot(SQLModel, table=True):
    """One equal-length slot of a one-to-one event."""

    __tablename__ = "meeting_slot"
    __table_args__ = (sa.UniqueConstraint("event_id", "starts_at", name="uq_meeting_slot_start"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="dialogue_event.id", index=True)
    starts_at: datetime = _moment_field()
    ends_at: datetime = _moment_field()


class SlotBooking(SQLModel, table=True):
    """A supplier company's one booking of a slot in a one-to-one event."""

    __tablename__ = "slot_booking"
    __table_args__ = (
        sa.UniqueConstraint("slot_id", name="uq_slot_booking_slot"),
        sa.UniqueConstraint("event_id", "organisation_id", name="uq_slot_booking_company"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="meeting_slot.id")
    event_id: int = Field(foreign_key="dialogue_event.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    booked_by_id: int = Field(foreign_key="user.id")
    booked_at: datetime = created_at_field()
    attended_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)


class SlotPublic(SQLModel):
    """A slot: free or taken for everyone; who took it only for procurers and the company."""

    id: int
    event_id: int
    starts_at: datetime
    ends_at: datetime
    booked: bool
    mine: bool = False
    organisation_id: int | None = None
    organisation_name: str | None = None
    booked_by: str | None = None


class SlotGeneration(SQLModel):
    """Input for cutting a one-to-one event into slots (the event's slot length by default)."""

    slot_minutes: int | None = Field(default=None, ge=5, le=480)


class MinutesWrite(SQLModel):
    """The minutes of an event, in Markdown."""

    minutes: str = Field(min_length=1, max_length=MINUTES_MAX)


class AttendanceMark(SQLModel):
    """Who attended: people registered for (or who booked a slot in) the event."""

    user_ids: list[Id] = Field(min_length=1, max_length=1000)
