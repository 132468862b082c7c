"""The specification workspace's list as it shows on the page and live, for its writers only
(and, once the specification is final, for everyone who may see the project)."""

from __future__ import annotations

from sqlmodel import Session

from app.models import User
from app.models.vocabulary import LiveKind
from app.services import permissions, requirements
from app.services.errors import NotFound
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import Audience, ProjectRelation, audience_for
from app.views.templating import render_fragment


def list_context(session: Session, rel: ProjectRelation) -> dict[str, object]:
    """What the workspace's list needs, on the page and in a live push alike."""
    listed = requirements.list_requirements(session, rel=rel)
    return {
        "groups": requirements.by_kind(listed),
        "weights_total": requirements.weights_total(listed),
        "project": rel.project,
    }


def list_html(session: Session, rel: ProjectRelation, topic: Topic, audience: Audience) -> str:
    """The requirements by kind with the weights' total, to replace the ones on the page."""
    context = list_context(session, rel)
    return render_fragment("requirements/_list.html", audience.lang, oob=True, **context)


def _workspace_relation(session: Session, user: User | None, project_id: int) -> ProjectRelation:
    """The viewer's relation to the project; refused (404) unless they may open the workspace."""
    rel = permissions.viewable_project(session, user, project_id)
    if not requirements.can_open_workspace(session, rel=rel):
        raise NotFound(requirements.NO_SUCH_SPECIFICATION)
    return rel


@renders(PageKind.specification, LiveKind.requirement_changed)
def requirement_changed_html(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str | None:
    """A fresh list for viewers who may still open the workspace; nothing for anyone else."""
    if not requirements.can_open_workspace(session, rel=rel):
        return None
    return list_html(session, rel, topic, audience)


register_page(
    LivePage(
        PageKind.specification,
        audience=audience_for,
        resync=list_html,
        relation=_workspace_relation,
    )
)
