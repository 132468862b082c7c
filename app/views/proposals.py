"""A project's proposals list as it shows on the page and live.

The list is the same for everyone in one audience: procurers see every proposal, everyone else
only published summaries (a supplier's own unpublished proposals are shown outside it), so a push
can never carry what its receiver could not load.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import Need, Proposal
from app.models.vocabulary import LiveKind
from app.services import proposals
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import Audience, ProjectRelation, audience_for
from app.views.templating import render_fragment


def need_titles(session: Session, project_id: int) -> dict[int, str]:
    """The titles of a project's needs by id (a proposal names the needs it answers)."""
    query = select(Need.id, Need.title).where(
        Need.project_id == project_id, col(Need.hidden).is_(False), col(Need.held).is_(False)
    )
    return {need_id: title for need_id, title in session.exec(query).all() if need_id is not None}


def proposals_list_html(
    session: Session, rel: ProjectRelation, audience: Audience, *, oob: bool
) -> str:
    """The live list of a project's proposals, the same for everyone in the audience."""
    views = proposals.list_proposals(session, rel=rel, summaries_only=not audience.is_procurer)
    return render_fragment(
        "proposals/_list.html",
        audience.lang,
        views=views,
        needs=need_titles(session, audience.project_id),
        oob=oob,
    )


def _resync(session: Session, rel: ProjectRelation, topic: Topic, audience: Audience) -> str:
    return proposals_list_html(session, rel, audience, oob=True)


@renders(
    PageKind.proposals,
    LiveKind.proposal_submitted,
    LiveKind.proposal_changed,
    LiveKind.proposal_summary_published,
)
def render_event(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str | None:
    """What one audience gets for a proposal event: a new submission goes to procurers only."""
    if not audience.is_procurer:
        proposal = session.get(Proposal, event.object_id)
        if event.kind == LiveKind.proposal_submitted or proposal is None:
            return None
        if not proposal.summary_published:
            return None
    return proposals_list_html(session, rel, audience, oob=True)


register_page(LivePage(PageKind.proposals, audience=audience_for, resync=_resync))
