"""Editing and withdrawing one's own needs and comments, and the earlier versions they leave.

An author edits their need or comment only while nothing has moved on from it:

- the project is still in the phase the need or comment was posted in; and
- no procurer has acted on it. A procurer has acted on a **need** once its status is no longer
  the initial "submitted" (under review, verified, parked, merged, rejected) or a reason was
  written for it, once another need was merged into it, or once one of the project's procurers
  (a procurer of the owner or a partner organisation, or an administrator) commented on it. A
  procurer has acted on a **comment** once it was hidden, or once one of the project's procurers
  replied to it. A withdrawn comment is not edited again.

Every edit keeps the text as it was in a `Revision` (read by the project's procurers only), notes
the fields before and after in the audit log, marks the object edited (shown to everyone) and
pushes it live. Withdrawing a comment keeps its text the same way and then empties its body, so
no page, push, API answer or export shows it again to anyone: the procurers read it among the
earlier versions and in the audit log. Withdrawing is open to the author at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Comment, Need, Project, Revision, User
from app.models.base import NeedStatus, Role, id_of, utcnow
from app.models.need import CommentUpdate, NeedUpdate
from app.models.revision import RevisionPublic
from app.models.vocabulary import AuditAction, LiveKind, ObjectType, Verb
from app.services import contribution, cursors, needs, permissions, projects, themes
from app.services.contribution import Change
from app.services.errors import Conflict, Forbidden, NotFound
from app.services.permissions import ProjectRelation, phase_name

NEED_FIELDS = ("title", "problem", "affected")
PHASE_MOVED = N_(
    "It can no longer be edited: the project has moved on from the phase “%(posted)s”, where it "
    "was posted, to “%(phase)s”."
)


def project_procurers_clause(project: Project, partner_ids: list[int]) -> ColumnElement[bool]:
    """A WHERE clause on User: the project's procurers (its organisations' and administrators)."""
    orgs = [project.owner_org_id, *partner_ids]
    return or_(
        col(User.role) == Role.admin,
        and_(col(User.role) == Role.procurer, col(User.organisation_id).in_(orgs)),
    )


def _procurer_wrote(session: Session, project: Project, *where: ColumnElement[bool]) -> bool:
    """Whether one of the project's procurers wrote a comment matching `where`."""
    partners = projects.partner_ids(session, project_id=id_of(project))
    query = (
        select(Comment.id)
        .join(User, col(User.id) == Comment.author_id)
        .where(*where, project_procurers_clause(project, partners))
    )
    return session.exec(query).first() is not None


def _moved_on(rel: ProjectRelation, posted_phase: str) -> Conflict | None:
    phase = rel.project.phase
    if posted_phase and posted_phase != phase:
        return Conflict(PHASE_MOVED, posted=phase_name(posted_phase), phase=phase_name(phase))
    return None


def need_lock(session: Session, *, rel: ProjectRelation, need: Need) -> Conflict | None:
    """Why the need can no longer be edited (see the module's docstring), or None while it can."""
    if moved := _moved_on(rel, need.posted_phase):
        return moved
    decided = need.status != NeedStatus.submitted or need.status_reason or need.merged_into_id
    merged_in = session.exec(select(Need.id).where(Need.merged_into_id == need.id)).first()
    if decided or merged_in is not None:
        return Conflict("It can no longer be edited: a procurer has decided on the need.")
    if _procurer_wrote(session, rel.project, col(Comment.need_id) == need.id):
        return Conflict("It can no longer be edited: a procurer has commented on the need.")
    return None


def comment_lock(session: Session, *, rel: ProjectRelation, comment: Comment) -> Conflict | None:
    """Why the comment can no longer be edited (see the module's docstring), or None."""
    replied = _procurer_replied(session, rel.project, [id_of(comment)])
    return _comment_lock(rel, comment, replied=comment.id in replied)


def _comment_lock(rel: ProjectRelation, comment: Comment, *, replied: bool) -> Conflict | None:
    """`comment_lock` once it is known whether a procurer replied to the comment."""
    if comment.withdrawn_at is not None:
        return Conflict("The comment was withdrawn.")
    if comment.hidden:
        return Conflict("It can no longer be edited: a moderator has hidden the comment.")
    if moved := _moved_on(rel, comment.posted_phase):
        return moved
    if replied:
        return Conflict("It can no longer be edited: a procurer has replied to the comment.")
    return None


