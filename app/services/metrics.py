"""Participation metrics for the research questions, computed in SQL from the log and records.

Every figure is a small table (`columns`, `rows`) that says which research question it serves
(DESIGN.md §1) and, in one sentence, how it is computed. Readers of the participation log
(the project's procurers, researchers, admins) get the full view; anyone else who may view a
public project gets the aggregate view: no breakdown by individual organisation other than
public bodies, and every cell that counts fewer than `MIN_CELL` people suppressed (None).
Non-procurers never get figures that count unpublished proposals or questions, bookings or a
supplier company by name: every query over the log goes through
`permissions.visible_participation_clause` and dates events by `permissions.participation_moment`
(a question's asking counts from its publication), and the figure by organisation names only
public bodies for them (the table in `permissions`).

Participation and interaction read `participation_rollup` (counts per day, phase, actor and
addressee group), which a keeper in each process brings up to date from the log every so often
(`keep_rollups`), so reading never writes; what lies beyond the watermark, and every event about
a proposal, question or booking, is counted live for the reader.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, case, func, insert, literal, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.db import new_session
from app.i18n import N_
from app.models import (
    Comment,
    Need,
    Organisation,
    ParticipationEvent,
    ParticipationRollup,
    ParticipationRollupMark,
    Project,
    ProjectPartner,
    Question,
)
from app.models.base import OrganisationKind, Role, id_of, utcnow
from app.models.question import QuestionStatus
from app.services import permissions
from app.services.errors import Forbidden, NotFound
from app.services.permissions import ProjectRelation

log = logging.getLogger(__name__)

MIN_CELL = 5  # the public view suppresses every cell that counts fewer people than this

# Verbs that undo or moderate something are not contributions; everything else in the log is.
NOT_CONTRIBUTIONS = (
    "withdrew_support",
    "withdrew_question",
    "withdrew_proposal",
    "cancelled_registration",
    "cancelled_booking",
    "hid_comment",
)
PUBLIC_BODIES = (OrganisationKind.municipality, OrganisationKind.county)
NO_ORGANISATION = "none"

PE = ParticipationEvent
# The projects a set of figures covers, each with the reader's relation to it.
Scope = Sequence[ProjectRelation]


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


# ---- helpers -------------------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _hours(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    """Hours between two timestamps, in SQL."""
    if _dialect(session) == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _week_start(session: Session, moment: Any) -> ColumnElement[Any]:
    """The Monday (UTC) of the ISO week a timestamp falls in, in SQL."""
    if _dialect(session) == "postgresql":
        return sa.cast(func.date_trunc("week", func.timezone("UTC", moment)), sa.Date)
    return func.date(moment, "weekday 0", "-6 days")


def _iso_week(monday: Any) -> str:
    day = monday if isinstance(monday, date) else date.fromisoformat(str(monday)[:10])
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _events(rel: ProjectRelation) -> ColumnElement[bool]:
    """This project's contributions that this reader may see."""
    return and_(
        col(PE.project_id) == rel.project.id,
        col(PE.verb).not_in(NOT_CONTRIBUTIONS),
        permissions.visible_participation_clause(rel),
    )


def _by_project_staff(rel: ProjectRelation) -> ColumnElement[bool]:
    """Events in the project by someone of its owner or a partner organisation."""
    partners = select(col(ProjectPartner.organisation_id)).where(
        col(ProjectPartner.project_id) == rel.project.id
    )
    return and_(
        col(PE.project_id) == rel.project.id,
        or_(col(PE.actor_org_id) == rel.project.owner_org_id, col(PE.actor_org_id).in_(partners)),
    )


def _ratio(part: float | None, whole: float | None) -> float | None:
    if not whole or part is None:
        return None
    return round(part / whole, 4)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _figure(
    key: str,
    label: str,
    rq: int,
    method: str,
    columns: list[str],
    rows: Sequence[dict[str, Any]],
    *,
    aggregate: bool,
    people: str = "participants",
) -> Figure:
    """A figure; in the aggregate view every row counting fewer than MIN_CELL people is blanked.

    `people` names the value that counts people in each row (it is left out of the shown row
    when it is not one of the columns).
    """
    blank = set()
    if aggregate:
        counts = [row.get(people) for row in rows]
        blank = {i for i, n in enumerate(counts) if n is not None and n < MIN_CELL}
    shown = [{c: row.get(c) for c in columns} for row in rows]
    sizes = [row.get(people) or 0 for row in rows]
    return _with_blanks(
        Figure(
            key=key,
            label=label,
            research_question=rq,
            method=method,
            columns=columns,
            rows=shown,
        ),
        blank,
        sizes,
    )


