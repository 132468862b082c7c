"""The append-only participation log that the research questions are answered from."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class ParticipationEvent(SQLModel, table=True):
    """One contribution: who did what to which object, in which phase, replying to whom."""

    __tablename__ = "participation_event"
    __table_args__ = (
        sa.Index("ix_participation_project_time", "project_id", "occurred_at"),
        # The metrics: needs posted and verified, and the responses to one object.
        sa.Index("ix_participation_project_verb", "project_id", "verb", "actor_role"),
        sa.Index("ix_participation_project_object", "project_id", "object_type", "object_id"),
        # A project's events after its rollup watermark, without walking other projects' events.
        sa.Index("ix_participation_project_id", "project_id", "id"),
        # What was addressed to a person since they last looked (/me).
        sa.Index("ix_participation_addressee_time", "addressee_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = created_at_field()
    project_id: int = Field(foreign_key="project.id")
    phase: str = Field(max_length=32)
    # NULL once the actor's account is deleted or the project's personal data is past retention.
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_role: str = Field(max_length=20)
    actor_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    actor_org_kind: str | None = Field(default=None, max_length=20)
    verb: str = Field(max_length=40, index=True)
    object_type: str = Field(max_length=40)
    object_id: int
    addressee_id: int | None = Field(default=None, foreign_key="user.id")
    addressee_role: str | None = Field(default=None, max_length=20)
    addressee_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    addressee_org_kind: str | None = Field(default=None, max_length=20)


class ParticipationEventPublic(SQLModel):
    """A participation event as the API shows it."""

    id: int
    occurred_at: datetime
    project_id: int
    phase: str
    actor: str = Field(
        description="Stable pseudonym of the actor; anonymous needs, and for readers other than "
        "the project's procurers private acts (asking, registering, attending), get one of "
        "their own"
    )
    actor_id: int | None = Field(description="The user id, only for readers who may see authors")
    actor_role: str
    actor_org_id: int | None
    actor_org_kind: str | None
    verb: str
    object_type: str
    object_id: int
    addressee_role: str | None
    addressee_org_id: int | None
    addressee_org_kind: str | None


class ParticipationRollup(SQLModel, table=True):
    """Participation events counted per project, day, phase, actor and addressee group.

    Brought up to date from the log after a watermark (`ParticipationRollupMark`) when metrics
    are read, so the metrics aggregate these rows rather than every event. Holds contributions
    only, and nothing about proposals, secrecy claims, questions or bookings (their visibility
    depends on the reader: the metrics count those live).
    """

    __tablename__ = "participation_rollup"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    day: date = Field(sa_type=sa.Date)
    phase: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_role: str = Field(max_length=20)
    actor_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    actor_org_kind: str | None = Field(default=None, max_length=20)
    addressee_role: str | None = Field(default=None, max_length=20)
    addressee_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    addressee_org_kind: str | None = Field(default=None, max_length=20)
    answers_other: bool = False  # addressed to someone other than the actor
    n: int


class ParticipationRollupMark(SQLModel, table=True):
    """The last participation event of a project counted into the rollup."""

    __tablename__ = "participation_rollup_mark"

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    last_event_id: int = 0
