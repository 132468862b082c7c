"""How fast one account may post: needs, comments and questions, counted from the database.

The counts come from the rows themselves, so every process of the site agrees on them without
a shared counter. A limit of 0 is no limit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import union_all
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import Comment, Need, Question, User
from app.models.base import utcnow, writing_history
from app.services.errors import TooManyAttempts

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _recent_posts(session: Session, user_id: int, since: datetime, limit: int) -> list[datetime]:
    """When the account posted since then, newest first (at most `limit` moments)."""
    moments = union_all(
        select(col(Need.created_at).label("at")).where(
            Need.author_id == user_id, col(Need.created_at) >= since
        ),
        select(col(Comment.created_at).label("at")).where(
            Comment.author_id == user_id, col(Comment.created_at) >= since
        ),
        select(col(Question.asked_at).label("at")).where(
            Question.asked_by_id == user_id, col(Question.asked_at) >= since
        ),
    ).subquery()
    query = select(moments.c.at).order_by(moments.c.at.desc()).limit(limit)
    return list(session.exec(query).all())


def ensure_may_post(session: Session, *, user: User) -> None:
    """Refuse (429, with the seconds to wait) a post beyond the account's limits."""
    settings = get_settings()
    windows = [
        (limit, span)
        for limit, span in (
            (settings.post_limit_per_minute, MINUTE),
            (settings.post_limit_per_hour, HOUR),
        )
        if limit > 0
    ]
    if not windows or writing_history():
        return  # the demo writing its story at past moments is not a person posting
    now = utcnow()
    longest = max(span for _limit, span in windows)
    moments = _recent_posts(session, user.id or 0, now - longest, max(n for n, _s in windows))
    for limit, span in windows:
        inside = [moment for moment in moments if moment > now - span]
        if len(inside) >= limit:
            wait = math.ceil((inside[limit - 1] + span - now).total_seconds())
            raise TooManyAttempts(
                "You are posting faster than this site allows. Wait %(seconds)s seconds and "
                "post again.",
                retry_after=max(wait, 1),
                seconds=max(wait, 1),
            )
