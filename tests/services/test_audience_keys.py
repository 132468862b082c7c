"""A live push is rendered once per audience and sent to everyone in it, so every fact of the
viewer's relation that a renderer reads must be part of the audience's key: otherwise two people
with equal audiences could be sent what only one of them may see.

Each registered renderer (and each page's resync) runs on the market-dialogue scene as every role,
through a relation that notes which of its fields, and which of its user's, are read. The reads
must be among those the audience was computed from (its representative left out: it is not part
of the key).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from sqlmodel import Session, select

import app.views  # noqa: F401  (registers every domain's live renderers)
from app.models import Document, Report
from app.models.vocabulary import LiveKind
from app.services import permissions, render_cache
from app.services.errors import PivotalError
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import (
    LivePage,
    Renderer,
    registered_pages,
    registered_renderers,
)
from app.services.permissions import ProjectRelation, audiences
from tests.conftest import Factory, World
from tests.helpers import Api
from tests.market import PUBLIC_DOCUMENT, Market


class Recording:
    """Stands in for a relation (or its user) and notes the name of every field read."""

    def __init__(self, target: Any, reads: set[str], prefix: str = "") -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_reads", reads)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        self._reads.add(self._prefix + name)
        if name == "user" and value is not None:
            return Recording(value, self._reads, "user.")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a relation is read-only")


# Facts every viewer of a page shares although no key names them, and why.
SHARED_BY_EVERY_VIEWER = {
    # Only who may view the project opens its sockets, and every render re-checks it.
    "can_view",
}
# Fields a page reads that do not decide what it shows for an audience whose key leaves them out.
READ_BUT_NOT_DECIDING = {
    # The questions service reads a user's company before the role; only a supplier's company
    # decides what is shown, and for a supplier the key holds it.
    (PageKind.questions, "user.organisation_id"),
    # The specification's socket admits only its writers (procurers and co-authors), and every
    # writer sees the same list; the renderer reads who the viewer is only to send nothing to one
    # who can no longer open the workspace.
    (PageKind.specification, "user.id"),
    (PageKind.specification, "member_org"),
    (PageKind.specification, "role"),
    # Who is heard in a hearing is in its page's key (role, organisation, registration); only a
    # co-authorship is read by the viewer's id, and it is re-checked as the representative.
    (PageKind.hearing, "user.id"),
    # Whether there is a viewer at all is told by the key's role.
    (PageKind.hearing, "user"),
    # An event's page and a project's events page are rendered reader by reader (their key
    # names the reader); visitors share one render, and a visitor is never a procurer or a
    # registered supplier.
    (PageKind.event, "is_procurer"),
    (PageKind.event, "is_registered_supplier"),
    (PageKind.events, "is_procurer"),
    (PageKind.events, "is_registered_supplier"),
}


def key_reads(page: LivePage, rel: ProjectRelation, lang: str, monkeypatch: Any) -> set[str]:
    """The relation's fields the audience's key is computed from."""
    reads: set[str] = set()
    with monkeypatch.context() as patch:
        patch.setattr(audiences, "representative_of", lambda rel: None)
        page.audience(Recording(rel, reads), lang)  # type: ignore[arg-type]
    return reads | SHARED_BY_EVERY_VIEWER


def names_the_reader(key: set[str]) -> bool:
    """An audience keyed by the reader's own id is one reader's (visitors, all alike, share
    one): whatever of their relation a render reads, nobody else is sent it."""
    return "user.id" in key


def render_reads(
    render: Callable[[ProjectRelation], object], rel: ProjectRelation, monkeypatch: Any
) -> set[str]:
    """The relation's fields one render reads (from scratch: no cached fragment).

    A renderer that asks for the viewer's audience anew, to compare it with the one it renders
    for, reads the representative; the comparison leaves it out, and so does this.
    """
    render_cache.clear_all()
    reads: set[str] = set()
    with monkeypatch.context() as patch:
        patch.setattr(audiences, "representative_of", lambda rel: None)
        render(Recording(rel, reads))  # type: ignore[arg-type]
    return reads


def events_of(market: Market, session: Session) -> dict[str, LiveEvent]:
    """One event of every kind a page shows, about an object of the scene."""
    project, need = market.project, market.need
    document = session.get(Document, market.documents[PUBLIC_DOCUMENT])
    assert document is not None

    def on(kind: str, object_id: int, **where: Any) -> LiveEvent:
        return LiveEvent(kind, object_id, project, **where)

    return {
        LiveKind.need_created: on(LiveKind.need_created, need, need_id=need),
        LiveKind.need_supported: on(LiveKind.need_supported, need, need_id=need),
        LiveKind.need_status_changed: on(LiveKind.need_status_changed, need, need_id=need),
        LiveKind.comment_created: on(LiveKind.comment_created, market.comment, need_id=need),
        LiveKind.comment_hidden: on(LiveKind.comment_hidden, market.comment, need_id=need),
        LiveKind.project_phase_moved: on(LiveKind.project_phase_moved, 1),
        LiveKind.question_asked: on(LiveKind.question_asked, market.unanswered),
        LiveKind.question_answered: on(LiveKind.question_answered, market.unanswered),
        LiveKind.question_published: on(LiveKind.question_published, market.published),
        LiveKind.question_withdrawn: on(LiveKind.question_withdrawn, market.unanswered),
        LiveKind.document_uploaded: on(LiveKind.document_uploaded, document.id or 0),
        LiveKind.document_published: on(LiveKind.document_published, document.id or 0),
        LiveKind.document_changed: on(LiveKind.document_changed, document.id or 0),
        LiveKind.proposal_submitted: on(LiveKind.proposal_submitted, market.hidden_proposal),
        LiveKind.proposal_changed: on(LiveKind.proposal_changed, market.hidden_proposal),
        LiveKind.proposal_summary_published: on(
            LiveKind.proposal_summary_published, market.hidden_proposal
        ),
        LiveKind.event_created: on(LiveKind.event_created, market.event),
        LiveKind.event_counts: on(LiveKind.event_counts, market.meetings),
        LiveKind.event_minutes_published: on(LiveKind.event_minutes_published, market.event),
        LiveKind.event_registered: on(LiveKind.event_registered, market.event),
        LiveKind.event_registration_cancelled: on(
            LiveKind.event_registration_cancelled, market.event
        ),
        LiveKind.event_slot_booked: on(LiveKind.event_slot_booked, market.meetings),
        LiveKind.event_slot_freed: on(LiveKind.event_slot_freed, market.meetings),
        LiveKind.event_slots_made: on(LiveKind.event_slots_made, market.meetings),
        LiveKind.suppliers_changed: on(LiveKind.suppliers_changed, market.project),
        # Moderation (issue 12, item 5): the scene's report is the test's own (see below).
        LiveKind.comment_shown: on(LiveKind.comment_shown, market.comment, need_id=need),
        LiveKind.need_hidden: on(LiveKind.need_hidden, need, need_id=need),
        LiveKind.need_shown: on(LiveKind.need_shown, need, need_id=need),
        LiveKind.requirement_changed: on(
            LiveKind.requirement_changed, market.requirement, page=PageKind.specification
        ),
        LiveKind.reports_changed: on(
            LiveKind.reports_changed, session.exec(select(Report.id)).one(), page=PageKind.reports
        ),
        LiveKind.hearing_changed: on(
            LiveKind.hearing_changed,
            market.hearing,
            page=PageKind.specification,
            extra_topics=(Topic(PageKind.hearing, market.hearing),),
        ),
    }


def topic_ids(market: Market) -> dict[PageKind, int]:
    """Which object of the scene each kind of page shows."""
    pages = {kind: market.project for kind in PageKind}
    return {
        **pages,
        PageKind.need: market.need,
        PageKind.event: market.meetings,
        PageKind.requirement: market.requirement,
        PageKind.hearing: market.hearing,
    }


def _render_event(
    renderer: Renderer,
    session: Session,
    event: LiveEvent,
    topic: Topic,
    audience: Any,
    rel: ProjectRelation,
) -> object:
    return renderer(session, rel, event, topic, audience)


def renders_of(
    session: Session, page: LivePage, topic: Topic, audience: Any, events: dict[str, LiveEvent]
) -> dict[str, Callable[[ProjectRelation], object]]:
    """The page's resync and each of its renderers, as functions of the relation."""
    renders: dict[str, Callable[[ProjectRelation], object]] = {
        "resync": lambda rel: page.resync(session, rel, topic, audience)
    }
    for kind_page, kind, renderer in registered_renderers():
        if kind_page == page.kind and kind in events:
            renders[kind] = partial(_render_event, renderer, session, events[kind], topic, audience)
    return renders


