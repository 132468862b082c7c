"""Needs as they show live: the project page's cards and list, a need page's state and thread.

The page routers and the live hub render them alike, so a push and a page load cannot disagree.
"""

from __future__ import annotations

from markupsafe import Markup
from sqlmodel import Session

from app.i18n import gettext
from app.models import Need, User
from app.models.base import id_of
from app.models.vocabulary import LiveKind
from app.services import editing, moderation, need_list, needs, participation, threads
from app.services.errors import PivotalError
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.need_list import NeedFilter
from app.services.permissions import Audience, ProjectRelation, audience_for
from app.services.render_cache import cards, fragments
from app.views.templating import render_block, render_fragment


def need_card_html(view: needs.NeedView, audience: Audience, *, oob: bool) -> Markup:
    """One need's card in the list; cached by everything it shows, so only changed cards render."""
    need = view.need
    shown = (
        need.title,
        need.status,
        need.hidden,
        need.held,
        need.created_at,
        view.author_name,
        view.support_count,
        view.comment_count,
    )

    def build() -> str:
        return render_fragment(
            "projects/_need_card.html", audience.lang, view=view, audience=audience, oob=oob
        )

    return Markup(cards.get_or_build(("card", audience, oob, need.id), shown, build))


def needs_list_html(
    session: Session, rel: ProjectRelation, audience: Audience, *, oob: bool
) -> str:
    """The live needs list of a project (first page, newest first), as the page shows it and a
    resync sends it (cached)."""

    def build() -> str:
        return needs_results_html(session, rel, audience, NeedFilter(), None, oob=oob)

    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(("needs", audience, oob), version, build)


def needs_results_html(
    session: Session,
    rel: ProjectRelation,
    audience: Audience,
    wanted: NeedFilter,
    cursor: str | None,
    *,
    oob: bool = False,
) -> str:
    """A page of the needs list as asked, with a "load more" link when there is more.

    Only the plain first page (every need, newest first) is the live list new needs are put
    first in; a filtered, sorted or later page gets a notice instead (see `card_added`).
    """
    page = need_list.list_page(session, rel=rel, wanted=wanted, cursor=cursor)
    return render_fragment(
        "projects/_needs_list.html",
        audience.lang,
        cards=[need_card_html(view, audience, oob=False) for view in page.views],
        live=wanted.is_default and not cursor,
        wanted=wanted,
        next_cursor=page.next_cursor,
        project_id=audience.project_id,
        oob=oob,
    )


def needs_more_html(
    session: Session,
    rel: ProjectRelation,
    audience: Audience,
    wanted: NeedFilter,
    cursor: str | None,
) -> str:
    """The next page's cards and its own "load more" link, put in place of the link clicked."""
    page = need_list.list_page(session, rel=rel, wanted=wanted, cursor=cursor)
    return render_fragment(
        "projects/_needs_more.html",
        audience.lang,
        cards=[need_card_html(view, audience, oob=False) for view in page.views],
        wanted=wanted,
        next_cursor=page.next_cursor,
        project_id=audience.project_id,
    )


def comments_html(
    session: Session,
    rel: ProjectRelation,
    audience: Audience,
    need: Need,
    *,
    oob: bool,
    cursor: str | None = None,
) -> str:
    """The live comment thread of a need: its first page (cached until the project changes),
    or with `cursor` the page a "load more" link leads to without JavaScript."""

    def build() -> str:
        page = threads.comment_page(session, rel=rel, need_id=id_of(need), cursor=cursor)
        return render_fragment(
            "needs/_comments.html",
            audience.lang,
            comments=page.comments,
            page=page,
            need=need,
            audience=audience,
            oob=oob,
        )

    if cursor:
        return build()
    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(("comments", need.id, audience, oob), version, build)


def comments_more_html(
    session: Session, rel: ProjectRelation, audience: Audience, need: Need, cursor: str
) -> str:
    """The next page of a thread and its own "load more" link, put in place of the link."""
    page = threads.comment_page(session, rel=rel, need_id=id_of(need), cursor=cursor)
    return render_fragment(
        "needs/_comments_more.html",
        audience.lang,
        comments=page.comments,
        page=page,
        need=need,
        audience=audience,
        oob=False,
    )


def lock_text(lock: PivotalError | None) -> str | None:
    """Why something can no longer be edited, in the viewer's language (None: it can)."""
    return None if lock is None else gettext(lock.message, **lock.params)


def editing_context(
    session: Session, rel: ProjectRelation, need: Need, own_cursor: str | None = None
) -> dict[str, object]:
    """What the need page offers its viewer to edit: their need, a page of their comments (from
    `own_cursor` when a "Show more" link without JavaScript led here), and for the project's
    procurers the earlier versions (asked per viewer, never pushed live)."""
    mine = rel.user is not None and rel.user.id == need.author_id
    return {
        "need_lock": lock_text(editing.need_lock(session, rel=rel, need=need)) if mine else None,
        "is_author": mine,
        **own_comments_context(session, rel, need, own_cursor),
        "revisions": editing.revisions(session, rel=rel, need=need) if rel.is_procurer else [],
    }


