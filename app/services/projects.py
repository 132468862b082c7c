"""Projects: opening one, listing what a user may see, reading one, moving it through phases."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Executable, Select, bindparam, func, update
from sqlmodel import Session, col, select

from app.models import Organisation, PhaseMove, Project, ProjectPartner, User
from app.models.base import Phase, Role, id_of
from app.models.project import (
    RATIONALE_MAX,
    RATIONALE_MIN,
    PhaseMovePublic,
    ProjectCreate,
    ProjectPhasePublic,
    ProjectPublic,
)
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, permissions, themes
from app.services.accounts import PUBLIC_SECTOR
from app.services.contribution import Change
from app.services.errors import Conflict, Forbidden, Invalid
from app.services.permissions import CLOSED_PHASES, ProjectRelation, phase_name

# The road every project takes, one gate decision at a time; `aborted` is the exit from any of it.
PHASE_ORDER: tuple[Phase, ...] = (
    Phase.preparation,
    Phase.needs,
    Phase.market_dialogue,
    Phase.competition,
    Phase.contract_follow_up,
    Phase.benefit_realisation,
    Phase.closed,
)
# Going back past this point would let dialogue input shape a competition already announced.
_COMPETITION_AT = PHASE_ORDER.index(Phase.competition)


def create_project(session: Session, *, user: User | None, data: ProjectCreate) -> Project:
    """Open a project owned by the procurer's municipality (admins may name any owner)."""
    user = permissions.ensure_can_create_project(user)
    owner_id = data.owner_org_id or user.organisation_id
    if owner_id is None:
        raise Invalid("Choose the municipality that owns the project.")
    if user.role != Role.admin and owner_id != user.organisation_id:
        raise Forbidden("A procurer opens projects for their own organisation.")
    org_ids = {owner_id, *data.partner_org_ids}
    orgs = session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids))).all()
    if len(orgs) != len(org_ids) or any(org.kind not in PUBLIC_SECTOR for org in orgs):
        raise Invalid("Owner and partners must be municipalities or counties.")
    owner = next(org for org in orgs if org.id == owner_id)
    project = Project(
        **data.model_dump(exclude={"owner_org_id", "partner_org_ids", "language"}),
        owner_org_id=owner_id,
        created_by_id=id_of(user),
        language=data.language or owner.default_language,
    )
    session.add(project)
    session.flush()
    for org_id in sorted(set(data.partner_org_ids) - {owner_id}):
        session.add(ProjectPartner(project_id=id_of(project), organisation_id=org_id))
    session.flush()
    return project


def list_projects(session: Session, *, user: User | None) -> Sequence[Project]:
    """Projects the user may see, newest first."""
    query = (
        select(Project)
        .where(permissions.visible_projects_clause(user))
        .order_by(col(Project.created_at).desc(), col(Project.id).desc())
    )
    return session.exec(query).all()


def get_project(session: Session, *, user: User | None, project_id: int) -> ProjectRelation:
    """A project the user may see, with the user's relation to it (404 otherwise)."""
    return permissions.viewable_project(session, user, project_id)


# The project's content version, if visitors who are not logged in may see it (bound to
# `object_id`). Built once: a page view for visitors runs it and nothing else.
VERSION_FOR_VISITORS: Select[Any] = select(Project.content_version).where(
    Project.id == bindparam("object_id"), permissions.visible_projects_clause(None)
)


# What the front page shows visitors changes only with a project they may see: one added or
# gone, or a contribution to one (an edit or a phase move is one and moves its version).
LIST_VERSION_FOR_VISITORS = select(
    func.count(col(Project.id)),
    func.max(col(Project.id)),
    func.coalesce(func.sum(col(Project.content_version)), 0),
).where(permissions.visible_projects_clause(None))


def list_version(user: User) -> Executable:
    """What the front page shows this person changes only with a project they may see (as
    `LIST_VERSION_FOR_VISITORS` for visitors); reads only their role and organisation."""
    return _list_version(Role(user.role), user.organisation_id)


