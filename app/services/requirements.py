"""The specification workspace: requirements drafted, edited and settled, with every version kept.

Who may see what (the rule lives in `app/services/permissions/specification.py`):

- the project's procurers and the co-authors they invited see every requirement, and write;
- everyone else who may see the project sees nothing of the specification until the procurers
  mark it final; then they read its requirements (all final by then). A requirement out of
  sight answers the same 404 as one that does not exist;
- writing is open from the market dialogue until the project closes, and ends when the
  specification is marked final.

Every create and every edit (fields or status) writes a new `RequirementVersion`; the word-level
difference between two versions is `diff`. Co-authors are employees or procurers of the owner or
a partner municipality, invited by name by a procurer.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Exists, exists, func
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import (
    ProjectPartner,
    Requirement,
    RequirementVersion,
    SpecificationAuthor,
    User,
)
from app.models.base import Role, id_of, utcnow
from app.models.requirement import (
    RequirementCreate,
    RequirementKind,
    RequirementStatus,
    RequirementUpdate,
    weight_problem,
)
from app.models.vocabulary import AuditAction, AuditField, LiveKind, Verb
from app.services import contribution, permissions, rows
from app.services.contribution import Change
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.permissions import AudienceViewer, ProjectRelation

NO_SUCH_REQUIREMENT = N_("No such requirement.")
NO_SUCH_SPECIFICATION = N_("No such specification.")
NO_SUCH_VERSION = N_("No such version of the requirement.")
NOT_A_CO_AUTHOR = N_(
    "Only employees and procurers of the project's own or partner municipalities can be "
    "invited as co-authors."
)
ALREADY_CO_AUTHOR = N_("This person is already a co-author of the specification.")
NOT_ALL_FINAL = N_("%(count)s requirements are not final yet; mark every requirement final first.")
NO_REQUIREMENTS = N_("The specification has no requirements yet.")
WEIGHTS_OFF = N_("The weights add up to %(total)s %%; they must make up 100 %%.")
ONLY_PROCURERS_SETTLE = N_(
    "Only the project's procurers can mark a requirement final or change a final requirement."
)
FINAL_WEIGHTS_OVER = N_(
    "The final award criteria's weights would add up to %(total)s %%; they can make up at "
    "most 100 %%."
)

# What a diff is made of: runs of non-space and runs of space, so the text joins back whole.
_TOKENS = re.compile(r"\s+|\S+")


@dataclass(frozen=True)
class DiffOp:
    """One run of a word-level diff: unchanged (`equal`), added (`insert`) or removed (`delete`)."""

    op: str
    text: str


def is_co_author(session: Session, *, rel: ProjectRelation) -> bool:
    """Whether the relation's person was invited as a co-author of the project's specification."""
    if rel.user is None:
        return False
    if isinstance(rel.user, AudienceViewer):
        return rel.user.co_author
    return bool(session.exec(select(co_author_of(id_of(rel.user), id_of(rel.project)))).one())


def co_author_of(user: ColumnElement[int] | int, project: ColumnElement[int] | int) -> Exists:
    """Whether the person was invited as a co-author of the project's specification (SQL)."""
    return exists().where(
        col(SpecificationAuthor.project_id) == project, col(SpecificationAuthor.user_id) == user
    )


def can_write(session: Session, *, rel: ProjectRelation) -> bool:
    """Whether the person may write the specification (not whether its phase allows it now)."""
    if permissions.can_write_specification(rel, co_author=False):
        return True  # the project's procurers: no need to ask whether they were invited
    co_author = rel.user is not None and is_co_author(session, rel=rel)
    return permissions.can_write_specification(rel, co_author=co_author)


def can_open_workspace(session: Session, *, rel: ProjectRelation) -> bool:
    """Whether the person sees the workspace: its writers, or anyone once it is final."""
    return rel.project.specification_final or can_write(session, rel=rel)


def _ensure_writer(session: Session, rel: ProjectRelation) -> User:
    return permissions.ensure_can_write_specification(rel, co_author=is_co_author(session, rel=rel))


def list_requirements(session: Session, *, rel: ProjectRelation) -> list[Requirement]:
    """The project's requirements the person may see, by kind and position."""
    if not can_open_workspace(session, rel=rel):
        return []
    query = select(Requirement).where(Requirement.project_id == rel.project.id)
    if not can_write(session, rel=rel):
        query = query.where(Requirement.status == RequirementStatus.final)
    order = (col(Requirement.kind), col(Requirement.position), col(Requirement.id))
    return list(session.exec(query.order_by(*order)).all())


def find(
    session: Session, *, user: User | None, requirement_id: int
) -> tuple[Requirement, ProjectRelation]:
    """A requirement and the person's relation to its project; 404 when out of their sight."""
    requirement, rel = permissions.find_in_project(
        session, user, Requirement, requirement_id, missing=NO_SUCH_REQUIREMENT
    )
    co_author = is_co_author(session, rel=rel)
    if not permissions.can_see_requirement(rel, requirement, co_author=co_author):
        raise NotFound(NO_SUCH_REQUIREMENT)
    return requirement, rel


