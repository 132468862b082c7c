"""Innovation-procurement projects and the municipalities that run them together."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import (
    Id,
    Phase,
    Visibility,
    WrittenLanguage,
    created_at_field,
    enum_field,
    strip_text,
)
from app.models.identity import LoginLevel

THEME_NAME_MAX = 60  # the message of `theme_names` names it
THEMES_MAX = 30


class ProjectBase(SQLModel):
    """Fields shared by every project schema."""

    title: str = Field(min_length=3, max_length=200)
    summary: str = Field(min_length=1, max_length=5000)
    service_area: str = Field(min_length=2, max_length=120)
    innovation_ambition: str = Field(min_length=1, max_length=5000)
    visibility: Visibility = enum_field(Visibility, default=Visibility.public)
    phase: Phase = enum_field(Phase, default=Phase.needs)
    citizens_may_post: bool = True


class ProjectCreate(ProjectBase):
    """Input for a new project; the owner is the procurer's own organisation by default."""

    owner_org_id: Id | None = None
    partner_org_ids: list[Id] = Field(default_factory=list, max_length=50)
    # The language its texts are written in (None: the owner organisation's målform).
    language: WrittenLanguage | None = None

    @field_validator("phase")
    @classmethod
    def _starts_early(cls, phase: Phase) -> Phase:
        # Later phases are reached through gate decisions, never by creating a project there.
        if phase not in (Phase.preparation, Phase.needs):
            raise ValueError("a project starts in preparation or needs")
        return phase

    @model_validator(mode="after")
    def _stripped(self) -> ProjectCreate:
        texts = ("title", "summary", "service_area", "innovation_ambition")
        blank = N_("Title, summary, service area and innovation ambition cannot be blank.")
        return strip_text(self, texts, blank)


class ProjectUpdate(SQLModel):
    """The procurers' change to a project's details; fields left out stay as they are.

    Making a public project internal shuts out everyone outside its organisations, so it needs
    `confirm_access_loss` (the answer without it says how many people it concerns).
    """

    model_config = {"extra": "forbid"}

    title: str | None = Field(default=None, min_length=3, max_length=200)
    summary: str | None = Field(default=None, min_length=1, max_length=5000)
    innovation_ambition: str | None = Field(default=None, min_length=1, max_length=5000)
    visibility: Visibility | None = None
    partner_org_ids: list[Id] | None = Field(default=None, max_length=50)
    language: WrittenLanguage | None = None
    login_level: LoginLevel | None = None
    # The project's themes in order, the whole list (a need's theme gone with it loses it).
    themes: list[str] | None = Field(default=None, max_length=THEMES_MAX)
    confirm_access_loss: bool = False

    @model_validator(mode="after")
    def _stripped(self) -> ProjectUpdate:
        texts = ("title", "summary", "innovation_ambition")
        given = tuple(name for name in texts if getattr(self, name) is not None)
        blank = N_("Title, summary and innovation ambition cannot be blank.")
        return strip_text(self, given, blank)

    @field_validator("themes")
    @classmethod
    def _themes(cls, themes: list[str] | None) -> list[str] | None:
        return None if themes is None else theme_names(themes)


def theme_names(names: list[str]) -> list[str]:
    """The themes as given, stripped, blank ones dropped; 422 for a long name or a repeat."""
    kept = [name.strip() for name in names if name.strip()]
    if any(len(name) > THEME_NAME_MAX for name in kept):
        raise PydanticCustomError("theme", N_("A theme can be at most 60 characters."))
    if len({name.casefold() for name in kept}) != len(kept):
        raise PydanticCustomError("theme", N_("Each theme can be given only once."))
    return kept


class Project(ProjectBase, table=True):
    """A project as stored."""

    id: int | None = Field(default=None, primary_key=True)
    owner_org_id: int = Field(foreign_key="organisation.id", index=True)
    created_by_id: int = Field(foreign_key="user.id")
    # The language of what is written in the project (its texts, needs, comments, answers…):
    # pages mark that content with it, so screen readers pronounce it right under any interface.
    language: str = Field(default="nb", max_length=2, sa_column_kwargs={"server_default": "nb"})
    created_at: datetime = created_at_field()
    # Moves with every contribution, in commit order (the row lock orders concurrent writers);
    # rendered fragments of the project are cached against it.
    content_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Hold a person's first need or comment here until a moderator approves it.
    hold_first_contributions: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}
    )
    # The procurers marked the specification final (all requirements final, weights 100 %):
    # from then on its requirements are read by everyone who sees the project.
    specification_final: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}
    )
    # The level of login taking part needs (posting, commenting, supporting, the market
    # dialogue); a person below it is asked to log in again through a provider that gives it.
    login_level: LoginLevel = Field(
        default=LoginLevel.basic,
        sa_type=sa.String(11),
        sa_column_kwargs={"server_default": "basic"},
    )


class ProjectTheme(SQLModel, table=True):
    """One of a project's themes (e.g. "Natt"): a need may have one, the list filters by it."""

    __tablename__ = "project_theme"
    __table_args__ = (sa.UniqueConstraint("project_id", "name", name="uq_project_theme_name"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=THEME_NAME_MAX)
    position: int = 0


class ProjectPartner(SQLModel, table=True):
    """A partner organisation in a joint procurement."""

    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True)


class ProjectPublic(ProjectBase):
    """A project as the API shows it."""

    id: int
    owner_org_id: int
    partner_org_ids: list[int] = []
    themes: list[str] = []
    language: str = "nb"
    created_at: datetime


RATIONALE_MIN = 10
RATIONALE_MAX = 5000


class PhaseMove(SQLModel, table=True):
    """A gate decision: the project moved from one phase to another, by whom, when and why."""

    __tablename__ = "phase_move"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    from_phase: Phase = enum_field(Phase)
    to_phase: Phase = enum_field(Phase)
    rationale: str = Field(max_length=RATIONALE_MAX)
    decided_by_id: int = Field(foreign_key="user.id")
    decided_at: datetime = created_at_field()


class PhaseMoveCreate(SQLModel):
    """Input for a gate decision; the rationale is checked (stripped, 10–5000 characters)."""

    to_phase: Phase
    rationale: str = ""


class PhaseMovePublic(SQLModel):
    """A gate decision as anyone who may view the project sees it."""

    from_phase: Phase
    to_phase: Phase
    rationale: str
    decided_at: datetime
    decided_by: str = Field(description="The name of the procurer who decided")


class ProjectPhasePublic(SQLModel):
    """Where a project stands, where it may go next, and how it got here."""

    phase: Phase
    next_phases: list[Phase]
    history: list[PhaseMovePublic]


class ManualThemePublic(SQLModel):
    """One of the procurers' themes, with the number of its needs the reader may see."""

    name: str
    need_count: int


class AutoThemePublic(SQLModel):
    """An automatic theme: its key (the `group` filter of the needs list), its label words, and
    its needs (every reader of the project may see them: hidden, held and merged needs are in
    no automatic theme)."""

    key: int
    words: list[str]
    need_ids: list[int]
    need_count: int


class ProjectThemesPublic(SQLModel):
    """A project's themes: the procurers' own and the automatic groups of its needs."""

    manual: list[ManualThemePublic]
    automatic: list[AutoThemePublic]
    ungrouped_count: int
