"""Needs (behov), the supports they gather and the comment threads under them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import (
    Id,
    NeedStatus,
    UtcDateTime,
    created_at_field,
    enum_field,
    strip_text,
)

BODY_MAX = 20_000


class NeedBase(SQLModel):
    """Fields shared by every need schema."""

    title: str = Field(min_length=3, max_length=200)
    problem: str = Field(min_length=10, max_length=BODY_MAX)
    affected: str = Field(default="", max_length=2000)
    anonymous: bool = False


class NeedCreate(NeedBase):
    """Input for a new need; `theme` is one of the project's themes by name (none if empty)."""

    theme: str = Field(default="", max_length=60)

    @model_validator(mode="after")
    def _stripped(self) -> NeedCreate:
        blank = N_("Title and problem cannot be blank.")
        return strip_text(self, ("title", "problem"), blank, optional=("affected",))


class Need(NeedBase, table=True):
    """A need as stored."""

    # The needs list pages by (created_at, id) within a project, optionally within one status.
    __table_args__ = (
        sa.Index("ix_need_project_created", "project_id", "created_at", "id"),
        sa.Index("ix_need_project_status", "project_id", "status", "created_at"),
        sa.Index("ix_need_project_theme", "project_id", "theme_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    status: NeedStatus = enum_field(NeedStatus, default=NeedStatus.submitted)
    status_reason: str = Field(default="", max_length=2000)
    merged_into_id: int | None = Field(default=None, foreign_key="need.id")
    created_at: datetime = created_at_field()
    # Moderation (see app/services/moderation.py): hidden with a public reason, or held as a new
    # account's first contribution until a moderator approves it.
    hidden: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    hidden_reason: str = Field(default="", max_length=500)
    held: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # The phase it was posted in: its author may edit it only while the project is still there.
    posted_phase: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    edited_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # One of its project's themes, or none (a theme the procurers remove leaves it with none).
    theme_id: int | None = Field(default=None, foreign_key="project_theme.id")


class NeedUpdate(SQLModel):
    """The author's edit of a need: the fields to change (`app/services/editing.py`)."""

    model_config = {"extra": "forbid"}

    title: str | None = Field(default=None, min_length=3, max_length=200)
    problem: str | None = Field(default=None, min_length=10, max_length=BODY_MAX)
    affected: str | None = Field(default=None, max_length=2000)
    # One of the project's themes by name; "" for none.
    theme: str | None = Field(default=None, max_length=60)

    @model_validator(mode="after")
    def _stripped(self) -> NeedUpdate:
        given = tuple(name for name in ("title", "problem") if getattr(self, name) is not None)
        optional = ("affected",) if self.affected is not None else ()
        return strip_text(self, given, N_("Title and problem cannot be blank."), optional)


class NeedStatusChange(SQLModel):
    """Input for the procurer's decision on a need."""

    status: NeedStatus
    reason: str = Field(default="", max_length=2000)
    merged_into_id: Id | None = None


class NeedPublic(NeedBase):
    """A need as the API shows it; the author only where the viewer may know them.

    A hidden need keeps its place but not its text for those who may not read it.
    """

    title: str | None  # type: ignore[assignment]
    problem: str | None  # type: ignore[assignment]
    affected: str | None  # type: ignore[assignment]
    id: int
    project_id: int
    author_id: int | None
    author_name: str | None
    status: NeedStatus
    status_reason: str
    merged_into_id: int | None
    created_at: datetime
    edited_at: datetime | None = None
    theme: str | None = None
    support_count: int = 0
    comment_count: int = 0
    hidden: bool = False
    hidden_reason: str = ""
    held: bool = False


class Support(SQLModel, table=True):
    """One person's support for a need; at most one per person and need."""

    __table_args__ = (sa.UniqueConstraint("need_id", "user_id", name="uq_support_need_user"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = created_at_field()


class CommentCreate(SQLModel):
    """Input for a comment or a reply."""

    body: str = Field(min_length=1, max_length=BODY_MAX)
    parent_id: Id | None = None

    @model_validator(mode="after")
    def _stripped(self) -> CommentCreate:
        return strip_text(self, ("body",), N_("The comment cannot be blank."))


class Comment(SQLModel, table=True):
    """A comment on a need, threaded through parent_id; Markdown, rendered sanitised."""

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="comment.id", index=True)
    # The thread's first comment (None for that comment itself) and how deep this one sits in
    # it (1 for the first): the metrics' thread depth without walking the threads.
    root_id: int | None = Field(default=None, foreign_key="comment.id")
    depth: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    author_id: int = Field(foreign_key="user.id", index=True)
    body: str = Field(max_length=BODY_MAX)
    hidden: bool = False
    hidden_reason: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()
    held: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    posted_phase: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    edited_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Withdrawn by its author: the body is emptied (procurers keep it among the revisions).
    withdrawn_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class CommentUpdate(SQLModel):
    """The author's edit of a comment."""

    model_config = {"extra": "forbid"}

    body: str = Field(min_length=1, max_length=BODY_MAX)

    @model_validator(mode="after")
    def _stripped(self) -> CommentUpdate:
        return strip_text(self, ("body",), N_("The comment cannot be blank."))


class CommentPublic(SQLModel):
    """A comment as the API shows it; hidden comments lose their body."""

    id: int
    need_id: int
    parent_id: int | None
    author_id: int
    author_name: str
    body: str | None
    hidden: bool
    hidden_reason: str = ""
    held: bool = False
    created_at: datetime
    edited_at: datetime | None = None
    withdrawn: bool = False


class SimilarNeed(SQLModel):
    """A need like a given text (`GET /projects/{id}/needs/similar`), score 0–1."""

    need_id: int
    title: str
    score: float
