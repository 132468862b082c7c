"""Finding what a reader may open: parse the words, match them in the database's own full-text
index, filter by the permission clause in SQL, count and page there.

The count and the page come from the same WHERE clause, so a total never includes a row the
reader could not open. A query is only ever words (letters): whatever else a person types
(quotes, `*`, `NEAR`, parentheses) is dropped before it reaches a full-text syntax, so no input
can make the index raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table
from sqlmodel import Session, col

from app.i18n import N_
from app.models import Project, SearchItem, User
from app.models.search import FTS_TABLE, SearchKind
from app.services.errors import Invalid
from app.services.permissions import findable_clause
from app.services.text.normalise import stem, words

QUERY_MAX = 200  # characters: a search is a few words, not a document
TERMS_MAX = 8  # words matched; more only slow the index down
PAGE_SIZE = 20
LIMIT_MAX = 50
OFFSET_MAX = 1000  # beyond this, a better search beats paging
TOO_LONG = N_("The search is too long: use at most %(max)s characters.")

# PostgreSQL: the same expression as the GIN index the migration builds (title weighs most).
PG_DOCUMENT = (
    "setweight(to_tsvector('norwegian'::regconfig, search_item.title), 'A') || "
    "to_tsvector('norwegian'::regconfig, search_item.body)"
)


@dataclass(frozen=True)
class Hit:
    """One result: the indexed object, its project's title, and the matched words' stems."""

    kind: SearchKind
    object_id: int
    project_id: int
    project_title: str
    title: str
    body: str


@dataclass(frozen=True)
class Results:
    """A page of results and how many there are in all for this reader."""

    query: str
    words: list[str]
    total: int
    offset: int
    limit: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def stems(self) -> frozenset[str]:
        """The stems of the searched words (what a snippet marks)."""
        return frozenset(stem(word) for word in self.words)


def query_words(query: str) -> list[str]:
    """The words of a search (lower-cased, no stop words, each once), or 422 if it is too long."""
    if len(query) > QUERY_MAX:
        raise Invalid(TOO_LONG, max=QUERY_MAX)
    return list(dict.fromkeys(words(query)))[:TERMS_MAX]


def _sqlite_match(found: list[str]) -> ColumnElement[bool]:
    # Stems are letters only, quoted: FTS5 reads each as a plain term, all of them required.
    expression = " ".join(f'"{stem(word)}"' for word in found)
    return literal_column(FTS_TABLE).op("MATCH")(expression)


Matching = tuple[Select[SearchItem, str], ColumnElement[Any]]


def _matching(session: Session, found: list[str]) -> Matching:
    """The rows matching every word (unfiltered) and the rank to order them by, best first."""
    base = select(SearchItem, col(Project.title)).join(
        Project, col(Project.id) == col(SearchItem.project_id)
    )
    if session.get_bind().dialect.name == "sqlite":
        fts = table(FTS_TABLE, column("rowid"))
        query = base.join(fts, fts.c.rowid == col(SearchItem.id)).where(_sqlite_match(found))
        # bm25 is lower for a better match; the title counts four times the body.
        return query, func.bm25(literal_column(FTS_TABLE), 4.0, 1.0)
    # Words are letters only, so joined with & they are a valid tsquery; PostgreSQL stems them.
    tsquery = func.to_tsquery(literal_column("'norwegian'::regconfig"), " & ".join(found))
    document: ColumnElement[Any] = literal_column(PG_DOCUMENT)
    query = base.where(document.op("@@")(tsquery))
    return query, -func.ts_rank(document, tsquery)


def search(
    session: Session,
    *,
    user: User | None,
    query: str,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> Results:
    """The objects matching the query that the user may open, best first, with their count."""
    found = query_words(query)
    offset, limit = max(0, min(offset, OFFSET_MAX)), max(1, min(limit, LIMIT_MAX))
    if not found:
        return Results(query=query, words=[], total=0, offset=offset, limit=limit)
    matching, rank = _matching(session, found)
    allowed = matching.where(findable_clause(user))
    total = session.execute(
        select(func.count()).select_from(allowed.with_only_columns(col(SearchItem.id)).subquery())
    ).scalar_one()
    rows = session.execute(
        allowed.order_by(rank, col(SearchItem.id)).offset(offset).limit(limit)
    ).all()
    hits = [
        Hit(item.kind, item.object_id, item.project_id, project_title, item.title, item.body)
        for item, project_title in rows
    ]
    return Results(query=query, words=found, total=total, offset=offset, limit=limit, hits=hits)


def url_of(hit: Hit) -> str:
    """Where a result opens: the object's own page (an answer's place on the Q&A page)."""
    if hit.kind == SearchKind.answer:
        return f"/projects/{hit.project_id}/questions#qa-{hit.object_id}"
    pages = {
        SearchKind.project: "projects",
        SearchKind.need: "needs",
        SearchKind.proposal: "proposals",
        SearchKind.requirement: "requirements",
    }
    return f"/{pages[hit.kind]}/{hit.object_id}"
