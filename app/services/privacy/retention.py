"""Retention: an organisation says how long the personal data of its closed projects is kept;
past that, the people's contributions there are anonymised.

A project is *closed* when its phase is `closed` or `aborted`; it has been closed since the gate
decision that moved it there. Each process runs `keep_retention` (like the mail sender), and
`pivotal retention` runs one round by hand; both call `apply_retention` with the time, so tests
give it a fake clock.
"""

from __future__ import annotations

import asyncio
import logging
from calendar import monthrange
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, union
from sqlmodel import Session, col, select

from app.db import new_session
from app.models import Erasure, Organisation, PhaseMove, Project, User
from app.models.base import Phase, id_of, utcnow
from app.models.privacy import ErasureCause
from app.models.vocabulary import AuditAction, AuditField
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.errors import Invalid
from app.services.privacy.erasure import anonymise, stand_in
from app.services.privacy.personal_data import CONTRIBUTIONS

log = logging.getLogger("pivotal.retention")
CLOSED_PHASES = (Phase.closed, Phase.aborted)
MAX_MONTHS = 1200


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def set_retention(
    session: Session, *, rel: permissions.OrganisationRelation, months: int | None
) -> Organisation:
    """An organisation's administrators set how long its closed projects keep personal data
    (None: no limit); recorded in the organisation's audit log."""
    actor = permissions.ensure_org_admin(rel)
    if months is not None and not 1 <= months <= MAX_MONTHS:
        raise Invalid("Give a whole number of months from 1 to %(most)s.", most=MAX_MONTHS)
    organisation = rel.organisation
    field = AuditField.retention_months.value
    before: dict[str, Any] = {field: organisation.retention_months}
    organisation.retention_months = months
    change = Change(AuditAction.retention_set, before=before, after={field: months})
    contribution.record_for_organisation(
        session, actor=actor, organisation=organisation, on=organisation, change=change
    )
    return organisation


def due_projects(session: Session, *, now: datetime) -> list[int]:
    """Closed projects whose owner's retention time has passed since they closed."""
    closed_at = (
        select(func.max(PhaseMove.decided_at))
        .where(
            col(PhaseMove.project_id) == Project.id,
            col(PhaseMove.to_phase).in_(CLOSED_PHASES),
        )
        .correlate(Project)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Project.id, Organisation.retention_months, closed_at, Project.created_at)
        .join(Organisation, col(Organisation.id) == Project.owner_org_id)
        .where(
            col(Project.phase).in_(CLOSED_PHASES), col(Organisation.retention_months).is_not(None)
        )
    ).all()
    due = []
    for project_id, months, closed, created in rows:
        since = closed or created
        if project_id is not None and months and since <= months_before(now, months):
            due.append(project_id)
    return due


def _people(session: Session, project_id: int) -> list[User]:
    """The people (not yet anonymised) with a contribution in the project."""
    projects = select(literal(project_id))
    ids = union(
        *(
            select(getattr(held.model, name)).where(held.project(projects))  # type: ignore[misc]
            for held in CONTRIBUTIONS
            for name in held.about
        )
    ).subquery()
    query = select(User).where(col(User.id).in_(select(ids.c[0])), col(User.deleted_at).is_(None))
    return list(session.exec(query).all())


def apply_retention(session: Session, *, now: datetime) -> int:
    """Anonymise the contributions in every project past retention; returns the people moved.

    Each person's contributions in a project move to a stand-in account of their own there
    (named as a deleted user), so a thread still reads as one voice; the participation log of
    the project keeps only roles and organisation kinds. Running it again changes nothing.
    """
    moved = 0
    for project_id in due_projects(session, now=now):
        projects = select(literal(project_id))
        people = _people(session, project_id)
        for person in people:
            ghost = stand_in(session, like=person)
            anonymise(session, person_id=id_of(person), to=id_of(ghost), projects=projects)
        anonymise(session, person_id=None, to=None, projects=projects)
        if people:
            session.add(
                Erasure(cause=ErasureCause.retention, project_id=project_id, people=len(people))
            )
            moved += len(people)
        session.flush()
    return moved


def run_retention(now: datetime | None = None) -> int:
    """One round in a transaction of its own (the scheduled job and the CLI)."""
    with new_session() as session:
        moved = apply_retention(session, now=now or utcnow())
        session.commit()
    return moved


async def keep_retention(interval: float) -> None:
    """Apply retention every `interval` seconds, for the life of the process."""
    while True:
        try:
            moved = await asyncio.to_thread(run_retention)
            if moved:
                log.info("retention anonymised %s people's contributions", moved)
        except Exception:  # a broken round must not stop the next one
            log.exception("retention failed")
        await asyncio.sleep(interval)
