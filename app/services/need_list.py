"""A project's needs list as a dialogue grows: search, filter (status, theme), sort and paging.

A page is one query whatever the project's size: the counts are correlated subqueries, the
order is (sort key, id) and the next page starts after the last row's (key, id) — the cursor —
so a page of 5,000 needs costs what a page of 50 does, and a need added between two pages
neither repeats a row nor skips one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Need
from app.models.base import NeedStatus, id_of
from app.models.project import THEME_NAME_MAX
from app.models.vocabulary import register_labels
from app.services import auto_themes, cursors, themes
from app.services.errors import Invalid
from app.services.needs import NeedView, comment_counts, support_counts, views_of
from app.services.permissions import ProjectRelation

PAGE_SIZE = 25
API_PAGE_MAX = 100
QUERY_MAX = 200


class NeedSort(StrEnum):
    """The orders the needs list offers."""

    newest = "newest"
    supported = "supported"
    discussed = "discussed"


SORT_LABELS = register_labels(
    NeedSort,
    {
        NeedSort.newest: N_("Newest first"),
        NeedSort.supported: N_("Most supported"),
        NeedSort.discussed: N_("Most discussed"),
    },
)


class fold(FunctionElement[str]):
    """Text in lower case for a case-insensitive match: `lower` on PostgreSQL, and on SQLite a
    function of the connection (app/db.py), since SQLite's own lower() knows only ASCII (æøå)."""

    type = String()
    inherit_cache = True