def _with_blanks(figure: Figure, blank: set[int], sizes: Sequence[float]) -> Figure:
    """The figure with the given rows' counts blanked, and one more if only one would be.

    A lone blank row could be worked out by subtracting the others from a total shown elsewhere
    (another breakdown of the same contributions); blanking the next smallest row as well
    leaves only the sum of the two to find, which counts at least MIN_CELL people.
    """
    if not blank:
        return figure
    if len(blank) == 1 and len(figure.rows) > 1:
        rest = [i for i in range(len(figure.rows)) if i not in blank]
        blank = blank | {min(rest, key=lambda i: (sizes[i], i))}
    rows = [
        {c: (v if c in _DIMENSIONS else None) for c, v in row.items()} if i in blank else row
        for i, row in enumerate(figure.rows)
    ]
    return figure.model_copy(update={"rows": rows, "suppressed": len(blank)})


def _is_blank(figure: Figure, row: dict[str, Any]) -> bool:
    values = [v for c, v in row.items() if c not in _DIMENSIONS]
    return bool(values) and all(v is None for v in values)


def _groups(figure: Figure, row: dict[str, Any]) -> tuple[Any, ...]:
    """The group a row counts: its dimensions (a project's id alone in the ambition profile)."""
    if figure.key == "ambition_profile":
        return (row["project_id"],)
    return tuple(row[c] for c in figure.columns if c in _DIMENSIONS)


def _suppress_where_any(totals: list[Figure], parts: Sequence[Sequence[Figure]]) -> list[Figure]:
    """Totals with every group blanked that some part (one project's figure) has blanked."""
    hidden: dict[str, set[tuple[Any, ...]]] = {}
    for figures_of_part in parts:
        for figure in figures_of_part:
            for row in figure.rows:
                if _is_blank(figure, row):
                    hidden.setdefault(figure.key, set()).add(_groups(figure, row))
    result = []
    for figure in totals:
        groups = hidden.get(figure.key, set())
        blank = {
            i
            for i, row in enumerate(figure.rows)
            if _is_blank(figure, row) or _groups(figure, row) in groups
        }
        sizes = [_size(figure, row) for row in figure.rows]
        result.append(_with_blanks(figure, blank, sizes))
    return result


def _size(figure: Figure, row: dict[str, Any]) -> float:
    """How large a shown row is, to pick the smallest for complementary blanking."""
    if row.get("participants") is not None:
        return float(row["participants"])
    numbers = [v for c, v in row.items() if c not in _DIMENSIONS and isinstance(v, int | float)]
    return float(numbers[0]) if numbers else 0.0


# Columns that name a group rather than count anything (never suppressed).
_DIMENSIONS = frozenset(
    {
        "role",
        "organisation_kind",
        "organisation_id",
        "organisation",
        "phase",
        "week",
        "actor",
        "addressee",
        "exchange",
        "author_role",
        "project_id",
        "title",
        "innovation_ambition",
        "visibility",
    }
)


# ---- the rollup ----------------------------------------------------------------------------------

# Events this much older than now are settled: every transaction that wrote an earlier id has
# committed (PostgreSQL hands out ids before commit), so the watermark can pass them.
ROLLUP_SETTLE = timedelta(seconds=60)
# Kept out of the rollup and counted live: who may count them depends on the reader.
LIVE_OBJECT_TYPES = ("proposal", "secrecy_claim", "question", "meeting_slot")
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


