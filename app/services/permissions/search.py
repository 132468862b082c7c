"""Who may find what in search: the page rules, as one WHERE clause over the search index.

A row of `search_item` exists only for content that every viewer of its project may open (a need
neither hidden nor held, a published answer, a published summary) or for a requirement, whose
readers the specification's rules decide. So the clause asks three things, all in SQL, before any
LIMIT or COUNT: may the reader view the project (`visible_projects_clause`, as the project list);
is the row for all its viewers; or is it a requirement the reader may open
(`can_see_requirement`: the specification's writers, everyone once it is final).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlmodel import col

from app.models import Project, ProjectPartner, SearchItem, SpecificationAuthor, User
from app.models.base import Role
from app.models.search import SearchAudience
from app.services.permissions.relation import visible_projects_clause


def _member_organisation(user: User) -> ColumnElement[bool]:
    """The user's organisation owns or partners in the project (`ProjectRelation.member_org`)."""
    partner = exists(
        select(col(ProjectPartner.project_id)).where(
            col(ProjectPartner.project_id) == Project.id,
            col(ProjectPartner.organisation_id) == user.organisation_id,
        )
    )
    return or_(col(Project.owner_org_id) == user.organisation_id, partner)


def specification_writers_clause(user: User | None) -> ColumnElement[bool]:
    """The projects whose specification the user writes (`can_write_specification` in SQL)."""
    if user is None:
        return false()
    if user.role == Role.admin:
        return true()
    if user.organisation_id is None or user.role not in (Role.procurer, Role.employee):
        return false()
    if user.role == Role.procurer:  # a procurer of a project organisation is its procurer
        return _member_organisation(user)
    co_author = exists(
        select(col(SpecificationAuthor.id)).where(
            col(SpecificationAuthor.project_id) == Project.id,
            col(SpecificationAuthor.user_id) == user.id,
        )
    )
    return and_(_member_organisation(user), co_author)


def findable_clause(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause over `search_item` joined to its `project`: the rows the user may open."""
    audience = col(SearchItem.audience)
    final = and_(
        audience == SearchAudience.final_requirement,
        col(Project.specification_final).is_(True),
    )
    return and_(
        visible_projects_clause(user),
        or_(audience == SearchAudience.viewers, final, specification_writers_clause(user)),
    )