@compiles(fold)
def _fold(element: fold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "sqlite")
def _fold_on_sqlite(element: fold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"pivotal_fold({compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True)
class NeedFilter:
    """What the reader asked the list for: a search text, a status, a theme (by name), an
    automatic theme (by its key, `app/services/auto_themes.py`), an order."""

    q: str = ""
    status: NeedStatus | None = None
    sort: NeedSort = NeedSort.newest
    theme: str = ""
    group: int | None = None

    @property
    def is_default(self) -> bool:
        """The plain list: every need, newest first (the one live additions are prepended to)."""
        plain = not self.q and self.status is None and not self.theme and self.group is None
        return plain and self.sort is NeedSort.newest

    def params(self) -> dict[str, str]:
        """The filter as query parameters (only those that differ from the default)."""
        given = {
            "q": self.q,
            "status": self.status or "",
            "theme": self.theme,
            "group": self.group or "",
            "sort": self.sort,
        }
        return {k: str(v) for k, v in given.items() if v and v != NeedSort.newest}


@dataclass(frozen=True)
class NeedPage:
    """One page of the list and where the next one starts (None after the last)."""

    views: list[NeedView]
    next_cursor: str | None


def parse_filter(
    *, q: str = "", status: str = "", sort: str = "", theme: str = "", group: str = ""
) -> NeedFilter:
    """The list's filter from query parameters; an empty value means "any" (422 on nonsense; a
    theme or automatic theme the project does not have is refused when the list is read)."""
    q, theme, group = q.strip(), theme.strip(), group.strip()
    if len(theme) > THEME_NAME_MAX:
        raise Invalid(themes.NOT_A_THEME)
    if group and not (group.isascii() and group.isdigit() and 0 < len(group) < 12):
        raise Invalid(auto_themes.NOT_A_GROUP)
    if len(q) > QUERY_MAX or "\x00" in q:
        raise Invalid("The search can be at most %(max)s characters.", max=QUERY_MAX)
    try:
        need_status = NeedStatus(status) if status else None
        need_sort = NeedSort(sort) if sort else NeedSort.newest
    except ValueError:
        raise Invalid("Choose a status and an order from the list.") from None
    return NeedFilter(
        q=q, status=need_status, sort=need_sort, theme=theme, group=int(group) if group else None
    )


def _like_pattern(text: str) -> str:
    """`text` anywhere, with LIKE's wildcards in it taken literally (escaped with backslash)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _sort_key(sort: NeedSort) -> Any:
    if sort is NeedSort.supported:
        return support_counts()
    if sort is NeedSort.discussed:
        return comment_counts()
    return col(Need.created_at)


def encode_cursor(sort: NeedSort, key: int | datetime, need_id: int) -> str:
    """Where the next page starts: after the need `need_id` whose sort key is `key`."""
    return cursors.encode(str(sort), key, need_id)


def decode_cursor(cursor: str, sort: NeedSort) -> tuple[int | datetime, int]:
    """The (key, id) a cursor of this order holds; 422 for anything this list did not make."""
    made_for, key, need_id = cursors.decode(cursor, 3)
    if made_for != sort:
        raise Invalid(cursors.NOT_VALID)
    if sort is NeedSort.newest:
        return cursors.moment(key), cursors.row_id(need_id)
    return cursors.row_id(key, zero=True), cursors.row_id(need_id)


def _conditions(
    session: Session, rel: ProjectRelation, wanted: NeedFilter
) -> list[ColumnElement[bool]]:
    project_id = id_of(rel.project)
    conditions: list[ColumnElement[bool]] = [col(Need.project_id) == project_id]
    if wanted.theme:  # 422 for a theme the project does not have
        theme_id = themes.resolve(session, project_id=project_id, name=wanted.theme)
        conditions.append(col(Need.theme_id) == theme_id)
    if wanted.group is not None:  # 422 for a group the project does not have (any more)
        grouped = auto_themes.resolve(session, rel=rel, key=wanted.group)
        conditions.append(col(Need.id).in_(grouped.need_ids))
    if not rel.is_moderator:  # hidden and held needs are listed for the moderators only
        conditions += [col(Need.hidden).is_(False), col(Need.held).is_(False)]
    if wanted.status is not None:
        conditions.append(col(Need.status) == wanted.status)
    if wanted.q:
        pattern = _like_pattern(wanted.q)
        # An ASCII search matches alike through SQLite's own lower() (letters beyond ASCII in
        # the text cannot match it anyway), which is faster than calling into Python per row.
        lower = func.lower if wanted.q.isascii() else fold
        conditions.append(
            or_(
                lower(col(Need.title)).like(pattern, escape="\\"),
                lower(col(Need.problem)).like(pattern, escape="\\"),
            )
        )
    return conditions


def list_page(
    session: Session,
    *,
    rel: ProjectRelation,
    wanted: NeedFilter,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> NeedPage:
    """One page of the project's needs as asked, with counts: whatever the project's size, one
    query picks the page's ids by the order's key, one reads those needs with their counts,
    one their authors' names (a count is computed once per need, not three times)."""
    key = _sort_key(wanted.sort)
    conditions = _conditions(session, rel, wanted)
    if cursor:
        after_key, after_id = decode_cursor(cursor, wanted.sort)
        conditions.append(or_(key < after_key, and_(key == after_key, col(Need.id) < after_id)))
    # The ids and keys of the page (and one more, to know whether there is a next page).
    picked = session.exec(
        select(col(Need.id), key)
        .where(*conditions)
        .order_by(key.desc(), col(Need.id).desc())
        .limit(limit + 1)
    ).all()
    ids = [need_id for need_id, _key in picked[:limit]]
    rows = (
        session.exec(
            select(Need, support_counts(), comment_counts()).where(col(Need.id).in_(ids))
        ).all()
        if ids
        else []
    )
    place = {need_id: n for n, need_id in enumerate(ids)}
    views = views_of(session, rel, sorted(rows, key=lambda row: place[row[0].id]))
    # The cursor holds the key the page was picked by (a count may have moved since).
    next_cursor = None
    if len(picked) > limit:
        last_id, last_key = picked[limit - 1]
        next_cursor = encode_cursor(wanted.sort, last_key, last_id or 0)
    return NeedPage(views=views, next_cursor=next_cursor)
