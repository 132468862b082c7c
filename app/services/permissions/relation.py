"""How a user stands to a project, the phase rules, and the checks every other rule builds on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, Exists, exists, or_, select, true
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from app.i18n import N_, LazyText
from app.models import (
    Project,
    ProjectPartner,
    SupplierRegistration,
    User,
)
from app.models.base import PHASE_LABELS, OrganisationKind, Phase, Role, Visibility, id_of
from app.services.errors import Forbidden, NotAuthenticated, NotFound, PivotalError
from app.services.permissions.login_level import ensure_login_level

# A row's id in SQL: a value, or a column of the statement it goes into.
SqlId = ColumnElement[int] | Mapped[int | None] | int
CLOSED_PHASES = frozenset({Phase.closed, Phase.aborted})
PUBLIC_SECTOR = frozenset({OrganisationKind.municipality, OrganisationKind.county})


class DialogueAction(StrEnum):
    """What people do in a project's dialogue; each is open only in some phases."""

    post_need = "post_need"
    comment = "comment"
    support = "support"
    register_supplier = "register_supplier"
    ask_question = "ask_question"
    submit_proposal = "submit_proposal"
    book_meeting = "book_meeting"
    register_for_event = "register_for_event"
    plan_event = "plan_event"


_BEFORE_COMPETITION = frozenset({Phase.preparation, Phase.needs, Phase.market_dialogue})
_MARKET_DIALOGUE = frozenset({Phase.market_dialogue})

# The phase rules, in one place: where each dialogue action is open. Once the competition is
# announced, input from the dialogue can no longer shape the specification (equal treatment), so
# everything that feeds it closes there; supplier dialogue happens only in the market dialogue.
PHASE_RULES: dict[DialogueAction, frozenset[Phase]] = {
    DialogueAction.post_need: _BEFORE_COMPETITION,
    DialogueAction.comment: _BEFORE_COMPETITION,
    DialogueAction.support: _BEFORE_COMPETITION,
    DialogueAction.register_supplier: _MARKET_DIALOGUE,
    DialogueAction.ask_question: _MARKET_DIALOGUE,
    DialogueAction.submit_proposal: _MARKET_DIALOGUE,
    DialogueAction.book_meeting: _MARKET_DIALOGUE,
    DialogueAction.register_for_event: _MARKET_DIALOGUE,
    DialogueAction.plan_event: _BEFORE_COMPETITION,
}
# What a refusal says is closed; %(phase)s is the phase the project is in now.
PHASE_REFUSALS: dict[DialogueAction, str] = {
    DialogueAction.post_need: N_(
        "The project no longer takes new needs: needs are posted until the market dialogue "
        "ends, and the project is now in the phase “%(phase)s”."
    ),
    DialogueAction.comment: N_(
        "Comments are closed: they are open until the market dialogue ends, and the project is "
        "now in the phase “%(phase)s”."
    ),
    DialogueAction.support: N_(
        "Supports are closed: they are open until the market dialogue ends, and the project is "
        "now in the phase “%(phase)s”."
    ),
    DialogueAction.register_supplier: N_(
        "Suppliers can only register during the market dialogue; the project is now in the "
        "phase “%(phase)s”."
    ),
    DialogueAction.ask_question: N_(
        "Questions can only be asked during the market dialogue; the project is now in the "
        "phase “%(phase)s”."
    ),
    DialogueAction.submit_proposal: N_(
        "Solution proposals can only be submitted during the market dialogue; the project is "
        "now in the phase “%(phase)s”."
    ),
    DialogueAction.book_meeting: N_(
        "Meetings can only be booked during the market dialogue; the project is now in the "
        "phase “%(phase)s”."
    ),
    DialogueAction.register_for_event: N_(
        "Registration for dialogue events is only open during the market dialogue; the project "
        "is now in the phase “%(phase)s”."
    ),
    DialogueAction.plan_event: N_(
        "Dialogue events can only be planned until the competition is announced; the project is "
        "now in the phase “%(phase)s”."
    ),
}
# Kept for readers of the rule before the table existed.
NEED_POSTING_PHASES = PHASE_RULES[DialogueAction.post_need]


def phase_name(phase: str) -> LazyText:
    """A phase's label as a message parameter, translated when the message is shown."""
    return LazyText(PHASE_LABELS.get(phase, phase))


@dataclass(frozen=True)
class ProjectRelation:
    """How one user stands to one project; computed once, asked many times."""

    user: User | None
    project: Project
    member_org: bool  # the user's organisation owns or partners in the project
    # The user is a supplier whose company is registered for the project's market dialogue.
    is_registered_supplier: bool = False

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user else None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_procurer(self) -> bool:
        """A procurer of the owner or a partner organisation, or an admin."""
        return self.is_admin or (self.role == Role.procurer and self.member_org)

    @property
    def is_moderator(self) -> bool:
        """Works the project's moderation queue: its procurers, and the platform's moderators."""
        return self.is_procurer or (self.user is not None and self.user.is_moderator)

    @property
    def can_view(self) -> bool:
        if self.project.visibility == Visibility.public or self.is_admin:
            return True
        return self.member_org and self.role in (Role.employee, Role.procurer)

    @property
    def can_see_authors(self) -> bool:
        """Procurers follow up needs, so they see who posted an anonymous one."""
        return self.is_procurer

    @property
    def can_read_participation(self) -> bool:
        return self.is_procurer or (self.role == Role.researcher and self.can_view)

    @property
    def is_participant(self) -> bool:
        """Procurers, staff of the owner and partner organisations, and registered suppliers."""
        if self.is_procurer or self.is_registered_supplier:
            return True
        return self.member_org and self.role in (Role.employee, Role.procurer)

    @property
    def can_read_audit(self) -> bool:
        """The audit log is the procurers' record of their decisions."""
        return self.is_procurer