def _day(session: Session, moment: Any) -> ColumnElement[Any]:
    """The UTC date of a timestamp, in SQL."""
    if _dialect(session) == "postgresql":
        return sa.cast(func.timezone("UTC", moment), sa.Date)
    return func.date(moment)


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
    day = _day(session, col(PE.occurred_at))
    answers = _answers_other()
    group = [getattr(PE, name) for name in ROLLUP_GROUP]
    rows = (
        select(
            literal(project_id),
            day,
            *group,
            answers,
            func.count(),
        )
        .where(
            col(PE.project_id) == project_id,
            col(PE.id) > last,
            col(PE.id) <= top,
            col(PE.verb).not_in(NOT_CONTRIBUTIONS),
            col(PE.object_type).not_in(LIVE_OBJECT_TYPES),
        )
        .group_by(day, *group, answers)
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
    watermark = func.coalesce(
        select(col(mark.last_event_id)).where(col(mark.project_id) == Project.id).scalar_subquery(),
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


def _counted(session: Session, rels: Scope) -> Any:
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
    day = _day(session, permissions.participation_moment(rel))
    answers = _answers_other()
    group = [getattr(PE, name) for name in ROLLUP_GROUP]

    def live(*where: ColumnElement[bool]) -> Any:
        return (
            select(
                day.label("day"),
                *(g.label(name) for g, name in zip(group, ROLLUP_GROUP, strict=True)),
                answers.label("answers_other"),
                func.count().label("n"),
            )
            .where(_events(rel), *where)
            .group_by(day, *group, answers)
        )

    # Two parts so each finds its rows by an index: the events after the watermark (by id),
    # and the proposals', questions' and bookings' events before it (by object type).
    after = live(col(PE.id) > last)
    # ("+ 0": by the object type index, not walking every earlier event of the project by id.)
    proposals = live((col(PE.id) + 0) <= last, col(PE.object_type).in_(LIVE_OBJECT_TYPES))
    return [rolled, after, proposals]


# ---- participation -------------------------------------------------------------------------------


def _participation_groups(
    session: Session, rels: Scope, *, aggregate: bool
) -> dict[str, list[Any]]:
    """Participants and contributions by role, kind, organisation, phase and week: one scan.

    The events are first reduced to one row per actor, role, organisation, phase and week (a
    CTE used five times, so the database materialises it once); the five breakdowns are then
    grouped from those few rows in the same statement.
    """
    counted = _counted(session, rels)
    kind = func.coalesce(counted.c.actor_org_kind, NO_ORGANISATION)
    monday = _week_start(session, counted.c.day)
    keys = [
        counted.c.actor_id,
        counted.c.actor_role,
        kind,
        counted.c.actor_org_id,
        counted.c.phase,
        monday,
    ]
    base = (
        select(
            counted.c.actor_id.label("actor_id"),
            counted.c.actor_role.label("role"),
            kind.label("kind"),
            counted.c.actor_org_id.label("org"),
            counted.c.phase.label("phase"),
            monday.label("monday"),
            func.sum(counted.c.n).label("n"),
        )
        .group_by(*keys)
        .cte("base")
    )

    def by(name: str, value: Any, *where: Any) -> Any:
        return (
            select(
                literal(name).label("dimension"),
                sa.cast(value, sa.String).label("value"),
                func.count(sa.distinct(base.c.actor_id)).label("participants"),
                func.sum(base.c.n).label("contributions"),
            )
            .where(*where)
            .group_by(value)
        )

    # Only the project's procurers see supplier companies (the table in `permissions`).
    named = not aggregate and all(map(permissions.sees_whole_participation, rels))
    public_only = true() if named else base.c.kind.in_(PUBLIC_BODIES)
    query = sa.union_all(
        by("role", base.c.role),
        by("kind", base.c.kind),
        by("org", base.c.org, base.c.org.is_not(None), public_only),
        by("phase", base.c.phase),
        by("week", base.c.monday),
    )
    groups: dict[str, list[Any]] = {"role": [], "kind": [], "org": [], "phase": [], "week": []}
    for row in session.execute(query):
        groups[row.dimension].append(row)
    for name, rows in groups.items():
        if name == "week":
            rows.sort(key=lambda r: str(r.value))
        elif name == "org":
            rows.sort(key=lambda r: (-r.contributions, int(r.value)))
        else:
            rows.sort(key=lambda r: (-r.contributions, r.value))
    return groups


def participation(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Who takes part, how much: by role, organisation kind, organisation, phase and week."""
    groups = _participation_groups(session, rels, aggregate=aggregate)

    def counted(name: str, row: Any) -> dict[str, Any]:
        return {
            name: row.value,
            "participants": row.participants,
            "contributions": int(row.contributions),
        }

    org_ids = [int(r.value) for r in groups["org"]]
    orgs = {
        o.id: o
        for o in session.scalars(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    by_org = [
        {
            "organisation_id": int(r.value),
            "organisation": orgs[int(r.value)].name,
            "organisation_kind": orgs[int(r.value)].kind,
            "participants": r.participants,
            "contributions": int(r.contributions),
        }
        for r in groups["org"]
    ]
    return [
        _figure(
            "participation_by_role",
            N_("Participation by role"),
            2,
            N_(
                "Distinct actors and their contributions (log events other than withdrawals, "
                "cancellations and moderation), grouped by the actor's role when they acted."
            ),
            ["role", "participants", "contributions"],
            [counted("role", r) for r in groups["role"]],
            aggregate=aggregate,
        ),
        _figure(
            "participation_by_organisation_kind",
            N_("Participation by organisation kind"),
            2,
            N_(
                "Distinct actors and their contributions grouped by the kind of the actor's "
                "organisation; “none” is people without one (citizens)."
            ),
            ["organisation_kind", "participants", "contributions"],
            [counted("organisation_kind", r) for r in groups["kind"]],
            aggregate=aggregate,
        ),
        _figure(
            "participation_by_organisation",
            N_("Participation by organisation"),
            2,
            N_(
                "Distinct actors and their contributions grouped by the actor's organisation "
                "(for others than the project's procurers only municipalities and counties)."
            ),
            [
                "organisation_id",
                "organisation",
                "organisation_kind",
                "participants",
                "contributions",
            ],
            by_org,
            aggregate=aggregate,
        ),
        _figure(
            "participation_by_phase",
            N_("Participation by phase"),
            1,
            N_("Distinct actors and their contributions grouped by the project's phase then."),
            ["phase", "participants", "contributions"],
            [counted("phase", r) for r in groups["phase"]],
            aggregate=aggregate,
        ),
        _figure(
            "participation_by_week",
            N_("Participation per week"),
            2,
            N_("Distinct actors and their contributions per ISO week (UTC) of the event."),
            ["week", "participants", "contributions"],
            [
                {
                    "week": _iso_week(r.value),
                    "participants": r.participants,
                    "contributions": int(r.contributions),
                }
                for r in groups["week"]
            ],
            aggregate=aggregate,
        ),
    ]


# ---- interaction ---------------------------------------------------------------------------------


def interaction(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Who responds to whom, and how many exchanges cross organisations: one scan.

    The exchanges are first reduced to one row per actor and addressee group (a CTE the
    database materialises once); the matrices and crossing counts come from those rows.
    """
    none = NO_ORGANISATION
    counted = _counted(session, rels)
    keys = {
        "actor_id": counted.c.actor_id,
        "role": counted.c.actor_role,
        "addressee_role": func.coalesce(counted.c.addressee_role, none),
        "kind": func.coalesce(counted.c.actor_org_kind, none),
        "addressee_kind": func.coalesce(counted.c.addressee_org_kind, none),
        "org": counted.c.actor_org_id,
        "addressee_org": counted.c.addressee_org_id,
    }
    base = (
        select(
            *(value.label(name) for name, value in keys.items()), func.sum(counted.c.n).label("n")
        )
        .where(counted.c.answers_other.is_(True))
        .group_by(*keys.values())
        .cte("exchanges")
    )
    public_body = list(PUBLIC_BODIES)
    crossing = and_(
        base.c.org.is_not(None),
        base.c.addressee_org.is_not(None),
        base.c.org != base.c.addressee_org,
    )
    supplier = OrganisationKind.supplier
    kinds: dict[str, ColumnElement[bool]] = {
        "between_municipalities": and_(
            crossing, base.c.kind.in_(public_body), base.c.addressee_kind.in_(public_body)
        ),
        "with_suppliers": and_(
            crossing,
            or_(base.c.kind == supplier, base.c.addressee_kind == supplier),
            or_(base.c.kind != supplier, base.c.addressee_kind != supplier),
        ),
        "with_citizens": and_(
            or_(base.c.role == Role.citizen, base.c.addressee_role == Role.citizen),
            or_(base.c.role != Role.citizen, base.c.addressee_role != Role.citizen),
        ),
        "across_organisations": crossing,
        "all": true(),
    }

    def part(name: str, actor: Any, addressee: Any, *where: Any, grouped: bool = True) -> Any:
        query = select(
            literal(name).label("dimension"),
            sa.cast(actor, sa.String).label("actor"),
            sa.cast(addressee, sa.String).label("addressee"),
            func.coalesce(func.sum(base.c.n), 0).label("exchanges"),
            func.count(sa.distinct(base.c.actor_id)).label("participants"),
        ).where(*where)
        return query.group_by(actor, addressee) if grouped else query

    query = sa.union_all(
        part("role", base.c.role, base.c.addressee_role),
        part("kind", base.c.kind, base.c.addressee_kind),
        *(part(name, literal(name), literal(""), kinds[name], grouped=False) for name in kinds),
    )
    matrices: dict[str, list[dict[str, Any]]] = {"role": [], "kind": []}
    crossed: dict[str, tuple[int, int]] = {}
    for row in session.execute(query):
        if row.dimension in matrices:
            matrices[row.dimension].append(
                {
                    "actor": row.actor,
                    "addressee": row.addressee,
                    "exchanges": int(row.exchanges),
                    "participants": row.participants,
                }
            )
        else:
            crossed[row.dimension] = (int(row.exchanges), row.participants)
    for rows in matrices.values():
        rows.sort(key=lambda r: (r["actor"], r["addressee"]))
    cross_rows = [
        {
            "exchange": name,
            "exchanges": crossed.get(name, (0, 0))[0],
            "participants": crossed.get(name, (0, 0))[1],
        }
        for name in kinds
    ]
    return [
        _figure(
            "interaction_by_role",
            N_("Who responds to whom, by role"),
            2,
            N_(
                "Contributions addressed to another person (comments, replies, supports, "
                "decisions, questions, answers), counted by the actor's and addressee's role."
            ),
            ["actor", "addressee", "exchanges", "participants"],
            matrices["role"],
            aggregate=aggregate,
        ),
        _figure(
            "interaction_by_organisation_kind",
            N_("Who responds to whom, by organisation kind"),
            2,
            N_(
                "The same exchanges counted by the kind of the actor's and the addressee's "
                "organisation (“none” for people without one)."
            ),
            ["actor", "addressee", "exchanges", "participants"],
            matrices["kind"],
            aggregate=aggregate,
        ),
        _figure(
            "exchanges_across_organisations",
            N_("Exchanges that cross organisations"),
            2,
            N_(
                "Exchanges between two different municipalities or counties, between a "
                "supplier and someone outside it, with a citizen on one side, between any two "
                "organisations, and in all; participants are the distinct actors."
            ),
            ["exchange", "exchanges", "participants"],
            cross_rows,
            aggregate=aggregate,
        ),
    ]


# ---- influence -----------------------------------------------------------------------------------


def median_by_group(session: Session, values: Any) -> dict[Any, tuple[float | None, int]]:
    """The median and count of `values` (a subquery with columns `grp` and `v`) per group, in SQL.

    The middle row (or the mean of the two middle rows) by window functions, in one pass.
    """
    ranked = select(
        values.c.grp,
        values.c.v,
        func.row_number().over(partition_by=values.c.grp, order_by=values.c.v).label("rn"),
        func.count().over(partition_by=values.c.grp).label("n"),
    ).subquery()
    middle = or_(
        ranked.c.rn == (ranked.c.n + 1) // 2,
        ranked.c.rn == (ranked.c.n + 2) // 2,
    )
    query = (
        select(ranked.c.grp, func.avg(ranked.c.v), func.max(ranked.c.n))
        .where(middle)
        .group_by(ranked.c.grp)
    )
    return {grp: (_round(v), n) for grp, v, n in session.execute(query)}


def influence(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Whether needs reach verified, and how soon the procurers respond to a need."""
    project_ids = [rel.project.id for rel in rels]
    posted = (
        select(
            # "+ 0": joined by need, the posted needs are read by the verb index, not looked
            # up one by one through the object index.
            (col(PE.object_id) + 0).label("need_id"),
            col(PE.actor_role).label("author_role"),
            col(PE.actor_id).label("author_id"),
            col(PE.occurred_at).label("posted_at"),
        )
        .where(or_(*(_events(rel) for rel in rels)), col(PE.verb) == "posted_need")
        .subquery()
    )
    verified = select(col(PE.object_id)).where(
        col(PE.project_id).in_(project_ids),
        col(PE.verb) == "verified_need",
        col(PE.object_type) == "need",
    )
    rows = session.execute(
        select(
            posted.c.author_role,
            func.count().label("needs"),
            func.count(case((posted.c.need_id.in_(verified), 1))).label("verified"),
            func.count(sa.distinct(posted.c.author_id)).label("participants"),
        )
        .group_by(posted.c.author_role)
        .order_by(posted.c.author_role)
    )
    shares = [
        {
            "author_role": r.author_role,
            "needs": r.needs,
            "verified": r.verified,
            "share_verified": _ratio(r.verified, r.needs),
            "participants": r.participants,
        }
        for r in rows
    ]
    # The procurers' first response: a procurer of the owner or a partner organisation comments
    # on the need (or replies under it) or decides its status.
    procurer = and_(col(PE.actor_role) == Role.procurer, or_(*map(_by_project_staff, rels)))
    # The first response per need, from two indexed lookups: status decisions on the need, and
    # comments under it (joined through the comment to its need).
    decisions: Any = (
        select(col(PE.object_id).label("need_id"), func.min(PE.occurred_at).label("first_at"))
        .where(
            procurer,
            # Decisions are always on a need (no filter on the object type: the verb's index
            # finds them among few rows, the object's among every need event).
            col(PE.verb).in_(("verified_need", "changed_need_status")),
        )
        .group_by(col(PE.object_id))
    )
    comments: Any = (
        select(col(Comment.need_id).label("need_id"), func.min(PE.occurred_at).label("first_at"))
        .join(Comment, col(Comment.id) == PE.object_id)
        .where(
            procurer,
            col(PE.verb).in_(("commented", "replied")),  # always on a comment
        )
        .group_by(col(Comment.need_id))
    )
    both = sa.union_all(decisions, comments).subquery()
    first = (
        select(both.c.need_id, func.min(both.c.first_at).label("first_at"))
        .group_by(both.c.need_id)
        .subquery()
    )
    responded = (
        select(
            posted.c.author_role.label("grp"),
            posted.c.posted_at,
            first.c.first_at,
        )
        .join(first, first.c.need_id == posted.c.need_id)
        .where(first.c.first_at >= posted.c.posted_at)
        .subquery()
    )
    values = (
        select(
            responded.c.grp,
            _hours(session, responded.c.posted_at, responded.c.first_at).label("v"),
        )
        .where(responded.c.first_at.is_not(None))
        .subquery()
    )
    medians = median_by_group(session, values)
    response_rows = [
        {
            "author_role": r["author_role"],
            "needs": r["needs"],
            "responded": medians.get(r["author_role"], (None, 0))[1],
            "median_hours": medians.get(r["author_role"], (None, 0))[0],
            "participants": r["participants"],
        }
        for r in shares
    ]
    return [
        _figure(
            "needs_verified_by_author_role",
            N_("Needs that reached verified, by the author's role"),
            2,
            N_(
                "Needs posted, and how many of them the procurers ever marked verified, "
                "grouped by the author's role when posting."
            ),
            ["author_role", "needs", "verified", "share_verified"],
            shares,
            aggregate=aggregate,
        ),
        _figure(
            "first_response_hours",
            N_("Hours to the procurers' first response to a need"),
            2,
            N_(
                "Median hours from a need being posted to the first comment, reply under it or "
                "status decision by a procurer of the project, over needs that got one."
            ),
            ["author_role", "needs", "responded", "median_hours"],
            response_rows,
            aggregate=aggregate,
        ),
    ]


# ---- dialogue quality ----------------------------------------------------------------------------


def dialogue(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Replies, thread depth, comments that got a reply, and time to answer suppliers."""
    project_ids = [rel.project.id for rel in rels]
    comments: Any = (
        select(
            col(Comment.id),
            col(Comment.parent_id),
            col(Comment.author_id),
            func.coalesce(Comment.root_id, Comment.id).label("root"),
            col(Comment.depth),
        )
        .join(Need, col(Need.id) == Comment.need_id)
        .where(col(Need.project_id).in_(project_ids))
        .cte("comments")
    )
    threads = (
        select(comments.c.root, func.max(comments.c.depth).label("deepest"))
        .group_by(comments.c.root)
        .subquery()
    )
    counts = session.execute(
        select(
            func.count(),
            func.count(comments.c.parent_id),
            func.count(sa.distinct(comments.c.parent_id)),  # the comments that got a reply
            func.count(sa.distinct(comments.c.author_id)),
        ).select_from(comments)
    ).one()
    total, replies, with_reply, commenters = counts
    deepest, mean_depth = session.execute(
        select(func.max(threads.c.deepest), func.avg(threads.c.deepest))
    ).one()
    thread_row = {
        "comments": total,
        "replies": replies,
        "replies_per_comment": _ratio(replies, total),
        "share_replied": _ratio(with_reply, total),
        "max_depth": deepest or 0,
        "mean_depth": _round(mean_depth),
        "participants": commenters,
    }
    # Supplier questions: time from asking to the published answer. Non-procurers learn only
    # of published ones (a question is private until answered).
    questions = (
        select(
            literal("q").label("grp"),
            _hours(session, col(Question.asked_at), col(Question.published_at)).label("v"),
        )
        .where(col(Question.project_id).in_(project_ids), col(Question.status) == "published")
        .subquery()
    )
    published = session.execute(select(func.count()).select_from(questions)).scalar_one()
    median = median_by_group(session, questions).get("q", (None, 0))[0]
    answer_row: dict[str, Any] = {"published": published, "median_hours": median}
    columns = ["published", "median_hours"]
    if not aggregate and all(map(permissions.sees_whole_participation, rels)):
        # Unpublished questions are the procurers' to count (the table in `permissions`).
        asked = session.execute(
            select(func.count()).where(
                col(Question.project_id).in_(project_ids),
                col(Question.status) != QuestionStatus.withdrawn,
            )
        ).scalar_one()
        answer_row["asked"] = asked
        columns = ["asked", *columns]
    return [
        _figure(
            "comment_threads",
            N_("Replies and thread depth"),
            3,
            N_(
                "Comments on the project's needs: replies per comment, the share of comments "
                "that got at least one reply, and the deepest and mean depth of a thread "
                "(a lone comment has depth 1)."
            ),
            [
                "comments",
                "replies",
                "replies_per_comment",
                "share_replied",
                "max_depth",
                "mean_depth",
            ],
            [thread_row],
            aggregate=aggregate,
        ),
        _figure(
            "question_answer_hours",
            N_("Hours to answer supplier questions"),
            3,
            N_(
                "Median hours from a supplier's question to the publication of its answer to "
                "all suppliers, over published questions."
            ),
            columns,
            [answer_row],
            aggregate=aggregate,
            people="",
        ),
    ]


# ---- ambition ------------------------------------------------------------------------------------


def _profile(session: Session, rel: ProjectRelation) -> dict[str, Any]:
    counted = _counted(session, [rel])
    staff_or_citizen = counted.c.actor_role.in_((Role.employee, Role.citizen))
    row = session.execute(
        select(
            func.count(sa.distinct(counted.c.actor_id)),
            func.coalesce(func.sum(counted.c.n), 0),
            func.coalesce(func.sum(case((staff_or_citizen, counted.c.n), else_=0)), 0),
            func.count(sa.distinct(counted.c.actor_org_id)),
        )
    ).one()
    participants, contributions, from_people, organisations = row
    project = rel.project
    return {
        "project_id": project.id,
        "title": project.title,
        "innovation_ambition": project.innovation_ambition,
        "phase": project.phase,
        "participants": participants,
        "contributions": int(contributions),
        "share_employees_citizens": _ratio(int(from_people), int(contributions)),
        "organisations": organisations,
    }


AMBITION_COLUMNS = [
    "project_id",
    "title",
    "innovation_ambition",
    "phase",
    "participants",
    "contributions",
    "share_employees_citizens",
    "organisations",
]
AMBITION_LABEL = N_("Innovation ambition and participation profile")
AMBITION_METHOD = N_(
    "The project's stated innovation ambition next to its distinct participants, "
    "contributions, the share of contributions by employees and citizens, and the number "
    "of organisations taking part."
)


def ambition(rows: Sequence[dict[str, Any]], *, aggregate: bool) -> Figure:
    """Projects' ambitions side by side with their participation profiles (RQ1)."""
    return _figure(
        "ambition_profile",
        AMBITION_LABEL,
        1,
        AMBITION_METHOD,
        AMBITION_COLUMNS,
        rows,
        aggregate=aggregate,
    )


# ---- entry points --------------------------------------------------------------------------------


def view_of(rel: ProjectRelation) -> str:
    """`full` for readers of participation, `aggregate` for others on a public project.

    Refuses (403) staff who may see an internal project but not read its participation.
    """
    if rel.can_read_participation:
        return "full"
    if rel.project.visibility == "public":
        return "aggregate"
    raise Forbidden("Only the project's procurers and researchers can read its metrics.")


def figures(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Every figure over the projects together; the ambition profile has a row per project."""
    if not rels:
        return []
    return [
        *participation(session, rels, aggregate=aggregate),
        *interaction(session, rels, aggregate=aggregate),
        *influence(session, rels, aggregate=aggregate),
        *dialogue(session, rels, aggregate=aggregate),
        ambition([_profile(session, rel) for rel in rels], aggregate=aggregate),
    ]


def latest_counted(session: Session, rels: Scope) -> datetime | None:
    """When the latest contribution these figures count happened (the figures' "as of")."""
    latest = [
        # By the (project_id, occurred_at) index, not `participation_moment`: a question's
        # asking is dated at its publication for some readers, but the answer published with it
        # is an event of that moment, so the latest of either is the same.
        session.execute(select(func.max(PE.occurred_at)).where(_events(rel))).scalar()
        for rel in rels  # one project at a time, each found by its own index
    ]
    return max((moment for moment in latest if isinstance(moment, datetime)), default=None)


def for_project(session: Session, rel: ProjectRelation) -> ProjectMetrics:
    """Every figure of one project as this reader may see it (the relation must allow viewing)."""
    view = view_of(rel)
    return ProjectMetrics(
        project_id=id_of(rel.project),
        title=rel.project.title,
        view=view,
        as_of=latest_counted(session, [rel]),
        figures=figures(session, [rel], aggregate=view == "aggregate"),
    )


def _readable(session: Session, user: Any, query: Any) -> list[tuple[ProjectRelation, str]]:
    """The projects of the query the user may read metrics of, each with the view they get."""
    readable = []
    for project in session.scalars(query.where(permissions.visible_projects_clause(user))):
        rel = permissions.relation(session, user, project)
        try:
            readable.append((rel, view_of(rel)))
        except Forbidden:
            continue
    return readable


def _combined(readable: Sequence[tuple[ProjectRelation, str]]) -> str:
    """Figures over several projects are aggregate if any one of them is."""
    return "aggregate" if any(view == "aggregate" for _, view in readable) else "full"


def across_projects(session: Session, *, user: Any) -> MetricsOverview:
    """Figures for every project the user may see and read metrics of, and totals across them.

    In the aggregate view a total is left out wherever any project's own figure is, so that no
    suppressed cell can be worked out by subtracting the other projects from the total.
    """
    readable = _readable(session, user, select(Project).order_by(col(Project.id)))
    per_project = [
        ProjectMetrics(
            project_id=id_of(rel.project),
            title=rel.project.title,
            view=view,
            as_of=latest_counted(session, [rel]),
            figures=figures(session, [rel], aggregate=view == "aggregate"),
        )
        for rel, view in readable
    ]
    aggregate = _combined(readable) == "aggregate"
    totals = figures(session, [rel for rel, _ in readable], aggregate=aggregate)
    if aggregate:
        totals = _suppress_where_any(totals, [m.figures for m in per_project])
    return MetricsOverview(projects=per_project, totals=totals)


def for_organisation(session: Session, *, user: Any, organisation_id: int) -> OrganisationMetrics:
    """A municipality's or county's dashboard: its projects (owned or as a partner) together.

    The view is full only if the user reads the participation of every project in it;
    otherwise every figure is the aggregate one.
    """
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind not in PUBLIC_BODIES:
        raise NotFound("No municipality or county with this id.")
    partnered = select(col(ProjectPartner.project_id)).where(
        col(ProjectPartner.organisation_id) == organisation_id
    )
    query = (
        select(Project)
        .where(or_(col(Project.owner_org_id) == organisation_id, col(Project.id).in_(partnered)))
        .order_by(col(Project.id))
    )
    readable = _readable(session, user, query)
    view = _combined(readable)
    combined = figures(session, [rel for rel, _ in readable], aggregate=view == "aggregate")
    if view == "aggregate":
        # As across projects: each project's own public figures must not be subtractable.
        parts = [figures(session, [rel], aggregate=True) for rel, v in readable if v == view]
        combined = _suppress_where_any(combined, parts)
    return OrganisationMetrics(
        organisation_id=organisation_id,
        name=organisation.name,
        view=view,
        projects=[
            ProjectRef(project_id=id_of(rel.project), title=rel.project.title)
            for rel, _ in readable
        ],
        as_of=latest_counted(session, [rel for rel, _ in readable]),
        figures=combined,
    )
