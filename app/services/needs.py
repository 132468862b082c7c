"""Needs, supports and comments: every change checks the policy, logs participation, goes live."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, bindparam, exists, func, or_
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Comment, Need, Project, ProjectPartner, Support, User
from app.models.base import NeedStatus, Role, id_of
from app.models.need import CommentCreate, CommentPublic, NeedCreate, NeedPublic, NeedStatusChange
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, moderation, permissions, posting_limits, rows, themes
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid, NotFound
from app.services.permissions import ProjectRelation

REASON_REQUIRED = frozenset({NeedStatus.merged, NeedStatus.rejected})
STATUS_VERBS = {NeedStatus.verified: Verb.verified_need}


@dataclass
class NeedView:
    """A need with its counts and the author's name as this viewer may see it."""

    need: Need
    author_name: str | None
    support_count: int
    comment_count: int
    # The need's text shows (a hidden or held one: to moderators, and on request to its author).
    readable: bool = True
    theme: str | None = None

    def to_public(self) -> NeedPublic:
        """The API view (a hidden need keeps its place but not its text)."""
        text = {} if self.readable else {"title": None, "problem": None, "affected": None}
        return NeedPublic.model_validate(
            self.need,
            update={
                "author_id": self.need.author_id if self.author_name is not None else None,
                "author_name": self.author_name,
                "support_count": self.support_count,
                "comment_count": self.comment_count,
                "theme": self.theme,
                **text,
            },
        )


@dataclass
class CommentView:
    """A comment as this viewer may see it, with its replies."""

    comment: Comment
    author_name: str
    visible: bool
    replies: list[CommentView]
    # The author's role as a label beside the name (see `shown_role`).
    author_role: Role | None = None

    @property
    def withdrawn(self) -> bool:
        """Withdrawn by its author: the thread keeps its place, nobody reads it any more."""
        return self.comment.withdrawn_at is not None

    @property
    def held(self) -> bool:
        """Awaiting a moderator's approval (only its author and the moderators see it)."""
        return self.comment.held

    def to_public(self, reader: User | None = None) -> CommentPublic:
        """The API view (a hidden comment keeps its place but not its body, but for its author
        when `reader` is them)."""
        own = reader is not None and reader.id == self.comment.author_id
        return CommentPublic.model_validate(
            self.comment,
            update={
                "author_name": self.author_name,
                "body": self.comment.body if (self.visible or own) and not self.withdrawn else None,
                "withdrawn": self.withdrawn,
            },
        )


def support_counts() -> ScalarSelect[int]:
    """How many people support the need of the row (a correlated subquery)."""
    return select(func.count(col(Support.id))).where(Support.need_id == Need.id).scalar_subquery()


def comment_counts() -> ScalarSelect[int]:
    """How many visible comments the need of the row has (a correlated subquery)."""
    return (
        select(func.count(col(Comment.id)))
        .where(
            Comment.need_id == Need.id,
            col(Comment.hidden).is_(False),
            col(Comment.withdrawn_at).is_(None),
            col(Comment.held).is_(False),
        )
        .scalar_subquery()
    )


def views_of(
    session: Session,
    rel: ProjectRelation,
    rows: Sequence[tuple[Need, int, int]],
    *,
    as_author: bool = False,
) -> list[NeedView]:
    """The rows (need, supports, comments) as this viewer sees them; one query for the names."""
    author_ids = {need.author_id for need, _, _ in rows}
    query = select(User.id, User.display_name).where(col(User.id).in_(author_ids))
    names = dict(session.exec(query).all()) if author_ids else {}
    theme_names = themes.names_by_id(session, (need.theme_id for need, _, _ in rows))
    return [
        NeedView(
            need=need,
            author_name=names.get(need.author_id)
            if permissions.can_see_author(rel, need)
            else None,
            support_count=supports,
            comment_count=comments,
            readable=permissions.can_read_need(rel, need)
            or (as_author and permissions.is_author(rel, need)),
            theme=theme_names.get(need.theme_id or 0),
        )
        for need, supports, comments in rows
    ]


def list_needs(session: Session, *, rel: ProjectRelation) -> list[NeedView]:
    """The project's needs with support and comment counts, in one query, newest first.

    Hidden and held needs are listed for the project's moderators only.
    """
    query = (
        select(Need, support_counts(), comment_counts())
        .where(Need.project_id == rel.project.id)
        .order_by(col(Need.created_at).desc(), col(Need.id).desc())
    )
    if not rel.is_moderator:
        query = query.where(col(Need.hidden).is_(False), col(Need.held).is_(False))
    return views_of(session, rel, session.exec(query).all())


