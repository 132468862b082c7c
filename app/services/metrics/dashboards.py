"""The figures as a reader may see them: of one project, across projects, of a public body."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from app.db import in_session
from app.models import Organisation, Project, ProjectPartner, User
from app.models.base import id_of
from app.services import permissions
from app.services.errors import Forbidden, NotFound
from app.services.metrics.ambition import ambition, profile
from app.services.metrics.automation import automation
from app.services.metrics.dialogue_quality import dialogue
from app.services.metrics.influence import influence
from app.services.metrics.interaction import interaction
from app.services.metrics.ledger import ledger_figures
from app.services.metrics.participation import participation
from app.services.metrics.schemas import (
    Figure,
    MetricsOverview,
    OrganisationMetrics,
    ProjectMetrics,
    ProjectRef,
)
from app.services.metrics.sql import PE, PUBLIC_BODIES, Scope, events
from app.services.metrics.suppression import suppress_where_any
from app.services.permissions import ProjectRelation, proposals_seen_as
from app.services.render_cache import VersionedCache, register

# Computed figures, each valid for one content version of every project it counts. Readers who
# get the very same figures (`MetricsAudience` without the language) share an entry.
_computed: VersionedCache[Any] = register(VersionedCache(max_entries=1024))
T = TypeVar("T")


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
        *ledger_figures(session, rels, aggregate=aggregate),
        *dialogue(session, rels, aggregate=aggregate),
        *automation(session, rels, aggregate=aggregate),
        ambition([profile(session, rel) for rel in rels], aggregate=aggregate),
    ]


def latest_counted(session: Session, rels: Scope) -> datetime | None:
    """When the latest contribution these figures count happened (the figures' "as of")."""
    latest = [
        # By the (project_id, occurred_at) index, not `participation_moment`: a question's
        # asking is dated at its publication for some readers, but the answer published with it
        # is an event of that moment, so the latest of either is the same.
        session.execute(select(func.max(PE.occurred_at)).where(events(rel))).scalar()
        for rel in rels  # one project at a time, each found by its own index
    ]
    return max((moment for moment in latest if isinstance(moment, datetime)), default=None)


def for_project(session: Session, rel: ProjectRelation) -> ProjectMetrics:
    """Every figure of one project as this reader may see it (the relation must allow viewing)."""
    return _project_metrics(session, rel, view_of(rel))


def _readable(session: Session, user: Any, query: Any) -> list[tuple[ProjectRelation, str]]:
    """The projects of the query the user may read metrics of, each with the view they get
    (two queries, whatever the number of projects)."""
    projects = list(session.scalars(query.where(permissions.visible_projects_clause(user))))
    rels = permissions.relations(session, user, projects)
    readable = []
    for project in projects:
        rel = rels[id_of(project)]
        try:
            readable.append((rel, view_of(rel)))
        except Forbidden:
            continue
    return readable


@dataclass(frozen=True)
class DashboardScope:
    """The projects a dashboard counts for one reader: who else gets the very same figures
    (`key`), and the projects' content versions they are valid for (`version`)."""

    readable: list[tuple[ProjectRelation, str]]
    key: Hashable
    version: Hashable


def _scope(readable: list[tuple[ProjectRelation, str]]) -> DashboardScope:
    key = tuple((id_of(rel.project), view, proposals_seen_as(rel)) for rel, view in readable)
    version = tuple(rel.project.content_version for rel, _ in readable)
    return DashboardScope(readable=readable, key=key, version=version)


def _cached(what: Hashable, scope: DashboardScope, build: Callable[[], Any]) -> Any:
    """What `build` computes for this scope, computed once per version of its projects."""
    return _computed.get_or_build((what, scope.key), scope.version, build)


def _project_metrics(session: Session, rel: ProjectRelation, view: str) -> ProjectMetrics:
    """One project's figures for this reader, computed once per audience and version."""
    return _cached(
        "project",
        _scope([(rel, view)]),
        lambda: ProjectMetrics(
            project_id=id_of(rel.project),
            title=rel.project.title,
            view=view,
            as_of=latest_counted(session, [rel]),
            figures=figures(session, [rel], aggregate=view == "aggregate"),
        ),
    )


def _combined(readable: Sequence[tuple[ProjectRelation, str]]) -> str:
    """Figures over several projects are aggregate if any one of them is."""
    return "aggregate" if any(view == "aggregate" for _, view in readable) else "full"


def overview_scope(session: Session, *, user: Any) -> DashboardScope:
    """The projects the platform's dashboard counts for this user."""
    return _scope(_readable(session, user, select(Project).order_by(col(Project.id))))


def across_projects(
    session: Session, *, user: Any, scope: DashboardScope | None = None
) -> MetricsOverview:
    """Figures for every project the user may see and read metrics of, and totals across them.

    In the aggregate view a total is left out wherever any project's own figure is, so that no
    suppressed cell can be worked out by subtracting the other projects from the total.
    """
    return across_projects_as_of(session, user=user, scope=scope)[1]


def across_projects_as_of(
    session: Session, *, user: Any, scope: DashboardScope | None = None
) -> tuple[Hashable, MetricsOverview]:
    """`across_projects` with the versions of the projects its figures are for: after a change,
    those of the figures before it, while the new ones are computed (see `_cached_behind`)."""
    scope = scope or overview_scope(session, user=user)
    user_id = _id_or_none(user)

    def again(fresh: Session) -> tuple[DashboardScope, MetricsOverview]:
        fresh_scope = overview_scope(fresh, user=_person(fresh, user_id))
        return fresh_scope, _overview(fresh, fresh_scope.readable)

    return _cached_behind("across", scope, lambda: _overview(session, scope.readable), again)


def _overview(session: Session, readable: list[tuple[ProjectRelation, str]]) -> MetricsOverview:
    per_project = [_project_metrics(session, rel, view) for rel, view in readable]
    aggregate = _combined(readable) == "aggregate"
    totals = figures(session, [rel for rel, _ in readable], aggregate=aggregate)
    if aggregate:
        totals = suppress_where_any(totals, [m.figures for m in per_project])
    return MetricsOverview(projects=per_project, totals=totals)


def _cached_behind(
    what: Hashable,
    scope: DashboardScope,
    build: Callable[[], T],
    again: Callable[[Session], tuple[DashboardScope, T]],
) -> tuple[Hashable, T]:
    """What `build` computes for this scope and the version it is for. Figures over several
    projects take seconds to compute and change with any contribution to any of them, so after
    a change readers get the figures as they were at once (the page says as of when), while
    `again` computes the current ones in a session of its own, once however many ask."""

    def refresh() -> tuple[Hashable, Hashable, T]:
        def work(fresh: Session) -> tuple[Hashable, Hashable, T]:
            fresh_scope, value = again(fresh)
            return (what, fresh_scope.key), fresh_scope.version, value

        return in_session(work)

    return _computed.get_or_refresh((what, scope.key), scope.version, build, refresh)


def _id_or_none(user: Any) -> int | None:
    return None if user is None else id_of(user)


def _person(session: Session, user_id: int | None) -> User | None:
    return None if user_id is None else session.get(User, user_id)


def organisation_scope(session: Session, *, user: Any, organisation_id: int) -> DashboardScope:
    """The projects of a municipality or county (owned or as a partner) its dashboard counts
    for this user (404 for anything but a public body)."""
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
    return _scope(_readable(session, user, query))


def for_organisation(
    session: Session, *, user: Any, organisation_id: int, scope: DashboardScope | None = None
) -> OrganisationMetrics:
    """A municipality's or county's dashboard: its projects (owned or as a partner) together.

    The view is full only if the user reads the participation of every project in it;
    otherwise every figure is the aggregate one.
    """
    return for_organisation_as_of(session, user=user, organisation_id=organisation_id, scope=scope)[
        1
    ]


def for_organisation_as_of(
    session: Session, *, user: Any, organisation_id: int, scope: DashboardScope | None = None
) -> tuple[Hashable, OrganisationMetrics]:
    """`for_organisation` with the versions of the projects its figures are for (after a
    change, those of the figures before it, while the new ones are computed)."""
    scope = scope or organisation_scope(session, user=user, organisation_id=organisation_id)
    user_id = _id_or_none(user)

    def again(fresh: Session) -> tuple[DashboardScope, OrganisationMetrics]:
        person = _person(fresh, user_id)
        fresh_scope = organisation_scope(fresh, user=person, organisation_id=organisation_id)
        return fresh_scope, _organisation_figures(fresh, organisation_id, fresh_scope.readable)

    def build() -> OrganisationMetrics:
        return _organisation_figures(session, organisation_id, scope.readable)

    return _cached_behind(("organisation", organisation_id), scope, build, again)


def _organisation_figures(
    session: Session, organisation_id: int, readable: list[tuple[ProjectRelation, str]]
) -> OrganisationMetrics:
    organisation = session.get(Organisation, organisation_id)  # in the identity map by now
    assert organisation is not None  # organisation_scope found it
    view = _combined(readable)
    combined = figures(session, [rel for rel, _ in readable], aggregate=view == "aggregate")
    if view == "aggregate":
        # As across projects: each project's own public figures must not be subtractable.
        parts = [_project_metrics(session, rel, v).figures for rel, v in readable if v == view]
        combined = suppress_where_any(combined, parts)
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