def own_comments_context(
    session: Session, rel: ProjectRelation, need: Need, cursor: str | None
) -> dict[str, object]:
    """A page of the viewer's own comments on the need, each with why it is locked (if so)."""
    page = editing.own_comments(session, rel=rel, need=need, cursor=cursor)
    return {
        "own_comments": [(own.comment, lock_text(own.lock)) for own in page.comments],
        "own_next_cursor": page.next_cursor,
        "need": need,
    }


# ---- the project page: one card per need ---------------------------------------------------------


@renders(PageKind.project, LiveKind.need_created)
def card_added(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """A new need's card, put first in the plain list (a held one: for moderators only); a
    filtered or sorted list shows a notice."""
    view = needs.need_view(session, rel=rel, need_id=_need_id(event))
    if view.need.held and not rel.is_moderator:
        return ""
    card = need_card_html(view, audience, oob=False)
    return render_block("projects/detail.html", "live_card_prepended", audience.lang, card=card)


@renders(
    PageKind.project,
    LiveKind.need_supported,
    LiveKind.need_status_changed,
    LiveKind.comment_created,
    LiveKind.comment_hidden,
    LiveKind.need_edited,
    LiveKind.comment_withdrawn,
    LiveKind.comment_shown,
)
def card_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """A need's card again, replacing the one in the list by id."""
    view = needs.need_view(session, rel=rel, need_id=_need_id(event))
    if not view.readable:
        return ""  # a hidden or held need is not in this audience's list
    return need_card_html(view, audience, oob=True)


@renders(PageKind.project, LiveKind.need_hidden, LiveKind.need_shown)
def needs_list_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """The whole list again: a need left it or came back to it (moderators see it marked)."""
    return needs_list_html(session, rel, audience, oob=True)


# ---- a need's page -------------------------------------------------------------------------------


def _need_id(event: LiveEvent) -> int:
    assert event.need_id is not None  # every need and comment event names its need
    return event.need_id


def _need_relation(session: Session, user: User | None, need_id: int) -> ProjectRelation:
    """The viewer's relation to the need's project (404 for a need they may not see)."""
    return needs.find_need(session, user=user, need_id=need_id)[0]


def need_state(session: Session, rel: ProjectRelation, topic: Topic, audience: Audience) -> str:
    """A need's status, supports and thread: its page's state on every (re)connect."""
    view = needs.need_view(session, rel=rel, need_id=topic.id)
    head = render_fragment(
        "needs/_live_state.html", audience.lang, view=view, need=view.need, oob=True
    )
    return head + comments_html(session, rel, audience, view.need, oob=True)


@renders(PageKind.need, LiveKind.need_supported)
def support_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """The need's support count."""
    view = needs.need_view(session, rel=rel, need_id=_need_id(event))
    return render_fragment("needs/_support_count.html", audience.lang, view=view, oob=True)


@renders(PageKind.need, LiveKind.need_status_changed)
def status_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """The need's status."""
    view = needs.need_view(session, rel=rel, need_id=_need_id(event))
    return render_fragment("needs/_status.html", audience.lang, view=view, need=view.need, oob=True)


@renders(PageKind.need, LiveKind.need_edited, LiveKind.need_hidden, LiveKind.need_shown)
def need_text_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """The need's text again: edited (marked so), or in its place why a moderator hid it."""
    view = needs.need_view(session, rel=rel, need_id=_need_id(event))
    return render_fragment("needs/_text.html", audience.lang, view=view, need=view.need, oob=True)


@renders(
    PageKind.need, LiveKind.comment_hidden, LiveKind.comment_edited, LiveKind.comment_withdrawn
)
def comment_hidden(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str | None:
    """The hidden, edited or withdrawn comment, replaced by id with what this audience sees of it
    now (its replies with it)."""
    need_id = _need_id(event)
    view = needs.need_view(session, rel=rel, need_id=need_id)
    hidden = threads.comment_with_replies(
        session, rel=rel, need_id=need_id, comment_id=event.object_id
    )
    if hidden is None:
        return None
    return render_fragment(
        "needs/_comment.html", audience.lang, c=hidden, need=view.need, audience=audience, oob=True
    )


@renders(PageKind.need, LiveKind.comment_shown)
def comment_shown(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str | None:
    """A comment shown again in its place, or, approved after it was held, added to the thread
    of those who did not see it before."""
    if rel.is_moderator or not moderation.was_held(session, object_id=event.object_id):
        return comment_hidden(session, rel, event, topic, audience)
    return comment_added(session, rel, event, topic, audience)


@renders(PageKind.need, LiveKind.comment_created)
def comment_added(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str | None:
    """A new comment, appended to the thread or to the replies of its parent (a held one: for
    moderators only)."""
    view = needs.need_view(session, rel=rel, need_id=_need_id(event))
    comment = needs.comment_view(session, rel=rel, comment_id=event.object_id)
    if comment.held and not rel.is_moderator:
        return ""
    parent = comment.comment.parent_id
    return render_block(
        "needs/detail.html",
        "live_comment_appended",
        audience.lang,
        target=f"#comment-{parent}-replies" if parent else "#comments",
        c=comment,
        need=view.need,
        audience=audience,
        oob=False,
    )


register_page(
    LivePage(PageKind.need, audience=audience_for, resync=need_state, relation=_need_relation)
)
