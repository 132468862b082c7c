"""A hearing's requirements with their highlighted passages and comments, on the page and live.

Each requirement's text and comments form one block (`hearings/_heard.html`), drawn by the page
and pushed out of band to every viewer when a comment comes, rendered once per audience: a
supplier's company shows to the project's procurers only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session

from app.models import Hearing, HearingComment, Requirement, User
from app.models.vocabulary import LiveKind
from app.services import hearings
from app.services.errors import NotFound
from app.services.hearings import CommentView, Segment
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import HearingAudience, ProjectRelation, hearing_audience
from app.views.templating import render_fragment


@dataclass(frozen=True)
class Heard:
    """One requirement of a hearing as the page shows it: its text in runs, its comments."""

    requirement: Requirement
    segments: list[Segment]
    comments: list[CommentView]


def heard(
    session: Session, rel: ProjectRelation, hearing: Hearing, *, requirement_id: int | None = None
) -> list[Heard]:
    """The hearing's requirements (or the one named), each with its highlighted text and its
    comments for this reader."""
    by_requirement: dict[int, list[CommentView]] = defaultdict(list)
    views = hearings.comments(session, rel=rel, hearing=hearing, requirement_id=requirement_id)
    for view in views:
        by_requirement[view.comment.requirement_id].append(view)
    listed = hearings.requirements_heard(session, hearing=hearing)
    if requirement_id is not None:
        listed = [r for r in listed if r.id == requirement_id]
    return [
        Heard(
            requirement=r,
            segments=hearings.segments(r, [v.comment for v in by_requirement[r.id or 0]]),
            comments=by_requirement[r.id or 0],
        )
        for r in listed
    ]


def heard_html(
    session: Session,
    rel: ProjectRelation,
    topic: Topic,
    audience: HearingAudience,
    requirement_id: int | None = None,
) -> str:
    """The hearing's requirement blocks (or the one named), out of band: the resync, and the
    live push of a comment."""
    hearing = session.get(Hearing, topic.id)
    if hearing is None or not hearings.takes_part(session, rel=rel, hearing=hearing):
        raise NotFound(hearings.NO_SUCH_HEARING)
    return "".join(
        render_fragment("hearings/_heard.html", audience.lang, item=item, oob=True)
        for item in heard(session, rel, hearing, requirement_id=requirement_id)
    )


def _hearing_relation(session: Session, user: User | None, hearing_id: int) -> ProjectRelation:
    """The viewer's relation to the hearing's project; 404 unless they take part in it."""
    _hearing, rel = hearings.find(session, user=user, hearing_id=hearing_id)
    return rel


@renders(PageKind.hearing, LiveKind.hearing_changed)
def hearing_changed_html(
    session: Session,
    rel: ProjectRelation,
    event: LiveEvent,
    topic: Topic,
    audience: HearingAudience,
) -> str | None:
    """A new comment's requirement block again, for viewers who still take part in the hearing;
    nothing for others, nor for the hearing's opening (nobody watches it before it exists)."""
    row = session.get(HearingComment, event.object_id)
    if row is None or row.hearing_id != topic.id:
        return None
    try:
        return heard_html(session, rel, topic, audience, requirement_id=row.requirement_id)
    except NotFound:
        return None


register_page(
    LivePage(
        PageKind.hearing,
        audience=hearing_audience,
        resync=heard_html,
        relation=_hearing_relation,
    )
)
