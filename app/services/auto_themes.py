"""Automatic themes: a project's needs grouped by their text, each group labelled with its
characteristic words (issue 13, item 5; the method is in `app/services/text/clustering.py`).

Which needs are grouped: those every reader of the project may see in its list — not hidden, not
held — and not merged (a merged need's supporters belong to the need it went into). So the
groups, their label words and their counts are the same for everyone who may see the project,
and none of them tells of a need someone may not see; a moderator, who also sees the hidden
and held needs in the list, finds them in no automatic group.

The groups are kept per project while those needs are the same: every request asks the
database for how many there are, the sum and the sum of squares of their ids, and their latest
edit, so a need posted, edited, hidden, held, released or merged (in any process) makes the
next request group afresh. Grouping 5,000 needs takes a few seconds (docs/performance.md), so
it happens once per change of the needs, not per reader; while one request groups, the others
get the groups from before without those that lost a need since (never a need out of sight).

A group is named by its smallest need id (`group` in the needs list's query), which stays put
while the group keeps that need.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, cast
from sqlmodel import Session, col, func, select

from app.i18n import N_
from app.models import Need, ProjectTheme
from app.models.base import NeedStatus, id_of
from app.services.errors import Invalid
from app.services.permissions import ProjectRelation
from app.services.render_cache import register
from app.services.text import clustering

NOT_A_GROUP = N_("Choose one of the project's automatic themes.")
PROJECTS_KEPT = 64


@dataclass(frozen=True)
class AutoTheme:
    """A group of the project's needs: its name (smallest need id), label words and needs."""

    key: int
    words: tuple[str, ...]
    need_ids: tuple[int, ...]


@dataclass(frozen=True)
class AutoThemes:
    """A project's automatic themes, largest first, and how many needs are in none of them."""

    themes: tuple[AutoTheme, ...]
    ungrouped: int

    def find(self, key: int) -> AutoTheme | None:
        """The theme named `key`, if there is one."""
        return next((theme for theme in self.themes if theme.key == key), None)


@dataclass(frozen=True)
class ManualTheme:
    """One of the procurers' themes and how many of its needs the reader may see."""

    name: str
    need_count: int


# What the groups were made from: how many needs, the sum and sum of squares of their ids,
# their latest edit.
State = tuple[int, int, int, datetime | None]


class _Kept:
    """The last `PROJECTS_KEPT` projects' groups (least recently used goes first)."""

    def __init__(self) -> None:
        self.kept: OrderedDict[int, tuple[State, AutoThemes]] = OrderedDict()
        self.lock = threading.Lock()
        self.building: dict[int, threading.Lock] = {}
        self.builds = 0

    def clear(self) -> None:
        """Forget every project's groups (tests switch databases)."""
        with self.lock:
            self.kept.clear()
            self.building.clear()


kept = register(_Kept())


def _grouped(project_id: int) -> list[ColumnElement[bool]]:
    """The needs that are grouped: the project's listed needs for every reader, not merged."""
    return [
        col(Need.project_id) == project_id,
        col(Need.hidden).is_(False),
        col(Need.held).is_(False),
        col(Need.status) != NeedStatus.merged,
    ]


def _state(session: Session, project_id: int) -> State:
    need_id = col(Need.id)
    wide = cast(need_id, BigInteger)  # a square of an id overflows PostgreSQL's integer
    query = select(
        func.count(need_id),
        func.coalesce(func.sum(wide), 0),
        func.coalesce(func.sum(wide * wide), 0),
        func.max(Need.edited_at),
    ).where(*_grouped(project_id))
    count, total, squares, edited = session.exec(query).one()
    return int(count), int(total or 0), int(squares or 0), edited


def _build(session: Session, project_id: int) -> AutoThemes:
    query = select(col(Need.id), col(Need.title), col(Need.problem)).where(*_grouped(project_id))
    documents = [
        (int(need_id or 0), f"{title}\n{problem}")
        for need_id, title, problem in session.exec(query.order_by(col(Need.id))).all()
    ]
    groups, alone = clustering.group(documents)
    themes = tuple(
        AutoTheme(key=min(group.keys), words=group.words, need_ids=tuple(sorted(group.keys)))
        for group in groups
    )
    return AutoThemes(themes=themes, ungrouped=len(alone))


def of_project(session: Session, *, rel: ProjectRelation) -> AutoThemes:
    """The project's automatic themes (grouped afresh when its needs changed since)."""
    project_id = id_of(rel.project)
    state = _state(session, project_id)
    with kept.lock:
        entry = kept.kept.get(project_id)
        if entry is not None and entry[0] == state:
            kept.kept.move_to_end(project_id)
            return entry[1]
        building = kept.building.setdefault(project_id, threading.Lock())
    if entry is not None and not building.acquire(blocking=False):
        # Another request is grouping right now: the groups before, less any that lost a need.
        return _still_shown(session, project_id, entry[1])
    if entry is not None:
        building.release()
    with building:  # one request groups; the first ones asking meanwhile wait for it
        with kept.lock:
            entry = kept.kept.get(project_id)
            if entry is not None and entry[0] == state:
                return entry[1]
        built = _build(session, project_id)
        with kept.lock:
            kept.builds += 1
            kept.kept[project_id] = (state, built)
            kept.kept.move_to_end(project_id)
            while len(kept.kept) > PROJECTS_KEPT:
                gone, _ = kept.kept.popitem(last=False)
                kept.building.pop(gone, None)
    return built


def _still_shown(session: Session, project_id: int, before: AutoThemes) -> AutoThemes:
    """The groups made before, keeping only those whose needs are all still grouped (a group
    that lost a need to a hiding, a hold or a merge is left out until the grouping is done, so
    no label word or count comes from a need that is out of sight)."""
    ids = set(session.exec(select(col(Need.id)).where(*_grouped(project_id))).all())
    themes = tuple(theme for theme in before.themes if ids.issuperset(theme.need_ids))
    return AutoThemes(themes=themes, ungrouped=len(ids) - sum(len(t.need_ids) for t in themes))


def resolve(session: Session, *, rel: ProjectRelation, key: int) -> AutoTheme:
    """The project's automatic theme named `key`; 422 for one it does not have (any more)."""
    found = of_project(session, rel=rel).find(key)
    if found is None:
        raise Invalid(NOT_A_GROUP)
    return found


def manual_counts(session: Session, *, rel: ProjectRelation) -> list[ManualTheme]:
    """The procurers' themes in their order, each with the number of its needs in the reader's
    list (hidden and held needs count for moderators only, as the list shows them)."""
    project_id = id_of(rel.project)
    conditions = [col(Need.project_id) == project_id]
    if not rel.is_moderator:
        conditions += [col(Need.hidden).is_(False), col(Need.held).is_(False)]
    counted = select(col(Need.theme_id), func.count(col(Need.id))).where(*conditions)
    counts = dict(session.exec(counted.group_by(col(Need.theme_id))).all())
    query = select(ProjectTheme).where(col(ProjectTheme.project_id) == project_id)
    return [
        ManualTheme(name=theme.name, need_count=int(counts.get(theme.id, 0)))
        for theme in session.exec(query.order_by(col(ProjectTheme.position))).all()
    ]
