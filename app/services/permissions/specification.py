"""Who may see and write a project's specification (its requirements).

The workspace is the drafting room of the project's procurers and the co-authors they invited
(employees of the owner or partner municipalities). Nobody else sees a draft: until the
specification is marked final, everyone else gets the same 404 as for a requirement that does
not exist. Once it is final, its (then all final) requirements are read by everyone who may see
the project. The hearing (issue 13, item 2) will widen this for its audiences.
"""

from __future__ import annotations

from app.i18n import N_
from app.models import Requirement, User
from app.models.base import Phase, Role
from app.models.requirement import RequirementStatus
from app.services.errors import Conflict, Forbidden
from app.services.permissions.relation import ProjectRelation, phase_name, require_user

# The workspace opens with the market dialogue (what the market says shapes the requirements)
# and stays open for writing until the project is closed or aborted.
SPECIFICATION_PHASES = frozenset(
    {Phase.market_dialogue, Phase.competition, Phase.contract_follow_up, Phase.benefit_realisation}
)


def may_co_author(rel: ProjectRelation) -> bool:
    """Whether the user could be a co-author: an employee or procurer of a project organisation."""
    return rel.member_org and rel.role in (Role.employee, Role.procurer)


def can_write_specification(rel: ProjectRelation, *, co_author: bool) -> bool:
    """The project's procurers, and co-authors still employed by a project organisation."""
    return rel.is_procurer or (co_author and may_co_author(rel))


def can_see_requirement(rel: ProjectRelation, requirement: Requirement, *, co_author: bool) -> bool:
    """Writers see every requirement; others only final ones of a final specification."""
    if can_write_specification(rel, co_author=co_author):
        return True
    return rel.project.specification_final and requirement.status == RequirementStatus.final


def ensure_can_write_specification(rel: ProjectRelation, *, co_author: bool) -> User:
    """A writer of the specification, in a phase where it is open, before it is final."""
    user = require_user(rel.user)
    if not can_write_specification(rel, co_author=co_author):
        raise Forbidden(N_("Only the project's procurers and invited co-authors can do this."))
    if rel.project.phase not in SPECIFICATION_PHASES:
        raise Forbidden(
            N_(
                "The specification is open from the market dialogue until the project closes; "
                "the project is now in the phase “%(phase)s”."
            ),
            phase=phase_name(rel.project.phase),
        )
    if rel.project.specification_final:
        raise Conflict(N_("The specification is marked final and can no longer be changed."))
    return user
