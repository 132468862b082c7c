"""Similar needs: the needs of a project closest to a text someone is typing (issue 13).

The project's needs are indexed (`app/services/text`) once per content version of the project:
every contribution, edit and moderation decision moves that version in its transaction, so the
index is rebuilt on the first request after a change and shared by every request until the next.
The index holds every need; who may see which is decided per request (`permissions`).

The default threshold (0.2) comes from the labelled set in `tests/similarity/labelled.py`:
duplicates score 0.19–0.68 (all but one at or above 0.22), non-duplicates at most 0.39 (one
shares "kommer for sent om morgenen"), most below 0.17 (see docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Need
from app.models.base import NeedStatus, id_of
from app.services import participation
from app.services.permissions import ProjectRelation
from app.services.render_cache import VersionedCache, register
from app.services.text.similarity import Index

DEFAULT_THRESHOLD = 0.2
TEXT_MIN = 3
TEXT_MAX = 2000
API_LIMIT = 10


@dataclass(frozen=True)
class Candidate:
    """A need like the text, with its cosine score (0–1)."""

    need_id: int
    title: str
    score: float


@dataclass(frozen=True)
class _Shown:
    title: str
    hidden: bool
    held: bool
    merged: bool


@dataclass(frozen=True)
class ProjectIndex:
    """A project's needs as an index, with what decides who sees each."""

    index: Index[int]
    needs: dict[int, _Shown]


indexes: VersionedCache[ProjectIndex] = register(VersionedCache(max_entries=64))


def _build(session: Session, project_id: int) -> ProjectIndex:
    rows = session.exec(select(Need).where(col(Need.project_id) == project_id)).all()
    index = Index.build((id_of(need), f"{need.title}\n{need.problem}") for need in rows)
    needs = {
        id_of(need): _Shown(need.title, need.hidden, need.held, need.status == NeedStatus.merged)
        for need in rows
    }
    return ProjectIndex(index=index, needs=needs)


def project_index(session: Session, *, project_id: int) -> ProjectIndex:
    """The project's needs index at its current content version (built once per version)."""
    version = participation.project_version(session, project_id=project_id)
    return indexes.get_or_build(project_id, version, lambda: _build(session, project_id))


def similar(
    session: Session,
    *,
    rel: ProjectRelation,
    text: str,
    min_score: float = DEFAULT_THRESHOLD,
    limit: int = API_LIMIT,
) -> list[Candidate]:
    """The needs of the project most like `text` that this viewer may read, best first.

    Hidden and held needs count only for moderators; merged needs are left out (their
    supporters belong to the need they were merged into).
    """
    indexed = project_index(session, project_id=id_of(rel.project))
    moderator = rel.is_moderator
    found: list[Candidate] = []
    ranked = indexed.index.most_similar(text, min_score=min_score, limit=len(indexed.needs))
    for need_id, score in ranked:
        shown = indexed.needs[need_id]
        if shown.merged or ((shown.hidden or shown.held) and not moderator):
            continue
        found.append(Candidate(need_id=need_id, title=shown.title, score=round(score, 3)))
        if len(found) == limit:
            break
    return found