@functools.lru_cache(maxsize=1024)
def _list_version(role: Role, organisation_id: int | None) -> Executable:
    """`list_version` for everyone of this role and organisation: built once (each logged-in
    front page asks it)."""
    alike = permissions.AudienceViewer(role, organisation_id, is_moderator=False, co_author=False)
    return select(
        func.count(col(Project.id)),
        func.max(col(Project.id)),
        func.coalesce(func.sum(col(Project.content_version)), 0),
    ).where(permissions.visible_projects_clause(cast(User, alike)))


def partner_ids(session: Session, *, project_id: int) -> list[int]:
    """Organisation ids of the project's partners."""
    query = select(ProjectPartner.organisation_id).where(ProjectPartner.project_id == project_id)
    return list(session.exec(query).all())


def public_sector_organisations(session: Session) -> list[Organisation]:
    """Municipalities and counties by name: the owners and partners a project may have."""
    query = select(Organisation).where(col(Organisation.kind).in_(PUBLIC_SECTOR))
    return list(session.exec(query.order_by(Organisation.name)).all())


def organisations_by_id(session: Session, ids: set[int]) -> dict[int, Organisation]:
    """Organisations keyed by id, in one query."""
    if not ids:
        return {}
    orgs = session.exec(select(Organisation).where(col(Organisation.id).in_(ids))).all()
    return {org.id: org for org in orgs if org.id is not None}


def to_public(session: Session, project: Project) -> ProjectPublic:
    """The API view of a project."""
    project_id = id_of(project)
    return ProjectPublic.model_validate(
        project,
        update={
            "partner_org_ids": partner_ids(session, project_id=project_id),
            "themes": themes.names_of(session, project_id=project_id),
        },
    )


# ---- phases and gate decisions ----------------------------------------------------------------


def next_phases(phase: str) -> list[Phase]:
    """Where a project in this phase may go: the next phase, or aborted; nowhere once it ended."""
    if phase in CLOSED_PHASES:
        return []
    return [PHASE_ORDER[PHASE_ORDER.index(Phase(phase)) + 1], Phase.aborted]


def _check_move(from_phase: Phase, to_phase: Phase) -> None:
    """Refuse a move the phase order does not allow, naming both phases and why."""
    names = {"from_phase": phase_name(from_phase), "to_phase": phase_name(to_phase)}
    if from_phase in CLOSED_PHASES:
        raise Conflict(
            "The project has ended in the phase “%(from_phase)s”; it cannot move to "
            "“%(to_phase)s”. Open a new project instead.",
            **names,
        )
    if to_phase == from_phase:
        raise Conflict(
            "The project is already in the phase “%(from_phase)s”; it cannot move to "
            "“%(to_phase)s” again.",
            **names,
        )
    if to_phase in next_phases(from_phase):
        return
    if to_phase != Phase.aborted and PHASE_ORDER.index(to_phase) < PHASE_ORDER.index(from_phase):
        if PHASE_ORDER.index(from_phase) >= _COMPETITION_AT:
            raise Conflict(
                "The project cannot go back from “%(from_phase)s” to “%(to_phase)s”: once the "
                "competition is announced, input from the dialogue can no longer shape the "
                "specification, and reopening the dialogue would not treat all suppliers equally.",
                **names,
            )
        raise Conflict(
            "The project cannot go back from “%(from_phase)s” to “%(to_phase)s”: a gate decision "
            "is part of the procurement record and is not undone. Continue in the current phase.",
            **names,
        )
    raise Conflict(
        "The project cannot skip from “%(from_phase)s” to “%(to_phase)s”: the next phase is "
        "“%(next_phase)s”, and each phase is a gate decision of its own.",
        next_phase=phase_name(next_phases(from_phase)[0]),
        **names,
    )


def _clean_rationale(rationale: str) -> str:
    text = rationale.strip()
    if len(text) < RATIONALE_MIN:
        raise Invalid(
            "Give a rationale for the gate decision of at least %(min)s characters.",
            min=RATIONALE_MIN,
        )
    if len(text) > RATIONALE_MAX:
        raise Invalid(
            "The rationale can be at most %(max)s characters.",
            max=RATIONALE_MAX,
        )
    return text


