"""Similar needs: the needs of a project closest to a text someone is typing (issue 13).

The project's needs are indexed (`app/services/text`) once and kept per project. The index is
about texts only, so it is kept while the texts are: it is checked against the project's needs
by one aggregate query (how many, the highest id, the latest edit). New needs since are added
to it (with the IDF as it stood: close enough until the next rebuild); any other change of the
texts (an edit, a need deleted with its author's account) rebuilds it. Which needs a reader
may see, their titles and statuses are read fresh for the candidates of every request, so a
moderator's decision or a merge counts at once.

The default threshold (0.2) comes from the labelled set in `tests/similarity/labelled.py`
(docs/performance.md, "Similar needs"): at 0.2 it finds 18 of 20 duplicates and suggests one
non-duplicate, against a trigram baseline at pg_trgm's 0.25 that suggests three.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.models import Need
from app.models.base import NeedStatus, id_of
from app.services.permissions import ProjectRelation
from app.services.render_cache import register
from app.services.text.similarity import Index

DEFAULT_THRESHOLD = 0.2
TEXT_MIN = 3
TEXT_MAX = 2000
API_LIMIT = 10
# Ranked candidates read back from the database per request (before visibility filters).
CANDIDATES = 100
PROJECTS_KEPT = 64


@dataclass(frozen=True)
class Candidate:
    """A need like the text, with its cosine score (0–1)."""

    need_id: int
    title: str
    score: float


# What the index was built from: how many needs, the highest id, the latest edit.
State = tuple[int, int, datetime | None]


@dataclass
class ProjectIndex:
    """A project's needs as an index, and the state of the needs it was built from."""

    index: Index[int]
    state: State


class _Indexes:
    """The last `PROJECTS_KEPT` projects' indexes (least recently used goes first)."""

    def __init__(self) -> None:
        self.kept: OrderedDict[int, ProjectIndex] = OrderedDict()
        self.lock = threading.Lock()
        self.builds = 0

    def clear(self) -> None:
        """Forget every index (tests switch databases)."""
        with self.lock:
            self.kept.clear()


indexes = register(_Indexes())


def _text(need: Need) -> str:
    return f"{need.title}\n{need.problem}"


def _state(session: Session, project_id: int) -> State:
    query = select(func.count(col(Need.id)), func.max(col(Need.id)), func.max(Need.edited_at))
    count, max_id, edited = session.exec(query.where(col(Need.project_id) == project_id)).one()
    return int(count), int(max_id or 0), edited


def _needs(session: Session, project_id: int, after_id: int = 0) -> list[Need]:
    query = select(Need).where(col(Need.project_id) == project_id, col(Need.id) > after_id)
    return list(session.exec(query).all())


def project_index(session: Session, *, project_id: int) -> Index[int]:
    """The project's needs index, current with their texts (built, added to or rebuilt)."""
    state = _state(session, project_id)
    with indexes.lock:
        kept = indexes.kept.get(project_id)
        if kept is not None:
            indexes.kept.move_to_end(project_id)
            if kept.state == state:
                return kept.index
    if kept is not None and kept.state[2] == state[2] and state[1] > kept.state[1]:
        added = _needs(session, project_id, after_id=kept.state[1])
        if kept.state[0] + len(added) == state[0]:
            with indexes.lock:
                for need in added:
                    kept.index.add(id_of(need), _text(need))
                kept.state = state
            return kept.index
    built = Index.build((id_of(need), _text(need)) for need in _needs(session, project_id))
    with indexes.lock:
        indexes.builds += 1
        indexes.kept[project_id] = ProjectIndex(index=built, state=state)
        while len(indexes.kept) > PROJECTS_KEPT:
            indexes.kept.popitem(last=False)
    return built


def similar(
    session: Session,
    *,
    rel: ProjectRelation,
    text: str,
    min_score: float = DEFAULT_THRESHOLD,
    limit: int = API_LIMIT,
    max_features: int | None = None,
) -> list[Candidate]:
    """The needs of the project most like `text` that this viewer may read, best first.

    Hidden and held needs count only for moderators; merged needs are left out (their
    supporters belong to the need they were merged into).
    """
    index = project_index(session, project_id=id_of(rel.project))
    ranked = index.most_similar(
        text, min_score=min_score, limit=CANDIDATES, max_features=max_features
    )
    if not ranked:
        return []
    query = select(col(Need.id), col(Need.title)).where(
        col(Need.id).in_([need_id for need_id, _ in ranked]),
        col(Need.project_id) == rel.project.id,
        col(Need.status) != NeedStatus.merged,
    )
    if not rel.is_moderator:
        query = query.where(col(Need.hidden).is_(False), col(Need.held).is_(False))
    titles = dict(session.exec(query).all())
    found = [
        Candidate(need_id=need_id, title=titles[need_id], score=round(score, 3))
        for need_id, score in ranked
        if need_id in titles
    ]
    return found[:limit]
