"""The participation rollup: counts per day, phase, actor and addressee group, kept from the log.

A keeper in each process (`keep_rollups`) counts settled events past each project's watermark
into `participation_rollup` every so often, so reading figures never writes. A reader counts the
rollup and, live, what lies beyond the watermark and every event about a proposal, question or
booking (`counted_rows`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.db import new_session
from app.models import ParticipationRollup, ParticipationRollupMark, Project
from app.models.base import utcnow
from app.models.vocabulary import ObjectType
from app.services import permissions
from app.services.metrics.sql import NOT_COUNTED, PE, Scope, day, events
from app.services.permissions import ProjectRelation

log = logging.getLogger(__name__)


# Events this much older than now are settled: every transaction that wrote an earlier id has
# committed (PostgreSQL hands out ids before commit), so the watermark can pass them.
ROLLUP_SETTLE = timedelta(seconds=60)
# Kept out of the rollup and counted live: who may count them depends on the reader.
LIVE_OBJECT_TYPES = (
    ObjectType.proposal,
    ObjectType.secrecy_claim,
    ObjectType.question,
    ObjectType.meeting_slot,
    ObjectType.requirement,  # drafts: the specification's writers' until it is final
    ObjectType.specification_author,
)
ROLLUP_GROUP = (
    "phase",
    "actor_id",
    "actor_role",
    "actor_org_id",
    "actor_org_kind",
    "addressee_role",
    "addressee_org_id",
    "addressee_org_kind",
)


def _answers_other() -> ColumnElement[bool]:
    return and_(col(PE.addressee_id).is_not(None), col(PE.addressee_id) != PE.actor_id)


def refresh_rollup(session: Session, project_id: int) -> int:
    """Count the project's settled events after the watermark into the rollup (in SQL).

    Concurrent readers race on the watermark with a compare-and-set: only the one that moved
    it inserts, so no event is counted twice.
    """
    mark = session.get(ParticipationRollupMark, project_id)
    if mark is None:
        try:
            with session.begin_nested():
                session.add(ParticipationRollupMark(project_id=project_id, last_event_id=0))
        except IntegrityError:
            pass
        mark = session.get(ParticipationRollupMark, project_id)
        assert mark is not None
    last = mark.last_event_id
    cutoff = utcnow() - ROLLUP_SETTLE
    top = session.execute(
        select(func.max(PE.id)).where(
            col(PE.id) > last, col(PE.project_id) == project_id, col(PE.occurred_at) < cutoff
        )
    ).scalar()
    if top is None:
        return last
    moved = session.execute(
        update(ParticipationRollupMark)
        .where(
            col(ParticipationRollupMark.project_id) == project_id,
            col(ParticipationRollupMark.last_event_id) == last,
        )
        .values(last_event_id=top)
        .execution_options(synchronize_session=False)
    )
    if not getattr(moved, "rowcount", 0):
        session.expire(mark)
        return last  # another reader moved it; this reader counts the rest live
    on_day = day(session, col(PE.occurred_at))
    answers = _answers_other()
    group = [getattr(PE, name) for name in ROLLUP_GROUP]
    rows = (
        select(
            literal(project_id),
            on_day,
            *group,
            answers,
            func.count(),
        )
        .where(
            col(PE.project_id) == project_id,
            col(PE.id) > last,
            col(PE.id) <= top,
            col(PE.verb).not_in(NOT_COUNTED),
            col(PE.object_type).not_in(LIVE_OBJECT_TYPES),
        )
        .group_by(on_day, *group, answers)
    )
    target = ["project_id", "day", *ROLLUP_GROUP, "answers_other", "n"]
    session.execute(insert(ParticipationRollup).from_select(target, rows))
    session.expire(mark)
    return int(top)


def refresh_rollups() -> int:
    """Bring the rollup up to date for every project with settled events past its watermark
    (found in one query), each in a transaction of its own (the keeper's round; see
    `keep_rollups`). Returns how many projects had settled events to count."""
    mark = ParticipationRollupMark
    # The event's own project's watermark: correlated with the event, the enclosing query (with
    # the project two levels up, the subquery took `project` into its own FROM: every project's
    # mark at once, which PostgreSQL refuses as soon as there are two).
    watermark = func.coalesce(
        select(col(mark.last_event_id))
        .where(col(mark.project_id) == PE.project_id)
        .scalar_subquery(),
        0,
    )
    behind = (
        select(col(PE.id))
        .where(
            col(PE.project_id) == Project.id,  # by the (project_id, id) index
            col(PE.id) > watermark,
            col(PE.occurred_at) < utcnow() - ROLLUP_SETTLE,
        )
        .exists()
    )
    with new_session() as session:
        project_ids = [i for i in session.scalars(select(col(Project.id)).where(behind)) if i]
    moved = 0
    for project_id in project_ids:
        with new_session() as session:
            before = session.get(ParticipationRollupMark, project_id)
            last = before.last_event_id if before is not None else 0
            moved += refresh_rollup(session, project_id) != last
            session.commit()
    return moved


async def keep_rollups(interval: float) -> None:
    """Count settled events into the rollup every `interval` seconds, so that reading figures
    never writes: a read counts the rollup and, live, whatever lies beyond its watermark."""
    while True:
        await asyncio.sleep(interval)
        try:
            await asyncio.to_thread(refresh_rollups)
        except Exception:  # a busy or unreachable database: the next round tries again
            log.exception("refreshing the metrics rollup failed")


def counted_rows(session: Session, rels: Scope) -> Any:
    """The reader's contributions to the projects as counted rows: the rollup up to each
    project's watermark, and live beyond it and for proposals (through the reader's clause)."""
    return sa.union_all(*(part for rel in rels for part in _counted_parts(session, rel))).subquery(
        "counted"
    )


def _counted_parts(session: Session, rel: ProjectRelation) -> list[Any]:
    project_id = rel.project.id
    mark = select(col(ParticipationRollupMark.last_event_id)).where(
        col(ParticipationRollupMark.project_id) == project_id
    )
    last = session.execute(mark).scalar() or 0
    R = ParticipationRollup
    rolled = select(
        col(R.day).label("day"),
        *(getattr(R, name).label(name) for name in ROLLUP_GROUP),
        col(R.answers_other).label("answers_other"),
        col(R.n).label("n"),
    ).where(col(R.project_id) == project_id)
    on_day = day(session, permissions.participation_moment(rel))
    answers = _answers_other()
    group = [getattr(PE, name) for name in ROLLUP_GROUP]

    def live(*where: ColumnElement[bool]) -> Any:
        return (
            select(
                on_day.label("day"),
                *(g.label(name) for g, name in zip(group, ROLLUP_GROUP, strict=True)),
                answers.label("answers_other"),
                func.count().label("n"),
            )
            .where(events(rel), *where)
            .group_by(on_day, *group, answers)
        )

    # Two parts so each finds its rows by an index: the events after the watermark (by id),
    # and the proposals', questions' and bookings' events before it (by object type).
    after = live(col(PE.id) > last)
    # ("+ 0": by the object type index, not walking every earlier event of the project by id.)
    proposals = live((col(PE.id) + 0) <= last, col(PE.object_type).in_(LIVE_OBJECT_TYPES))
    return [rolled, after, proposals]