def relation(session: Session, user: User | None, project: Project) -> ProjectRelation:
    """Work out how the user stands to the project (one query at most)."""
    linked = False
    if user is not None and user.organisation_id is not None:
        if user.role == Role.supplier:
            # A supplier company is never an owner or partner (those are public sector).
            linked = is_registered_supplier(session, project, user.organisation_id)
        elif user.organisation_id != project.owner_org_id:
            linked = session.get(ProjectPartner, (project.id, user.organisation_id)) is not None
    return related(user, project, linked=linked)


def related(user: User | None, project: Project, *, linked: bool) -> ProjectRelation:
    """How the user stands to the project, given whether their organisation is `linked` to it:
    registered for its market dialogue (a supplier's company) or a partner in it (a public
    body; its owner needs no link)."""
    supplier = user is not None and user.role == Role.supplier
    owner = (
        user is not None
        and not supplier
        and user.organisation_id is not None
        and user.organisation_id == project.owner_org_id
    )
    return ProjectRelation(
        user=user,
        project=project,
        member_org=owner or (not supplier and linked),
        is_registered_supplier=supplier and linked,
    )


def relations(
    session: Session, user: User | None, projects: Sequence[Project]
) -> dict[int, ProjectRelation]:
    """How the user stands to each project, by project id (one query at most, whatever the
    number of projects: the same answer as `relation` for each)."""
    ids = [project.id for project in projects if project.id is not None]
    linked: set[int] = set()
    if ids and user is not None and user.organisation_id is not None:
        # A supplier's company is registered for projects; a public body partners in them.
        query = (
            select(col(SupplierRegistration.project_id)).where(
                col(SupplierRegistration.project_id).in_(ids),
                col(SupplierRegistration.organisation_id) == user.organisation_id,
            )
            if user.role == Role.supplier
            else select(col(ProjectPartner.project_id)).where(
                col(ProjectPartner.project_id).in_(ids),
                col(ProjectPartner.organisation_id) == user.organisation_id,
            )
        )
        linked = {row[0] for row in session.execute(query).all()}
    return {
        project.id: related(user, project, linked=project.id in linked)
        for project in projects
        if project.id is not None
    }


def is_registered_supplier(session: Session, project: Project, organisation_id: int) -> bool:
    """Whether the organisation is registered for the project's market dialogue."""
    return bool(session.execute(select(registered_for(organisation_id, id_of(project)))).scalar())


def registered_for(organisation: ColumnElement[int] | int, project: SqlId) -> Exists:
    """Whether the (supplier) organisation is registered for the project's market dialogue
    (SQL: `is_registered_supplier` in a larger statement)."""
    return exists().where(
        col(SupplierRegistration.project_id) == project,
        col(SupplierRegistration.organisation_id) == organisation,
    )


def partner_in(organisation: ColumnElement[int] | int, project: SqlId) -> Exists:
    """Whether the (public) organisation is a partner in the project (SQL: what `relation`
    asks of a partner, in a larger statement)."""
    return exists().where(
        col(ProjectPartner.project_id) == project,
        col(ProjectPartner.organisation_id) == organisation,
    )


def visible_projects_clause(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause selecting the projects this user may see."""
    public = col(Project.visibility) == Visibility.public
    if user is None:
        return public
    if user.role == Role.admin:
        return true()
    if user.role not in (Role.employee, Role.procurer) or user.organisation_id is None:
        return public
    partner = partner_in(user.organisation_id, col(Project.id))
    return or_(public, col(Project.owner_org_id) == user.organisation_id, partner)


def allows(check: Callable[[ProjectRelation], object], rel: ProjectRelation) -> bool:
    """Whether a policy check passes (to offer a form only to those who may use it)."""
    try:
        check(rel)
    except PivotalError:
        return False
    return True


def phase_allows(phase: str, action: DialogueAction) -> bool:
    """Whether the action is open in the phase (the table above)."""
    return phase in PHASE_RULES[action]


def ensure_phase_allows(rel: ProjectRelation, action: DialogueAction) -> None:
    """Refuse (403) an action the project's phase has closed, saying what and which phase; and
    one the person's login is not sure enough for (the project's or the action's level)."""
    phase = rel.project.phase
    if not phase_allows(phase, action):
        raise Forbidden(PHASE_REFUSALS[action], phase=phase_name(phase))
    if rel.user is not None:
        ensure_login_level(rel.project, action.value)


def require_user(user: User | None) -> User:
    """The user, or a 401 that says logging in is needed."""
    if user is None:
        raise NotAuthenticated("You need to log in to do this.")
    return user


def viewable_project(session: Session, user: User | None, project_id: int) -> ProjectRelation:
    """The project and the user's relation to it, or 404 for a project the user may not see."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("No such project.")
    rel = relation(session, user, project)
    if not rel.can_view:
        raise NotFound("No such project.")
    return rel


class _InProject(Protocol):
    @property
    def project_id(self) -> int: ...


Row = TypeVar("Row", bound=_InProject)


def find_in_project(
    session: Session,
    user: User | None,
    model: type[Row],
    row_id: int,
    *,
    missing: str,
    can_see: Callable[[ProjectRelation, Row], bool] | None = None,
) -> tuple[Row, ProjectRelation]:
    """A project's row and the viewer's relation to the project; 404 `missing` when out of sight.

    A row of a project the viewer may not see gets the same 404 as a row that does not exist, so
    the answer never tells that a hidden project holds a row with this id.
    """
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(missing)
    try:
        rel = viewable_project(session, user, row.project_id)
    except NotFound:
        raise NotFound(missing) from None
    if can_see is not None and not can_see(rel, row):
        raise NotFound(missing)
    return row, rel
