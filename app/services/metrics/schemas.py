"""The figures' shapes as the API returns them: a figure, and the sets of figures per reader."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class Figure(BaseModel):
    """One figure: a small table with what it answers and how it is computed."""

    key: str = Field(description="Stable identifier of the figure")
    label: str = Field(description="Name of the figure (English; translated on pages)")
    research_question: int = Field(ge=1, le=3, description="The research question (DESIGN §1)")
    method: str = Field(description="How the figure is computed, in one sentence")
    columns: list[str] = Field(description="Column keys, in order, of every row")
    rows: list[dict[str, Any]] = Field(description="The values; None where suppressed")
    suppressed: int = Field(0, description="Rows with cells suppressed (under 5 people)")


class ProjectMetrics(BaseModel):
    """All figures of one project, as this reader may see them."""

    project_id: int
    title: str
    view: str = Field(description="`full` for readers of participation, else `aggregate`")
    as_of: datetime | None = Field(None, description="When the latest contribution counted was")
    figures: list[Figure]


class ProjectRef(BaseModel):
    """A project a set of figures covers."""

    project_id: int
    title: str


class OrganisationMetrics(BaseModel):
    """A municipality's or county's figures: its projects together, as this reader may see them."""

    organisation_id: int
    name: str
    view: str = Field(
        description="`full` if the reader reads every project's log, else `aggregate`"
    )
    projects: list[ProjectRef] = Field(description="The projects covered (owned or as partner)")
    as_of: datetime | None = Field(None, description="When the latest contribution counted was")
    figures: list[Figure]


class MetricsOverview(BaseModel):
    """Figures per project the caller may see, and totals across them."""

    projects: list[ProjectMetrics]
    totals: list[Figure]