def _snapshot(requirement: Requirement, author: User) -> RequirementVersion:
    return RequirementVersion(
        requirement_id=id_of(requirement),
        number=requirement.version,
        title=requirement.title,
        text=requirement.text,
        weight=requirement.weight,
        status=requirement.status,
        author_id=id_of(author),
        created_at=requirement.updated_at,
    )


def _fields(requirement: Requirement) -> dict[str, object]:
    return {
        AuditField.title_: requirement.title,
        AuditField.text: requirement.text,
        AuditField.weight: requirement.weight,
        AuditField.status: requirement.status,
        AuditField.version: requirement.version,
    }


def create(session: Session, *, rel: ProjectRelation, data: RequirementCreate) -> Requirement:
    """A writer drafts a requirement; its first version is written with it."""
    user = _ensure_writer(session, rel)
    last = select(func.max(Requirement.position)).where(
        Requirement.project_id == rel.project.id, Requirement.kind == data.kind
    )
    position = (session.exec(last).one() or 0) + 1
    requirement = Requirement(
        project_id=id_of(rel.project),
        kind=data.kind,
        title=data.title,
        text=data.text,
        weight=data.weight,
        created_by_id=id_of(user),
        position=position,
    )
    change = Change(AuditAction.requirement_drafted, before=None, after=_fields(requirement))
    _record_version(session, rel, requirement, user, Verb.drafted_requirement, change)
    return requirement


def _record_version(
    session: Session,
    rel: ProjectRelation,
    requirement: Requirement,
    author: User,
    verb: Verb,
    change: Change,
) -> None:
    """Store the requirement as it reads now, its new version, and the contribution's records."""
    session.add(requirement)
    session.flush()
    session.add(_snapshot(requirement, author))
    push = LiveKind.requirement_changed
    contribution.record(session, rel=rel, on=requirement, verb=verb, change=change, push=push)


def may_settle(rel: ProjectRelation) -> bool:
    """Whether the person settles requirements: marks them final and changes final ones.

    Co-authors draft; what the tender says is the procurers' decision, as marking the whole
    specification final is. The page and the API ask this one rule (through `edit`).
    """
    return rel.is_procurer


def settable_statuses(rel: ProjectRelation, requirement: Requirement) -> list[RequirementStatus]:
    """The statuses the person may give the requirement (its own status always among them)."""
    if may_settle(rel):
        return list(RequirementStatus)
    if requirement.status == RequirementStatus.final:
        return [RequirementStatus.final]
    return [s for s in RequirementStatus if s != RequirementStatus.final]


def _ensure_may_settle(
    session: Session, rel: ProjectRelation, requirement: Requirement, changed: dict[str, object]
) -> None:
    """Marking final, or changing a final requirement, is the procurers'; the final award
    criteria's weights may never pass 100 %."""
    final = RequirementStatus.final
    becomes = changed.get("status", requirement.status)
    if (requirement.status == final or becomes == final) and not may_settle(rel):
        raise Forbidden(ONLY_PROCURERS_SETTLE)
    if becomes != final or requirement.kind != RequirementKind.award_criterion:
        return
    others = [r for r in list_requirements(session, rel=rel) if r.id != requirement.id]
    weight = changed.get("weight", requirement.weight)
    total = weights_total(others, only_final=True) + (weight if isinstance(weight, int) else 0)
    if total > 100:
        raise Conflict(FINAL_WEIGHTS_OVER, total=total)


def edit(
    session: Session, *, rel: ProjectRelation, requirement: Requirement, data: RequirementUpdate
) -> Requirement:
    """A writer changes a requirement's fields and/or status; a new version records the result.

    Marking it final, and changing it once final, is for the procurers (`may_settle`).
    """
    user = _ensure_writer(session, rel)
    given = data.model_dump(exclude_unset=True)
    if "weight" in given or requirement.kind == RequirementKind.award_criterion:
        problem = weight_problem(requirement.kind, given.get("weight", requirement.weight))
        if problem is not None:
            raise Invalid(problem)
    changed = {name: value for name, value in given.items() if getattr(requirement, name) != value}
    if not changed:
        return requirement
    _ensure_may_settle(session, rel, requirement, changed)
    before = _fields(requirement)
    for name, value in changed.items():
        setattr(requirement, name, value)
    requirement.version += 1
    requirement.updated_at = utcnow()
    change = Change(AuditAction.requirement_edited, before=before, after=_fields(requirement))
    _record_version(session, rel, requirement, user, Verb.edited_requirement, change)
    return requirement


def versions(session: Session, *, requirement: Requirement) -> list[RequirementVersion]:
    """Every version of the requirement, newest first."""
    query = select(RequirementVersion).where(RequirementVersion.requirement_id == requirement.id)
    return list(session.exec(query.order_by(col(RequirementVersion.number).desc())).all())


