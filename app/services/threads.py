"""A need's comment thread a page at a time: top-level comments by keyset, each with all its
replies, so a page costs the same however long the thread is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import Comment
from app.services import cursors, needs
from app.services.permissions import ProjectRelation

# Top-level comments (each with all its replies) on one page of a need's thread.
COMMENT_PAGE = 50


@dataclass
class CommentPage:
    """A page of a need's thread: top-level comments with all their replies, oldest first."""

    comments: list[needs.CommentView]
    # Where the next page starts for a fresh page load: every later comment.
    next_cursor: str | None
    # Where it starts for the page's own "load more": only comments up to the newest there was
    # when the thread was first drawn, since later ones have been pushed to it live.
    more_cursor: str | None


def comment_page(
    session: Session,
    *,
    rel: ProjectRelation,
    need_id: int,
    cursor: str | None = None,
    limit: int = COMMENT_PAGE,
) -> CommentPage:
    """One page of the need's thread as this viewer may see it; whatever the thread's length,
    one query picks the page's top-level comments, one reads them with all their replies and
    their authors."""
    after = _decode_comment_cursor(cursor) if cursor is not None else None
    parent, any_comment = aliased(Comment), aliased(Comment)
    # The newest comment there is, for the "load more" cursor (in the same query).
    newest = select(func.max(any_comment.id)).where(any_comment.need_id == need_id)
    # The thread's top-level comments for this viewer: those without a parent, and for anyone
    # but moderators also replies to a held comment they cannot see (shown on their own).
    tops = (
        select(col(Comment.id), col(Comment.created_at), newest.scalar_subquery())
        .outerjoin(parent, col(parent.id) == Comment.parent_id)
        .where(col(Comment.need_id) == need_id)
    )
    if rel.is_moderator:
        tops = tops.where(col(Comment.parent_id).is_(None))
    else:
        tops = tops.where(
            col(Comment.held).is_(False),
            or_(col(Comment.parent_id).is_(None), col(parent.held).is_(True)),
        )
    until = 0
    if after is not None:
        created, last_id, until = after
        same_moment = and_(col(Comment.created_at) == created, col(Comment.id) > last_id)
        tops = tops.where(or_(col(Comment.created_at) > created, same_moment))
        if until:
            tops = tops.where(col(Comment.id) <= until)
    picked = session.exec(
        tops.order_by(col(Comment.created_at), col(Comment.id)).limit(limit + 1)
    ).all()
    ids = [top_id or 0 for top_id, _created, _newest in picked[:limit]]
    views = _threads(session, rel, ids) if ids else []
    if len(picked) <= limit:
        return CommentPage(views, None, None)
    _last, created, newest_id = picked[limit - 1]
    return CommentPage(
        views,
        next_cursor=cursors.encode(created, ids[-1], 0),
        more_cursor=cursors.encode(created, ids[-1], until or newest_id or 0),
    )


def _threads(session: Session, rel: ProjectRelation, top_ids: list[int]) -> list[needs.CommentView]:
    """These top-level comments with all their replies, oldest first, in one query."""
    query = (
        needs.comments_with_authors(rel)
        .where(
            or_(
                col(Comment.id).in_(top_ids),
                col(Comment.root_id).in_(top_ids),
                col(Comment.parent_id).in_(top_ids),
            )
        )
        .order_by(col(Comment.created_at), col(Comment.id))
    )
    views = {
        row[0].id: needs.comment_view_of(rel, row)
        for row in session.exec(query).all()
        if not row[0].held or rel.is_moderator
    }
    tops = set(top_ids)
    roots: list[needs.CommentView] = []
    for view in views.values():
        parent = views.get(view.comment.parent_id) if view.comment.parent_id else None
        if parent is not None:
            parent.replies.append(view)
        elif view.comment.id in tops:
            roots.append(view)
        # else: a reply whose parent this viewer cannot see stands on its own page
    return roots


def _decode_comment_cursor(cursor: str) -> tuple[datetime, int, int]:
    """The created moment and id of the last top-level comment, and the newest id (0: none)."""
    created, last_id, until = cursors.decode(cursor, 3)
    return cursors.moment(created), cursors.row_id(last_id), cursors.row_id(until, zero=True)


def comment_with_replies(
    session: Session, *, rel: ProjectRelation, need_id: int, comment_id: int
) -> needs.CommentView | None:
    """One comment of the need with its replies, as this viewer sees it in the thread (None
    when it is not there for them), read with its own top-level comment only."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.need_id != need_id:
        return None
    return needs.find_comment(
        _threads(session, rel, [comment.root_id or comment_id, comment_id]), comment_id
    )