def need_view(
    session: Session, *, rel: ProjectRelation, need_id: int, as_author: bool = False
) -> NeedView:
    """One need of the project with its counts (404 if it is not in this project).

    `as_author`: the viewer alone sees it (a page or an API answer, not a live push), so their
    own hidden or held need shows its text to them.
    """
    query = select(Need, support_counts(), comment_counts()).where(
        Need.id == need_id, Need.project_id == rel.project.id
    )
    row = session.exec(query).first()
    if row is None:
        raise NotFound("No such need.")
    return views_of(session, rel, [row], as_author=as_author)[0]


# The content version of the need's project, if visitors who are not logged in may see it
# (bound to `object_id`). Built once: a page view for visitors runs it and nothing else.
VERSION_FOR_VISITORS: Select[Any] = (
    select(Project.content_version)
    .join(Need, col(Need.project_id) == Project.id)
    .where(Need.id == bindparam("object_id"), permissions.visible_projects_clause(None))
)


def find_need(session: Session, *, user: User | None, need_id: int) -> tuple[ProjectRelation, Need]:
    """A need and the viewer's relation to its project; 404 when either is out of sight."""
    need, rel = permissions.find_in_project(
        session, user, Need, need_id, missing=N_("No such need."), can_see=permissions.can_open_need
    )
    return rel, need


def post_need(session: Session, *, rel: ProjectRelation, data: NeedCreate) -> Need:
    """Post a need to the project."""
    user = permissions.ensure_can_post_need(rel)
    posting_limits.ensure_may_post(session, user=user)
    held = moderation.holds_first_contribution(session, rel=rel, user=user)
    project_id = id_of(rel.project)
    need = Need(
        **data.model_dump(exclude={"theme"}),
        theme_id=themes.resolve(session, project_id=project_id, name=data.theme),
        project_id=project_id,
        author_id=id_of(user),
        posted_phase=rel.project.phase,
        held=held,
    )
    contribution.record(
        session, rel=rel, verb=Verb.posted_need, on=need, push=LiveKind.need_created
    )
    if held:
        moderation.hold(session, rel=rel, content=need)
    return need


def support_need(session: Session, *, rel: ProjectRelation, need: Need) -> Support:
    """Add the user's one support to a need (409 if they already support it)."""
    user = permissions.ensure_can_support(rel)
    existing = session.exec(
        select(Support).where(Support.need_id == need.id, Support.user_id == user.id)
    ).first()
    if existing is not None:
        raise Conflict("You already support this need.")
    support = rows.add_unique(
        session,
        Support(need_id=id_of(need), user_id=id_of(user)),
        conflict="You already support this need.",
    )
    author = session.get(User, need.author_id)
    contribution.record(
        session,
        rel=rel,
        verb=Verb.supported,
        on=need,
        addressee=author,
        push=LiveKind.need_supported,
    )
    return support


def withdraw_support(session: Session, *, rel: ProjectRelation, need: Need) -> None:
    """Take back the user's support (404 if there was none)."""
    user = permissions.require_user(rel.user)
    permissions.ensure_phase_allows(rel, permissions.DialogueAction.support)
    support = session.exec(
        select(Support).where(Support.need_id == need.id, Support.user_id == user.id)
    ).first()
    if support is None:
        raise NotFound("You do not support this need.")
    session.delete(support)
    contribution.record(
        session, rel=rel, verb=Verb.withdrew_support, on=need, push=LiveKind.need_supported
    )


def has_supported(session: Session, *, user: User | None, need_id: int) -> bool:
    """Whether this user supports the need."""
    if user is None:
        return False
    query = select(Support.id).where(Support.need_id == need_id, Support.user_id == user.id)
    return session.exec(query).first() is not None


def add_comment(
    session: Session, *, rel: ProjectRelation, need: Need, data: CommentCreate
) -> Comment:
    """Comment on a need, or reply to a comment on it."""
    user = permissions.ensure_can_comment(rel)
    posting_limits.ensure_may_post(session, user=user)
    addressee = session.get(User, need.author_id)
    root_id, depth = None, 1
    if data.parent_id is not None:
        parent = session.get(Comment, data.parent_id)
        if parent is None or parent.need_id != need.id:
            raise Invalid("The comment you reply to is not on this need.")
        addressee = session.get(User, parent.author_id)
        root_id, depth = parent.root_id or parent.id, parent.depth + 1
    comment = Comment(
        need_id=id_of(need),
        parent_id=data.parent_id,
        root_id=root_id,
        depth=depth,
        author_id=id_of(user),
        body=data.body,
        posted_phase=rel.project.phase,
        held=moderation.holds_first_contribution(session, rel=rel, user=user),
    )
    contribution.record(
        session,
        rel=rel,
        verb=Verb.replied if data.parent_id else Verb.commented,
        on=comment,
        addressee=addressee,
        push=LiveKind.comment_created,
    )
    if comment.held:
        moderation.hold(session, rel=rel, content=comment)
    return comment


