"""The search index (issue 13, item 6): one document per searchable object, kept in step with it.

A row exists only for what may be found at all: a need that is neither hidden nor held, a
published answer (its anonymised question), a published and not withdrawn proposal summary, a
project, a requirement. Who may find a row is decided in SQL at query time from its `audience`
and its project (`app/services/permissions/search.py`), so a change of a project's visibility or
partners, or a specification marked final, needs no re-indexing.

The full-text index itself lives beside the table and is built by the migration for each dialect:
on SQLite an FTS5 table over the Snowball stems (`title_terms`, `body_terms`), on PostgreSQL a
generated `search_document` column, `to_tsvector('norwegian', …)` of title and body, with a GIN
index.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import enum_field
from app.models.vocabulary import register_labels

# The full-text parts that are not tables of the models: the FTS5 table with its shadow tables
# (SQLite), the generated tsvector column and its GIN index (PostgreSQL). The models describe
# neither, so the comparison of models and migrations leaves them out by these names.
FTS_TABLE = "search_item_fts"
FTS_INDEX = "ix_search_item_document"
# PostgreSQL: the generated tsvector column the GIN index covers (the app never writes it).
FTS_COLUMN = "search_document"


def is_full_text_part(name: str | None) -> bool:
    """Whether a schema object is the full-text index beside `search_item` (not a model's)."""
    return name is not None and (name in (FTS_INDEX, FTS_COLUMN) or name.startswith(FTS_TABLE))


class SearchKind(StrEnum):
    """What a search result is."""

    project = "project"
    need = "need"
    answer = "answer"
    proposal = "proposal"
    requirement = "requirement"


SEARCH_KIND_LABELS = register_labels(
    SearchKind,
    {
        SearchKind.project: N_("Project"),
        SearchKind.need: N_("Need"),
        SearchKind.answer: N_("Published answer"),
        SearchKind.proposal: N_("Solution proposal"),
        SearchKind.requirement: N_("Requirement"),
    },
)


class SearchAudience(StrEnum):
    """Who, among those who may view the item's project, may find it."""

    viewers = "viewers"  # everyone who may view the project
    final_requirement = "final_requirement"  # writers; everyone once the specification is final
    writers = "writers"  # the specification's writers (procurers and co-authors) only


class SearchItem(SQLModel, table=True):
    """One searchable object as the index holds it."""

    __tablename__ = "search_item"
    __table_args__ = (sa.UniqueConstraint("kind", "object_id", name="uq_search_item_object"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: SearchKind = enum_field(SearchKind)
    object_id: int
    project_id: int = Field(foreign_key="project.id", index=True)
    audience: SearchAudience = enum_field(SearchAudience)
    title: str
    body: str
    # The Snowball stems of title and body (what SQLite's FTS5 indexes; PostgreSQL stems itself).
    title_terms: str
    body_terms: str


class SearchResultPublic(SQLModel):
    """One search result as the API gives it."""

    kind: SearchKind
    id: int
    project_id: int
    project_title: str
    title: str
    url: str
    snippet: str = Field(description="Plain text around the first searched word")


class SearchResultsPublic(SQLModel):
    """A page of search results, and how many the reader may open in all."""

    query: str
    total: int = Field(description="How many results the caller may open, at most 1000")
    more: bool = Field(description="There are more than `total` (1000)")
    order: Literal["relevance", "newest"] = Field(
        description="By relevance, or (when over 20,000 items match) the newest first"
    )
    offset: int
    limit: int
    results: list[SearchResultPublic]
