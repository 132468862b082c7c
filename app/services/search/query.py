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

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    Subquery,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlmodel import Session, col

from app.i18n import N_
from app.models import Project, SearchItem, User
from app.models.search import FTS_COLUMN, FTS_TABLE, SearchKind
from app.services.errors import Invalid
from app.services.permissions import findable_clause
from app.services.text.normalise import stem, words

QUERY_MAX = 200  # characters: a search is a few words, not a document
TERMS_MAX = 8  # words matched; more only slow the index down
PAGE_SIZE = 20
LIMIT_MAX = 50
OFFSET_MAX = 1000  # beyond this, a better search beats paging
TITLE_SHOWN = 160  # characters of a result's title on the page (an answer's is its question)
CANDIDATES = 250  # best matches ranked first, before the permission clause (see _page_ids)
COUNT_MAX = 1000  # results counted; beyond, the count says "more than"
RANK_MAX = 20_000  # matches ranked by relevance on SQLite; more come newest first
FEW_MAX = 5_000  # PostgreSQL: up to this many matches are found first, then joined (see _count)
TOO_LONG = N_("The search is too long: use at most %(max)s characters.")

# PostgreSQL: the stored document the GIN index covers (title weighing most; see the migration).
PG_DOCUMENT = f"search_item.{FTS_COLUMN}"


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
    total: int  # at most COUNT_MAX
    offset: int
    limit: int
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # there are more than COUNT_MAX
    newest_first: bool = False  # so many matched that they come newest first, not by relevance

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


def _matches(session: Session, found: list[str], *, order: str = "") -> Select[Any]:
    """The ids of the rows matching every word (`item_id`), unfiltered, straight from the
    full-text index; with `order` "rank" or "newest" also a `score` (lower first) and ordered by
    it: the relevance (bm25, ts_rank), or the newest first."""
    if session.get_bind().dialect.name == "sqlite":
        fts = table(FTS_TABLE, column("rowid"))
        item_id: ColumnElement[Any] = fts.c.rowid
        # bm25 is lower for a better match; the title counts four times the body.
        score: ColumnElement[Any] = func.bm25(literal_column(FTS_TABLE), 4.0, 1.0)
        match = _sqlite_match(found)
        source: Any = fts
    else:
        # Words are letters only, so joined with & they are a valid tsquery (stemmed there).
        tsquery = func.to_tsquery(literal_column("'norwegian'::regconfig"), " & ".join(found))
        document: ColumnElement[Any] = literal_column(PG_DOCUMENT)
        item_id = literal_column("search_item.id")
        score = -func.ts_rank(document, tsquery)
        match = document.op("@@")(tsquery)
        source = SearchItem
    query = select(item_id.label("item_id")).select_from(source).where(match)
    if order == "newest":
        return query.add_columns((-item_id).label("score")).order_by(item_id.desc())
    if order == "rank":
        return query.add_columns(score.label("score")).order_by(score, item_id)
    return query


def _findable(matches: Subquery | CTE, user: User | None) -> Select[Any]:
    """The matches the user may open: joined to their row and project, filtered in SQL."""
    return (
        select(matches.c.item_id)
        .join(SearchItem, col(SearchItem.id) == matches.c.item_id)
        .join(Project, col(Project.id) == col(SearchItem.project_id))
        .where(findable_clause(user))
    )


def _capped_count(session: Session, query: Select[Any], cap: int) -> int:
    """How many rows the query yields, counted up to one more than `cap`."""
    return session.execute(
        select(func.count()).select_from(query.limit(cap + 1).subquery())
    ).scalar_one()


def _count(session: Session, found: list[str], user: User | None) -> int:
    """How many matches the user may open, counted up to one more than COUNT_MAX.

    On PostgreSQL the planner needs help. Under the count's LIMIT it may start from the
    projects and test every one of their items against the words (it misjudges how many
    projects the permission clause keeps): fine for a common word, where 1,001 findable matches
    come soon, but ~300 ms for a rare one (EXPLAIN ANALYZE over 100,000 items). So when the GIN
    index alone finds at most FEW_MAX matches (a cheap capped count), they are found first in a
    MATERIALIZED CTE and only those joined (~4 ms). A common word keeps the plain join, which
    finds 1,001 permitted matches soon (5-15 ms); materialising every match always was tried
    and reverted (af03db4).
    """
    matches: Subquery | CTE = _matches(session, found).subquery()
    if (
        session.get_bind().dialect.name != "sqlite"
        and _capped_count(session, _matches(session, found), FEW_MAX) <= FEW_MAX
    ):
        matches = _matches(session, found).cte("matches").prefix_with("MATERIALIZED")
    return _capped_count(session, _findable(matches, user), COUNT_MAX)


def _too_many_to_rank(session: Session, found: list[str]) -> bool:
    """On SQLite, whether more than RANK_MAX items match: then they come newest first.

    A word in very many items says little about which is most relevant, and SQLite's bm25 over
    every match is the one cost there that grows with the index (FTS5 counts matches cheaply).
    PostgreSQL ranks a stored vector, about as fast as it could count the matches, so it always
    ranks.
    """
    if session.get_bind().dialect.name != "sqlite":
        return False
    return _capped_count(session, _matches(session, found), RANK_MAX) > RANK_MAX


def _page_ids(
    session: Session,
    found: list[str],
    user: User | None,
    *,
    offset: int,
    limit: int,
    wanted: int,
    newest: bool,
) -> list[int]:
    """The ids of the page, best first: ranked among the best CANDIDATES matches first, then
    among more when those hold too few the user may open.

    Exact either way: if the best k matches hold `offset + limit` findable ones, no match
    outside them can rank among those. Only a reader who may open few of many matches (or a
    late page) pays for ranking every match together with its permission.
    """
    ranked = _matches(session, found, order="newest" if newest else "rank")
    ids: list[int] = []
    for k in (CANDIDATES, CANDIDATES * 16, None):
        matches = (ranked.limit(k) if k else ranked.order_by(None)).subquery()
        page = (
            _findable(matches, user)
            .order_by(matches.c.score, matches.c.item_id)
            .offset(offset)
            .limit(limit)
        )
        ids = [int(item_id) for item_id in session.execute(page).scalars()]
        if len(ids) >= wanted:
            break
    return ids


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
    # Counted up to one more than COUNT_MAX: past that, "more than 1,000" says enough, and a
    # common word's count then costs no more than a rare one's.
    total = _count(session, found, user)
    wanted = limit if total > COUNT_MAX else max(0, min(limit, total - offset))
    newest = _too_many_to_rank(session, found)
    ids = (
        _page_ids(session, found, user, offset=offset, limit=limit, wanted=wanted, newest=newest)
        if wanted
        else []
    )
    return Results(
        query=query,
        words=found,
        total=min(total, COUNT_MAX),
        more=total > COUNT_MAX,
        offset=offset,
        limit=limit,
        hits=_hits(session, ids),
        newest_first=newest,
    )


def _hits(session: Session, ids: list[int]) -> list[Hit]:
    """The page's rows, read in full only now (the ranking reads ids alone), in rank order."""
    rows = session.execute(
        select(SearchItem, col(Project.title))
        .join(Project, col(Project.id) == col(SearchItem.project_id))
        .where(col(SearchItem.id).in_(ids))
    ).all()
    by_id = {item.id: (item, project_title) for item, project_title in rows}
    return [
        Hit(item.kind, item.object_id, item.project_id, project_title, item.title, item.body)
        for item, project_title in (by_id[item_id] for item_id in ids)
    ]


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
