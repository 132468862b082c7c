"""A project's proposals list as it shows on the page and live.

The list is the same for everyone in one audience: procurers see every proposal, everyone else
only published summaries (a supplier's own unpublished proposals are shown outside it), so a push
can never carry what its receiver could not load.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.models import Need, Proposal
from app.models.vocabulary import LiveKind
from app.services import proposals
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import Audience, ProjectRelation, audience_for
from app.views.templating import render_fragment


def need_titles(session: Session, need_ids: Iterable[int]) -> dict[int, str]:
    """The titles of these needs by id, those in sight (a proposal names the needs it answers)."""
    wanted = set(need_ids)
    if not wanted:
        return {}
    query = select(Need.id, Need.title).where(
        col(Need.id).in_(wanted), col(Need.hidden).is_(False), col(Need.held).is_(False)
    )
    return {need_id: title for need_id, title in session.exec(query).all() if need_id is not None}


def titles_for(session: Session, views: Iterable[proposals.ProposalView]) -> dict[int, str]:
    """The titles of the needs these proposals answer."""
    return need_titles(session, (need_id for view in views for need_id in view.need_ids))


def proposals_page(
    session: Session, rel: ProjectRelation, audience: Audience, cursor: str | None
) -> proposals.ProposalPage:
    """A page of the list everyone in the audience shares (see the module's docstring)."""
    return proposals.list_page(
        session, rel=rel, summaries_only=not audience.is_procurer, cursor=cursor
    )


def proposals_list_html(
    session: Session,
    rel: ProjectRelation,
    audience: Audience,
    *,
    oob: bool,
    cursor: str | None = None,
) -> str:
    """The live list of a project's proposals, the same for everyone in the audience: its
    first page (or the page after `cursor`) and a link to the next."""
    page = proposals_page(session, rel, audience, cursor)
    return render_fragment(
        "proposals/_list.html",
        audience.lang,
        page=page,
        views=page.views,
        needs=titles_for(session, page.views),
        project_id=audience.project_id,
        oob=oob,
    )


def proposals_more_html(
    session: Session, rel: ProjectRelation, audience: Audience, cursor: str
) -> str:
    """The page of the list after `cursor` as cards, and the link to the next (htmx puts them
    in place of the link clicked)."""
    page = proposals_page(session, rel, audience, cursor)
    return render_fragment(
        "proposals/_more.html",
        audience.lang,
        page=page,
        needs=titles_for(session, page.views),
        project_id=audience.project_id,
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