def _procurer_replied(session: Session, project: Project, comment_ids: list[int]) -> set[int]:
    """Those of the comments that one of the project's procurers replied to (two queries,
    however many comments)."""
    if not comment_ids:
        return set()
    partners = projects.partner_ids(session, project_id=id_of(project))
    query = (
        select(Comment.parent_id)
        .join(User, col(User.id) == Comment.author_id)
        .where(col(Comment.parent_id).in_(comment_ids), project_procurers_clause(project, partners))
        .distinct()
    )
    return {parent for parent in session.exec(query).all() if parent is not None}


def _ensure_author(rel: ProjectRelation, author_id: int, message: str) -> User:
    user = permissions.require_user(rel.user)
    if user.id != author_id:
        raise Forbidden(message)
    return user


def find_comment(
    session: Session, *, user: User | None, comment_id: int
) -> tuple[ProjectRelation, Need, Comment]:
    """A comment, its need and the viewer's relation to the project (404 when out of sight)."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("No such comment.")
    try:
        rel, need = needs.find_need(session, user=user, need_id=comment.need_id)
    except NotFound:
        raise NotFound("No such comment.") from None
    return rel, need, comment


def _rewritten(
    session: Session,
    *,
    rel: ProjectRelation,
    user: User,
    on: Need | Comment,
    kept: dict[str, Any],
    verb: Verb,
    change: Change,
    push: LiveKind,
) -> None:
    """Keep the text as it was before (`kept`, for the project's procurers), then record the
    change: its participation event, its audit entry and its live push."""
    object_type, object_id = contribution.subject_of(on)
    session.add(
        Revision(
            project_id=id_of(rel.project),
            object_type=object_type,
            object_id=object_id,
            fields=kept,
            edited_by_id=id_of(user),
        )
    )
    contribution.record(session, rel=rel, verb=verb, on=on, change=change, push=push)


def ensure_can_edit_need(session: Session, *, rel: ProjectRelation, need: Need) -> User:
    """The need's author, while they may still edit it (403 for others, 409 with the reason)."""
    user = _ensure_author(rel, need.author_id, N_("Only the author can edit a need."))
    if lock := need_lock(session, rel=rel, need=need):
        raise lock
    return user


def ensure_can_edit_comment(session: Session, *, rel: ProjectRelation, comment: Comment) -> User:
    """The comment's author, while they may still edit it (403 for others, 409 with the reason)."""
    user = _ensure_author(rel, comment.author_id, N_("Only the author can edit a comment."))
    if lock := comment_lock(session, rel=rel, comment=comment):
        raise lock
    return user


def edit_need(session: Session, *, rel: ProjectRelation, need: Need, data: NeedUpdate) -> Need:
    """The author changes their need's title, problem, who is affected or its theme, while they
    may (a theme not of the project is 422)."""
    user = ensure_can_edit_need(session, rel=rel, need=need)
    kept = _need_text(need)
    before: dict[str, Any] = dict(kept)
    changed: dict[str, Any] = {
        name: value
        for name, value in data.model_dump(exclude_none=True, exclude={"theme"}).items()
        if value != before[name]
    }
    old_theme = themes.names_by_id(session, [need.theme_id]).get(need.theme_id or 0, "")
    theme_id = need.theme_id
    if data.theme is not None and data.theme.strip() != old_theme:
        theme_id = themes.resolve(session, project_id=need.project_id, name=data.theme)
        before["theme"], changed["theme"] = old_theme, data.theme.strip()
    if not changed:
        return need
    for name, value in changed.items():
        if name != "theme":
            setattr(need, name, value)
    need.theme_id = theme_id
    need.edited_at = utcnow()
    _rewritten(
        session,
        rel=rel,
        user=user,
        on=need,
        kept=kept,
        verb=Verb.edited_need,
        change=Change(
            AuditAction.need_edited,
            before={name: before[name] for name in changed},
            after=changed,
        ),
        push=LiveKind.need_edited,
    )
    return need


def _need_text(need: Need) -> dict[str, str]:
    return {"title": need.title, "problem": need.problem, "affected": need.affected}


def edit_comment(
    session: Session, *, rel: ProjectRelation, comment: Comment, data: CommentUpdate
) -> Comment:
    """The author rewrites their comment, while they may."""
    user = ensure_can_edit_comment(session, rel=rel, comment=comment)
    if data.body == comment.body:
        return comment
    before = comment.body
    comment.body = data.body
    comment.edited_at = utcnow()
    _rewritten(
        session,
        rel=rel,
        user=user,
        on=comment,
        kept={"body": before},
        verb=Verb.edited_comment,
        change=Change(
            AuditAction.comment_edited, before={"body": before}, after={"body": data.body}
        ),
        push=LiveKind.comment_edited,
    )
    return comment


def withdraw_comment(session: Session, *, rel: ProjectRelation, comment: Comment) -> Comment:
    """The author withdraws their comment for good; its replies stay where they are."""
    user = _ensure_author(rel, comment.author_id, N_("Only the author can withdraw a comment."))
    if comment.withdrawn_at is not None:
        raise Conflict("The comment was withdrawn.")
    before = comment.body
    comment.body = ""
    comment.withdrawn_at = utcnow()
    _rewritten(
        session,
        rel=rel,
        user=user,
        on=comment,
        kept={"body": before},
        verb=Verb.withdrew_comment,
        change=Change(
            AuditAction.comment_withdrawn,
            before={"body": before, "withdrawn": False},
            after={"body": "", "withdrawn": True},
        ),
        push=LiveKind.comment_withdrawn,
    )
    return comment


# One's own comments on a need, a page at a time on the need page (newest first).
OWN_COMMENT_PAGE = 20


@dataclass(frozen=True)
class OwnComment:
    """One of the viewer's comments on a need, with why it can no longer be edited (if so)."""

    comment: Comment
    lock: Conflict | None


@dataclass(frozen=True)
class OwnCommentPage:
    """A page of the viewer's own comments on a need, and where the next page starts."""

    comments: list[OwnComment]
    next_cursor: str | None


def own_comments(
    session: Session,
    *,
    rel: ProjectRelation,
    need: Need,
    cursor: str | None = None,
    limit: int = OWN_COMMENT_PAGE,
) -> OwnCommentPage:
    """A page of the viewer's comments on the need that are not withdrawn, newest first, after
    `cursor` (422 for one this server did not make): three queries however many there are."""
    if rel.user is None:
        return OwnCommentPage([], None)
    query = select(Comment).where(
        Comment.need_id == need.id,
        Comment.author_id == rel.user.id,
        col(Comment.withdrawn_at).is_(None),
    )
    if cursor:
        query = query.where(
            cursors.past(cursor, col(Comment.created_at), col(Comment.id), newest_first=True)
        )
    newest_first = (col(Comment.created_at).desc(), col(Comment.id).desc())
    found = list(session.exec(query.order_by(*newest_first).limit(limit + 1)).all())
    comments = found[:limit]
    replied = _procurer_replied(session, rel.project, [id_of(c) for c in comments])
    own = [OwnComment(c, _comment_lock(rel, c, replied=c.id in replied)) for c in comments]
    if len(found) <= limit:
        return OwnCommentPage(own, None)
    last = comments[-1]
    return OwnCommentPage(own, cursors.encode(last.created_at, id_of(last)))


def revisions(session: Session, *, rel: ProjectRelation, need: Need) -> list[RevisionPublic]:
    """Earlier versions of the need and of its comments, newest first (the project's procurers)."""
    permissions.ensure_procurer(rel)
    comment_ids = select(Comment.id).where(Comment.need_id == need.id)
    query = (
        select(Revision, User.display_name)
        .join(User, col(User.id) == Revision.edited_by_id)
        .where(
            or_(
                and_(
                    col(Revision.object_type) == ObjectType.need, col(Revision.object_id) == need.id
                ),
                and_(
                    col(Revision.object_type) == ObjectType.comment,
                    col(Revision.object_id).in_(comment_ids),
                ),
            )
        )
        .order_by(col(Revision.edited_at).desc(), col(Revision.id).desc())
    )
    return [
        RevisionPublic.model_validate(revision, update={"edited_by": name})
        for revision, name in session.exec(query).all()
    ]