def move_phase(
    session: Session, *, rel: ProjectRelation, to_phase: Phase, rationale: str
) -> PhaseMove:
    """A gate decision: move the project to its next phase (or abort it), with a rationale.

    The move, its audit entry and its participation event are written in one transaction, and
    viewers of the project see the new phase live once it commits.
    """
    user = permissions.ensure_can_move_phase(rel)
    project = rel.project
    from_phase = Phase(project.phase)
    to_phase = Phase(to_phase)
    _check_move(from_phase, to_phase)
    text = _clean_rationale(rationale)
    # Compare and set: of two procurers deciding at once, the second finds the phase moved.
    moved = session.execute(
        update(Project)
        .where(col(Project.id) == project.id, col(Project.phase) == from_phase)
        .values(phase=to_phase)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Someone else moved the project to another phase just now. Reload the page.")
    move = PhaseMove(
        project_id=id_of(project),
        from_phase=from_phase,
        to_phase=to_phase,
        rationale=text,
        decided_by_id=id_of(user),
    )
    contribution.record(
        session,
        rel=rel,
        verb=Verb.moved_phase,
        on=move,
        phase=from_phase,  # the decision is the last act of the phase it closes
        change=Change(
            AuditAction.phase_moved,
            before={"phase": str(from_phase)},
            after={"phase": str(to_phase)},
            rationale=text,
            about=project,
        ),
        push=LiveKind.project_phase_moved,
    )
    session.refresh(project)
    return move


def phase_history(session: Session, *, project_id: int) -> list[PhaseMovePublic]:
    """The project's gate decisions, oldest first, with the decider's name."""
    query = (
        select(PhaseMove, User.display_name)
        .join(User, col(User.id) == PhaseMove.decided_by_id)
        .where(PhaseMove.project_id == project_id)
        .order_by(col(PhaseMove.decided_at), col(PhaseMove.id))
    )
    return [
        PhaseMovePublic.model_validate(move, update={"decided_by": name})
        for move, name in session.exec(query).all()
    ]


def phase_overview(session: Session, *, rel: ProjectRelation) -> ProjectPhasePublic:
    """Where the project stands, where it may go and how it got here (anyone who may view it)."""
    project = rel.project
    return ProjectPhasePublic(
        phase=project.phase,
        next_phases=next_phases(project.phase),
        history=phase_history(session, project_id=id_of(project)),
    )


StepState = Literal["done", "current", "upcoming", "skipped"]


@dataclass
class PhaseStep:
    """One phase on a project's timeline, with the gate decision that opened it."""

    phase: Phase
    state: StepState
    entered: PhaseMovePublic | None = None
    opened_at: datetime | None = None  # set on the phase the project was opened in


def timeline(project: Project, overview: ProjectPhasePublic) -> list[PhaseStep]:
    """The phases in order as the project page shows them: passed, current, skipped, upcoming."""
    entered = {move.to_phase: move for move in overview.history}
    start = overview.history[0].from_phase if overview.history else Phase(overview.phase)
    aborted = overview.phase == Phase.aborted
    last = overview.history[-1].from_phase if aborted and overview.history else None
    road = PHASE_ORDER
    if aborted:
        # The road up to where it stopped, then the exit.
        stop = last if last is not None else start
        road = (*PHASE_ORDER[: PHASE_ORDER.index(stop) + 1], Phase.aborted)
    current_at = road.index(Phase(overview.phase))
    steps = []
    for index, phase in enumerate(road):
        state: StepState
        if index == current_at:
            state = "current"
        elif index > current_at:
            state = "upcoming"
        elif phase == start or phase in entered:
            state = "done"
        else:
            state = "skipped"
        steps.append(
            PhaseStep(
                phase=phase,
                state=state,
                entered=entered.get(phase),
                opened_at=project.created_at if phase == start else None,
            )
        )
    return steps
