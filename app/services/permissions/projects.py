"""Projects, needs and comments: who opens a project, posts, supports and comments."""

from __future__ import annotations

from app.models import (
    Comment,
    Need,
    User,
)
from app.models.base import Role, Visibility
from app.services.errors import Forbidden
from app.services.permissions.relation import (
    DialogueAction,
    ProjectRelation,
    ensure_phase_allows,
    require_user,
)
from app.services.permissions.viewer import AudienceViewer


def ensure_can_create_project(user: User | None) -> User:
    """Only procurers (for their own organisation) and admins open projects."""
    user = require_user(user)
    if user.role not in (Role.procurer, Role.admin):
        raise Forbidden("Only procurers can open a project.")
    return user


def ensure_can_post_need(rel: ProjectRelation) -> User:
    """Public-sector staff (any municipality's on a public project), and citizens where allowed."""
    user = require_user(rel.user)
    ensure_phase_allows(rel, DialogueAction.post_need)
    if rel.is_procurer:
        return user
    if user.role in (Role.employee, Role.procurer) and (
        rel.member_org or rel.project.visibility == Visibility.public
    ):
        return user
    if (
        user.role == Role.citizen
        and rel.project.visibility == Visibility.public
        and rel.project.citizens_may_post
    ):
        return user
    raise Forbidden("Your role cannot post needs in this project.")


def ensure_can_support(rel: ProjectRelation) -> User:
    """Those who may post needs may also support them (and citizens on any public project)."""
    user = require_user(rel.user)
    ensure_phase_allows(rel, DialogueAction.support)
    if user.role in (Role.citizen, Role.employee, Role.procurer, Role.admin):
        return user
    raise Forbidden("Your role cannot support needs.")


def ensure_can_comment(rel: ProjectRelation) -> User:
    """Anyone logged in who can see the project, except observers (researchers)."""
    user = require_user(rel.user)
    ensure_phase_allows(rel, DialogueAction.comment)
    if user.role == Role.researcher:
        raise Forbidden("Researchers observe the dialogue and do not take part in it.")
    return user


def ensure_procurer(rel: ProjectRelation) -> User:
    """Only the project's procurers decide on needs."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can do this.")
    return user


def ensure_can_move_phase(rel: ProjectRelation) -> User:
    """Only the project's procurers (and admins) take gate decisions."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can move the project to another phase.")
    return user


def ensure_can_read_audit(rel: ProjectRelation) -> User:
    """Only the project's procurers (and admins) read the audit log."""
    user = require_user(rel.user)
    if not rel.can_read_audit:
        raise Forbidden("Only the project's procurers can read the audit log.")
    return user


def ensure_can_register_supplier(rel: ProjectRelation) -> User:
    """A supplier registers its own company, while the market dialogue is open.

    The service also checks the company: a supplier organisation with a valid number.
    """
    user = require_user(rel.user)
    if user.role != Role.supplier or user.organisation_id is None:
        raise Forbidden("Only suppliers can register a company for the market dialogue.")
    ensure_phase_allows(rel, DialogueAction.register_supplier)
    return user


def ensure_can_list_suppliers(rel: ProjectRelation) -> User:
    """Procurers see every registered supplier; a supplier sees only its own registration."""
    user = require_user(rel.user)
    if not rel.is_procurer and user.role != Role.supplier:
        raise Forbidden("Only the project's procurers can see which suppliers are registered.")
    return user


def ensure_can_read_participation(rel: ProjectRelation) -> User:
    """Procurers of the project, researchers and admins read the participation log."""
    user = require_user(rel.user)
    if not rel.can_read_participation:
        raise Forbidden("Only the project's procurers and researchers can read participation.")
    return user


def ensure_can_moderate(rel: ProjectRelation) -> User:
    """The project's procurers and the platform's moderators work its moderation queue."""
    user = require_user(rel.user)
    if not rel.is_moderator:
        raise Forbidden("Only the project's procurers and the platform's moderators can do this.")
    return user


def can_see_comment(rel: ProjectRelation, comment: Comment) -> bool:
    """Hidden comments keep their place in the thread but show their body only to moderators;
    held ones (a first contribution awaiting review) show to moderators alone."""
    return not (comment.hidden or comment.held) or rel.is_moderator


def can_read_need(rel: ProjectRelation, need: Need) -> bool:
    """A hidden need keeps its page, but its text shows only to moderators (and its author)."""
    return not (need.hidden or need.held) or rel.is_moderator


def is_author(rel: ProjectRelation, content: Need | Comment) -> bool:
    """Whether the viewer wrote it (they see their own hidden or held content in full)."""
    if isinstance(rel.user, AudienceViewer):
        return rel.user.wrote(content)
    return rel.user is not None and rel.user.id == content.author_id


def can_open_need(rel: ProjectRelation, need: Need) -> bool:
    """A held need is out of sight for all but its author and the moderators."""
    return not need.held or rel.is_moderator or is_author(rel, need)


def can_see_author(rel: ProjectRelation, need: Need) -> bool:
    """Anonymous needs show their author only to the project's procurers."""
    return not need.anonymous or rel.can_see_authors