def hide_comment(
    session: Session, *, rel: ProjectRelation, comment: Comment, reason: str
) -> Comment:
    """A moderator hides a comment with a reason; it keeps its place in the thread."""
    moderation.hide(session, rel=rel, content=comment, reason=reason)
    return comment


def shown_role(role: Role, in_project: bool) -> Role:
    """The role a comment's author is labelled with: their role now, except that a procurer
    of a municipality that neither owns nor partners in the project is shown as an employee
    (only the project's own procurers answer for it)."""
    return Role.employee if role == Role.procurer and not in_project else role


def _in_project(rel: ProjectRelation) -> ColumnElement[bool]:
    """Whether the row's user belongs to an organisation that owns or partners in the project."""
    partner = exists(
        select(ProjectPartner.project_id).where(
            ProjectPartner.project_id == rel.project.id,
            ProjectPartner.organisation_id == User.organisation_id,
        )
    )
    return or_(col(User.organisation_id) == rel.project.owner_org_id, partner)


def comments_with_authors(rel: ProjectRelation) -> Any:
    """Comments with their authors' names, roles and whether they belong to the project."""
    return select(Comment, User.display_name, User.role, _in_project(rel)).join(
        User, col(User.id) == Comment.author_id
    )


def comment_view_of(rel: ProjectRelation, row: Any) -> CommentView:
    """A row of `comments_with_authors` as this viewer may see it (without replies)."""
    comment, name, role, in_project = row
    return CommentView(
        comment=comment,
        author_name=name,
        visible=permissions.can_see_comment(rel, comment),
        replies=[],
        author_role=shown_role(role, bool(in_project)),
    )


def comment_tree(session: Session, *, rel: ProjectRelation, need_id: int) -> list[CommentView]:
    """The need's comments as a thread (oldest first), with their authors' roles, in one query."""
    query = (
        comments_with_authors(rel)
        .where(col(Comment.need_id) == need_id)
        .order_by(col(Comment.created_at), col(Comment.id))
    )
    views = {
        row[0].id: comment_view_of(rel, row)
        for row in session.exec(query).all()
        # a held comment shows to its author on its own
        if not row[0].held or rel.is_moderator
    }
    roots: list[CommentView] = []
    for view in views.values():
        parent = views.get(view.comment.parent_id) if view.comment.parent_id else None
        (parent.replies if parent else roots).append(view)
    return roots


def find_comment(tree: list[CommentView], comment_id: int) -> CommentView | None:
    """The comment with this id anywhere in a thread."""
    stack = list(tree)
    while stack:
        view = stack.pop()
        if view.comment.id == comment_id:
            return view
        stack.extend(view.replies)
    return None


def own_comment_view(rel: ProjectRelation, comment: Comment) -> CommentView:
    """The comment the viewer has just written, as they see it (no query: it is theirs)."""
    author = permissions.require_user(rel.user)
    in_project = author.organisation_id is not None and rel.member_org
    return CommentView(
        comment=comment,
        author_name=author.display_name,
        visible=True,
        replies=[],
        author_role=shown_role(author.role, in_project),
    )


def comment_view(session: Session, *, rel: ProjectRelation, comment_id: int) -> CommentView:
    """One comment (without replies) as this viewer may see it."""
    row = session.exec(comments_with_authors(rel).where(col(Comment.id) == comment_id)).first()
    if row is None:
        raise NotFound("No such comment.")
    return comment_view_of(rel, row)


def set_status(
    session: Session, *, rel: ProjectRelation, need: Need, change: NeedStatusChange
) -> Need:
    """The procurer's decision on a need; merged and rejected need a reason the author can read."""
    permissions.ensure_procurer(rel)
    reason = change.reason.strip()
    if change.status in REASON_REQUIRED and not reason:
        raise Invalid("A reason is required when a need is merged or rejected.")
    merged_into = None
    if change.status == NeedStatus.merged:
        target = session.get(Need, change.merged_into_id) if change.merged_into_id else None
        if target is None or target.project_id != need.project_id or target.id == need.id:
            raise Invalid("Choose another need in this project to merge into.")
        if target.status == NeedStatus.merged:
            raise Invalid("That need was itself merged; merge into the need it was merged into.")
        merged_into = target.id
    before = _status_state(need)
    need.status = change.status
    need.status_reason = reason
    need.merged_into_id = merged_into
    contribution.record(
        session,
        rel=rel,
        verb=STATUS_VERBS.get(change.status, Verb.changed_need_status),
        on=need,
        addressee=session.get(User, need.author_id),
        change=Change(
            AuditAction.need_status_changed,
            before=before,
            after=_status_state(need),
            rationale=reason,
        ),
        push=LiveKind.need_status_changed,
    )
    return need


def _status_state(need: Need) -> dict[str, object]:
    """What the audit log keeps of a need's status."""
    return {
        "status": str(need.status),
        "reason": need.status_reason,
        "merged_into_id": need.merged_into_id,
    }
