"""Dialogue quality: replies and thread depth, and time to answer suppliers (research
question 3)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, literal, select
from sqlmodel import Session, col

from app.i18n import N_
from app.models import Comment, Need, Question
from app.models.question import QuestionStatus
from app.services import permissions
from app.services.metrics.influence import median_by_group
from app.services.metrics.schemas import Figure
from app.services.metrics.sql import Scope, hours, ratio, rounded
from app.services.metrics.suppression import FigureKind, figure

THREADS = FigureKind(
    "comment_threads",
    N_("Replies and thread depth"),
    3,
    N_(
        "Comments on the project's needs: replies per comment, the share of comments "
        "that got at least one reply, and the deepest and mean depth of a thread "
        "(a lone comment has depth 1)."
    ),
    (
        "comments",
        "replies",
        "replies_per_comment",
        "share_replied",
        "max_depth",
        "mean_depth",
    ),
)
ANSWER_HOURS = FigureKind(
    "question_answer_hours",
    N_("Hours to answer supplier questions"),
    3,
    N_(
        "Median hours from a supplier's question to the publication of its answer to "
        "all suppliers, over published questions."
    ),
    ("published", "median_hours"),
)


def _threads(session: Session, project_ids: list[Any]) -> dict[str, Any]:
    """Comments, replies and thread depth over the projects' needs."""
    comments: Any = (
        select(
            col(Comment.id),
            col(Comment.parent_id),
            col(Comment.author_id),
            func.coalesce(Comment.root_id, Comment.id).label("root"),
            col(Comment.depth),
        )
        .join(Need, col(Need.id) == Comment.need_id)
        .where(col(Need.project_id).in_(project_ids))
        .cte("comments")
    )
    threads = (
        select(comments.c.root, func.max(comments.c.depth).label("deepest"))
        .group_by(comments.c.root)
        .subquery()
    )
    counts = session.execute(
        select(
            func.count(),
            func.count(comments.c.parent_id),
            func.count(sa.distinct(comments.c.parent_id)),  # the comments that got a reply
            func.count(sa.distinct(comments.c.author_id)),
        ).select_from(comments)
    ).one()
    total, replies, with_reply, commenters = counts
    deepest, mean_depth = session.execute(
        select(func.max(threads.c.deepest), func.avg(threads.c.deepest))
    ).one()
    return {
        "comments": total,
        "replies": replies,
        "replies_per_comment": ratio(replies, total),
        "share_replied": ratio(with_reply, total),
        "max_depth": deepest or 0,
        "mean_depth": rounded(mean_depth),
        "participants": commenters,
    }


def _answers(
    session: Session, rels: Scope, project_ids: list[Any], *, aggregate: bool
) -> tuple[dict[str, Any], list[str]]:
    """Supplier questions: time from asking to the published answer, and the columns shown.

    Non-procurers learn only of published ones (a question is private until answered).
    """
    questions = (
        select(
            literal("q").label("grp"),
            hours(session, col(Question.asked_at), col(Question.published_at)).label("v"),
        )
        .where(
            col(Question.project_id).in_(project_ids),
            col(Question.status) == QuestionStatus.published,
        )
        .subquery()
    )
    published = session.execute(select(func.count()).select_from(questions)).scalar_one()
    median = median_by_group(session, questions).get("q", (None, 0))[0]
    answer_row: dict[str, Any] = {"published": published, "median_hours": median}
    columns = list(ANSWER_HOURS.columns)
    if not aggregate and all(map(permissions.sees_whole_participation, rels)):
        # Unpublished questions are the procurers' to count (the table in `permissions`).
        asked = session.execute(
            select(func.count()).where(
                col(Question.project_id).in_(project_ids),
                col(Question.status) != QuestionStatus.withdrawn,
            )
        ).scalar_one()
        answer_row["asked"] = asked
        columns = ["asked", *columns]
    return answer_row, columns


def dialogue(session: Session, rels: Scope, *, aggregate: bool) -> list[Figure]:
    """Replies, thread depth, comments that got a reply, and time to answer suppliers."""
    project_ids = [rel.project.id for rel in rels]
    thread_row = _threads(session, project_ids)
    answer_row, columns = _answers(session, rels, project_ids, aggregate=aggregate)
    return [
        figure(THREADS, [thread_row], aggregate=aggregate),
        figure(ANSWER_HOURS, [answer_row], aggregate=aggregate, people="", columns=columns),
    ]