def version(session: Session, *, requirement: Requirement, number: int) -> RequirementVersion:
    """One version of the requirement by its number; 404 when there is none."""
    query = select(RequirementVersion).where(
        RequirementVersion.requirement_id == requirement.id, RequirementVersion.number == number
    )
    found = session.exec(query).first()
    if found is None:
        raise NotFound(NO_SUCH_VERSION)
    return found


def version_diff(session: Session, *, requirement: Requirement, old: int, new: int) -> list[DiffOp]:
    """The word-level difference between two versions' texts (404 when either is missing)."""
    before = version(session, requirement=requirement, number=old)
    after = version(session, requirement=requirement, number=new)
    return diff(before.text, after.text)


def diff(old: str, new: str) -> list[DiffOp]:
    """The word-level difference from `old` to `new`, as runs of kept, added and removed text."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    ops: list[DiffOp] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(DiffOp("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            ops.append(DiffOp("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(DiffOp("insert", "".join(b[j1:j2])))
    return ops


def invite_co_author(session: Session, *, rel: ProjectRelation, user_id: int) -> User:
    """A procurer invites a named employee of the owner or a partner municipality as co-author."""
    inviter = permissions.ensure_procurer(rel)
    invitee = session.get(User, user_id)
    if invitee is None or not permissions.may_co_author(
        permissions.relation(session, invitee, rel.project)
    ):
        raise Invalid(NOT_A_CO_AUTHOR)
    if is_co_author(session, rel=permissions.relation(session, invitee, rel.project)):
        raise Conflict(ALREADY_CO_AUTHOR)
    row = SpecificationAuthor(
        project_id=id_of(rel.project), user_id=id_of(invitee), invited_by_id=id_of(inviter)
    )
    rows.add_unique(session, row, conflict=ALREADY_CO_AUTHOR)
    contribution.record(
        session,
        rel=rel,
        on=row,
        verb=Verb.invited_co_author,
        addressee=invitee,
        change=Change(
            AuditAction.co_author_invited, before=None, after={AuditField.user_id: invitee.id}
        ),
    )
    return invitee


def co_authors(session: Session, *, project_id: int) -> list[User]:
    """The invited co-authors of the project's specification, by name."""
    query = (
        select(User)
        .join(SpecificationAuthor, col(SpecificationAuthor.user_id) == User.id)
        .where(SpecificationAuthor.project_id == project_id)
    )
    return sorted(session.exec(query).all(), key=lambda user: user.display_name)


def weights_total(requirements: Sequence[Requirement], *, only_final: bool = False) -> int:
    """The sum of the award criteria's weights (of the final ones only, if asked)."""
    return sum(
        requirement.weight or 0
        for requirement in requirements
        if requirement.kind == RequirementKind.award_criterion
        and (not only_final or requirement.status == RequirementStatus.final)
    )


def finalise(session: Session, *, rel: ProjectRelation) -> None:
    """A procurer marks the specification final: every requirement final, weights at 100 %."""
    permissions.ensure_procurer(rel)
    _ensure_writer(session, rel)
    requirements = list_requirements(session, rel=rel)
    if not requirements:
        raise Conflict(NO_REQUIREMENTS)
    open_ = [r for r in requirements if r.status != RequirementStatus.final]
    if open_:
        raise Conflict(NOT_ALL_FINAL, count=len(open_))
    total = weights_total(requirements, only_final=True)
    if total != 100:
        raise Conflict(WEIGHTS_OFF, total=total)
    rel.project.specification_final = True
    contribution.record(
        session,
        rel=rel,
        on=rel.project,
        verb=Verb.finalised_specification,
        change=Change(
            AuditAction.specification_finalised,
            before={AuditField.specification_final: False},
            after={AuditField.specification_final: True},
        ),
        push=LiveKind.requirement_changed,
    )


def eligible_co_authors(session: Session, *, rel: ProjectRelation) -> list[User]:
    """Employees of the project's organisations not yet co-authors (its procurers write anyway)."""
    project = rel.project
    org_ids = {project.owner_org_id} | set(
        session.exec(
            select(ProjectPartner.organisation_id).where(ProjectPartner.project_id == project.id)
        ).all()
    )
    taken = {user.id for user in co_authors(session, project_id=id_of(project))}
    query = select(User).where(
        col(User.organisation_id).in_(org_ids),
        col(User.role) == Role.employee,
        col(User.deleted_at).is_(None),
    )
    people = [user for user in session.exec(query).all() if user.id not in taken]
    return sorted(people, key=lambda user: user.display_name)


def by_kind(
    requirements: Sequence[Requirement],
) -> list[tuple[RequirementKind, list[Requirement]]]:
    """The requirements grouped by kind, in the kinds' order (kinds without any left out)."""
    groups = [(kind, [r for r in requirements if r.kind == kind]) for kind in RequirementKind]
    return [(kind, rows_) for kind, rows_ in groups if rows_]


def author_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    """The display names of these people (one query)."""
    if not user_ids:
        return {}
    query = select(User.id, User.display_name).where(col(User.id).in_(user_ids))
    return {user_id: name for user_id, name in session.exec(query).all() if user_id}
