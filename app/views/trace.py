"""A requirement's trace links as its page shows them and pushes them live to each reader.

The links a reader sees depend on who they are (which inputs they may see; procurers alone see
confidential links), so the requirement's socket renders for each reader alone
(`permissions.reader_audience`).
"""

from __future__ import annotations

from sqlmodel import Session

from app.models import Requirement, User
from app.models.base import id_of
from app.models.trace import TraceRelation
from app.models.vocabulary import LiveKind
from app.services import permissions, requirements, trace, trace_sources
from app.services.errors import NotFound
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import ProjectRelation, ReaderAudience
from app.services.trace import LinkView
from app.views.templating import render_fragment
from app.web.forms import detached


def links_context(
    session: Session, rel: ProjectRelation, requirement: Requirement, *, detach: bool = False
) -> dict[str, object]:
    """What the requirement's links section shows this reader, on the page and live alike;
    copies when a refused form draws it after the rollback."""
    views = trace.visible_links(session, rel=rel, requirement_id=id_of(requirement))
    if detach:
        views = [
            LinkView(detached([v.link])[0], detached([v.requirement])[0], v.source) for v in views
        ]
    return {
        "link_groups": trace.by_relation(views),
        "can_link": trace.may_link(session, rel=rel),
    }


def form_context(session: Session, rel: ProjectRelation) -> dict[str, object]:
    """What the form to add a link offers: the inputs the writer may see, the relations."""
    if not trace.may_link(session, rel=rel):
        return {"choices": {}, "relations": []}
    return {
        "choices": trace_sources.choices(session, rel=rel),
        "relations": list(TraceRelation),
        "is_procurer": rel.is_procurer,
    }


def need_context(session: Session, rel: ProjectRelation, need_id: int) -> dict[str, object]:
    """Which requirements a need led to, as this reader may see them (the need's page)."""
    shown, unseen = trace.led_to(session, rel=rel, need_id=need_id)
    return {"led_to": shown, "led_to_unseen": unseen}


def _requirement(session: Session, rel: ProjectRelation, requirement_id: int) -> Requirement:
    """The requirement if this reader may still see it (404 otherwise)."""
    requirement = session.get(Requirement, requirement_id)
    co_author = rel.user is not None and requirements.is_co_author(session, rel=rel)
    if (
        requirement is None
        or requirement.project_id != rel.project.id
        or not permissions.can_see_requirement(rel, requirement, co_author=co_author)
    ):
        raise NotFound(requirements.NO_SUCH_REQUIREMENT)
    return requirement


def links_html(
    session: Session, rel: ProjectRelation, topic: Topic, audience: ReaderAudience
) -> str:
    """The requirement as it reads now and its links section, to replace those on the page."""
    requirement = _requirement(session, rel, topic.id)
    context = {"requirement": requirement, **links_context(session, rel, requirement)}
    return "".join(
        render_fragment(name, audience.lang, oob=True, **context)
        for name in ("requirements/_article.html", "requirements/_links.html")
    )


@renders(PageKind.requirement, LiveKind.requirement_changed)
def links_changed_html(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: ReaderAudience
) -> str | None:
    """The links again for a reader who may still see the requirement; nothing for others."""
    try:
        return links_html(session, rel, topic, audience)
    except NotFound:
        return None


def _requirement_relation(
    session: Session, user: User | None, requirement_id: int
) -> ProjectRelation:
    """The reader's relation to the requirement's project; 404 when the requirement is out of
    their sight."""
    _found, rel = requirements.find(session, user=user, requirement_id=requirement_id)
    return rel


register_page(
    LivePage(
        PageKind.requirement,
        audience=permissions.reader_audience,
        resync=links_html,
        relation=_requirement_relation,
    )
)
