"""A project's moderation queue as it shows live: its counts and its items, for moderators only."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Report, User
from app.models.vocabulary import LiveKind
from app.services import moderation, permissions
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import Audience, ProjectRelation, audience_for
from app.views.templating import render_fragment


def queue_html(session: Session, rel: ProjectRelation, audience: Audience, *, oob: bool) -> str:
    """The queue's counts and its list of items, as the page shows them."""
    queue = moderation.queue(session, rel=rel)
    return render_fragment(
        "moderation/_queue.html", audience.lang, queue=queue, project=rel.project, oob=oob
    )


def _moderator_relation(session: Session, user: User | None, project_id: int) -> ProjectRelation:
    """The viewer's relation to the project; refused unless they moderate it."""
    rel = permissions.viewable_project(session, user, project_id)
    permissions.ensure_can_moderate(rel)
    return rel


def queue_state(session: Session, rel: ProjectRelation, topic: Topic, audience: Audience) -> str:
    """The whole queue: the page's state on every (re)connect."""
    return queue_html(session, rel, audience, oob=True)


@renders(PageKind.reports, LiveKind.reports_changed)
def queue_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str | None:
    """The counts, and the one item the report is about: added, drawn again, or marked done."""
    if not rel.is_moderator:
        return None
    report = session.get(Report, event.object_id)
    if report is None:
        return None
    queue = moderation.queue(session, rel=rel)
    item = next(
        (
            i
            for i in queue.items
            if (i.object_type, i.content.id) == (report.object_type, report.object_id)
        ),
        None,
    )
    new = item is not None and [r.id for r in item.reports] == [report.id]
    return render_fragment(
        "moderation/_queue_change.html",
        audience.lang,
        queue=queue,
        item=item,
        report=report,
        new=new,
        project=rel.project,
    )


register_page(
    LivePage(
        PageKind.reports,
        audience=audience_for,
        resync=queue_state,
        relation=_moderator_relation,
    )
)
