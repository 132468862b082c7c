"""Who takes part in a hearing of the draft specification, and who learns who wrote what.

A hearing is put to chosen audiences: the staff of the project's owner and partner
municipalities, citizens (on a public project only), and the supplier companies registered for
the market dialogue. The project's procurers and the specification's co-authors always take part.
Nobody else learns that the hearing exists: they get the 404 of a hearing that does not exist.

Equal treatment: a supplier's hearing comment names its company to the project's procurers only;
everyone else, other suppliers included, sees "A supplier".
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlmodel import col

from app import i18n
from app.i18n import N_
from app.models import Hearing, SpecificationAuthor, User
from app.models.base import Phase, Role, Visibility, id_of
from app.services.errors import Forbidden, Invalid
from app.services.permissions import audiences
from app.services.permissions.relation import ProjectRelation, phase_name, require_user
from app.services.permissions.specification import (
    can_write_specification,
    ensure_can_write_specification,
)

# A hearing shapes the specification, so it belongs to the market dialogue: once the competition
# is announced, no input may shape it any more (equal treatment).
HEARING_PHASES = frozenset({Phase.market_dialogue})
ONLY_PROCURERS = N_("Only the project's procurers can put the specification out for hearing.")
NOT_NOW = N_(
    "A hearing can only be held during the market dialogue; the project is now in the phase "
    "“%(phase)s”."
)
OVER = N_(
    "The hearing is over: the project has left the market dialogue and is now in the phase "
    "“%(phase)s”."
)
CITIZENS_ONLY_ON_PUBLIC = N_("Citizens can only be heard on a public project.")


def is_employee_of_project(rel: ProjectRelation) -> bool:
    """Staff (employees and procurers) of the project's owner or partner municipalities."""
    return rel.member_org and rel.role in (Role.employee, Role.procurer)


def in_hearing(rel: ProjectRelation, hearing: Hearing, *, co_author: bool) -> bool:
    """Whether the person takes part in the hearing (and so may see it and comment in it)."""
    if rel.user is None:
        return False
    if can_write_specification(rel, co_author=co_author):
        return True
    if hearing.for_employees and is_employee_of_project(rel):
        return True
    if hearing.for_suppliers and rel.is_registered_supplier:
        return True
    public = rel.project.visibility == Visibility.public
    return hearing.for_citizens and public and rel.role == Role.citizen


def heard_clause(rel: ProjectRelation) -> ColumnElement[bool]:
    """A WHERE clause on `Hearing` selecting the hearings the person takes part in.

    The same rule as `in_hearing`, for lists and counts (a co-authorship read in the query).
    """
    if rel.user is None:
        return false()
    if can_write_specification(rel, co_author=False):
        return true()
    heard: list[ColumnElement[bool]] = []
    if is_employee_of_project(rel):  # who may also co-author (`may_co_author`)
        invited = select(col(SpecificationAuthor.id)).where(
            col(SpecificationAuthor.project_id) == Hearing.project_id,
            col(SpecificationAuthor.user_id) == rel.user.id,
        )
        heard += [col(Hearing.for_employees).is_(True), exists(invited)]
    if rel.is_registered_supplier:
        heard.append(col(Hearing.for_suppliers).is_(True))
    if rel.project.visibility == Visibility.public and rel.role == Role.citizen:
        heard.append(col(Hearing.for_citizens).is_(True))
    return or_(*heard) if heard else false()


def sees_companies(rel: ProjectRelation) -> bool:
    """Whether the reader sees which company wrote a supplier's hearing comment."""
    return rel.is_procurer


def _ensure_market_dialogue(rel: ProjectRelation, refusal: str) -> None:
    """Refuse with `refusal` (which names the phase) outside the market dialogue."""
    if rel.project.phase not in HEARING_PHASES:
        raise Forbidden(refusal, phase=phase_name(rel.project.phase))


def ensure_can_open_hearing(rel: ProjectRelation, *, citizens: bool) -> User:
    """A procurer of the project, during the market dialogue, before the specification is final."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden(ONLY_PROCURERS)
    ensure_can_write_specification(rel, co_author=False)
    _ensure_market_dialogue(rel, NOT_NOW)
    if citizens and rel.project.visibility != Visibility.public:
        raise Invalid(CITIZENS_ONLY_ON_PUBLIC)
    return user


def ensure_can_comment_in_hearing(
    rel: ProjectRelation, hearing: Hearing, *, co_author: bool
) -> User:
    """Someone who takes part in the hearing, while the project is still in the market dialogue."""
    user = require_user(rel.user)
    if not in_hearing(rel, hearing, co_author=co_author):
        raise Forbidden(N_("You are not among those heard in this hearing."))
    _ensure_market_dialogue(rel, OVER)
    return user


@dataclass(frozen=True)
class HearingAudience:
    """Viewers of a hearing page who get the very same pushed HTML.

    What a push shows depends only on whether the reader sees suppliers' companies (and the
    language); the facts that decide whether one takes part at all are in the key as well, so two
    viewers who share a render also share the right to see it (only a co-authorship, read from
    the database, is not: it is re-checked as the audience's representative at render time).
    """

    project_id: int
    sees_companies: bool
    role: Role | None
    member_org: bool
    is_registered_supplier: bool
    lang: str
    representative_id: int | None = field(default=None, compare=False, hash=False)


def hearing_audience(rel: ProjectRelation, lang: str | None = None) -> Hashable:
    """The hearing page's audience of this reader."""
    return HearingAudience(
        project_id=id_of(rel.project),
        sees_companies=sees_companies(rel),
        role=rel.role,
        member_org=rel.member_org,
        is_registered_supplier=rel.is_registered_supplier,
        lang=lang or i18n.current_language(),
        representative_id=audiences.representative_of(rel),
    )