def stray_reads(
    session: Session, market: Market, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, str, str, set[str]]]:
    """Every (role, page, what rendered, fields read outside the key) on the scene."""
    events = events_of(market, session)
    ids = topic_ids(market)
    found = []
    for role, user in market.users.items():
        for page in registered_pages():
            topic = Topic(page.kind, ids[page.kind])
            try:
                rel = page.relation(session, user, topic.id)
                audience = page.audience(rel, "nb")
            except PivotalError:
                continue  # this role cannot open the page at all
            key = key_reads(page, rel, "nb", monkeypatch)
            if names_the_reader(key):
                continue
            renders = renders_of(session, page, topic, audience, events)
            for what, render in renders.items():
                try:
                    reads = render_reads(render, rel, monkeypatch)
                except PivotalError:
                    continue  # refused to this audience: it gets nothing
                stray = {f for f in reads - key if (page.kind, f) not in READ_BUT_NOT_DECIDING}
                if stray:
                    found.append((role, str(page.kind), what, stray))
    return found


def test_every_relation_field_a_renderer_reads_is_in_its_audience_key(
    api: Api, world: World, factory: Factory, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    market = Market(api, world, factory)
    body = {"object_type": "comment", "object_id": market.comment, "reason": "Upassende"}
    assert api.post("/reports", market.users["employee"], json=body).status_code == 201
    assert stray_reads(session, market, monkeypatch) == []


def test_a_renderer_reading_the_viewers_own_user_is_caught(
    api: Api, world: World, factory: Factory, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check itself: a renderer that greets the viewer by name would leak across the
    audience, and is reported."""
    market = Market(api, world, factory)
    rel = permissions.viewable_project(session, world.citizen, market.project)
    page = next(p for p in registered_pages() if p.kind == PageKind.project)
    key = key_reads(page, rel, "nb", monkeypatch)

    def greeting(r: ProjectRelation) -> str:
        return f"Hei {r.user.display_name if r.user else ''}"

    assert render_reads(greeting, rel, monkeypatch) - key == {"user.display_name"}
