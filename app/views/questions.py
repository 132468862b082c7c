"""Questions and answers as they show: the page's lists, and what each audience gets live.

Pushed on the questions page's topic once per `QaAudience`: a supplier's company is part of its
audience, since it sees its own pending questions, so no two companies ever share a render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models import Question
from app.models.vocabulary import LiveKind
from app.services import questions
from app.services.errors import PivotalError
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import ProjectRelation, QaAudience, qa_audience
from app.views.templating import render_block, render_fragment

PAGE = "questions/page.html"
# What a question event shows one audience, given the question as that audience sees it.
Draw = Callable[[questions.QuestionView, QaAudience], str | None]


def published_html(
    session: Session, rel: ProjectRelation, lang: str, *, oob: bool, cursor: str | None = None
) -> str:
    """The published Q&A list: anonymised questions and answers, nothing about who asked; the
    newest page, or with `cursor` the page a "Show more" link leads to without JavaScript."""
    page = questions.published_page(session, rel=rel, cursor=cursor)
    return render_fragment(
        "questions/_published.html",
        lang,
        entries=page.entries,
        next_cursor=page.next_cursor,
        project_id=rel.project.id,
        oob=oob,
    )


def published_more_html(
    session: Session, rel: ProjectRelation, lang: str, cursor: str | None
) -> str:
    """The next page of published answers and its own "Show more" link, put in place of the
    link clicked. Answers published since the list was drawn are above it already (pushed
    live), and the cursor only goes further back, so none shows twice."""
    page = questions.published_page(session, rel=rel, cursor=cursor)
    return render_fragment(
        "questions/_published_more.html",
        lang,
        entries=page.entries,
        next_cursor=page.next_cursor,
        project_id=rel.project.id,
    )


def mine_html(
    page: questions.OpenPage, audience: QaAudience, *, oob: bool, csrf_token: str = ""
) -> str:
    """The asking company's own questions that are not published yet, a page of them (on the
    page with the reader's CSRF token, so that withdrawing works without JavaScript)."""
    if audience.organisation_id is None:
        return ""
    return _open_html("questions/_mine.html", page, audience, oob=oob, csrf_token=csrf_token)


def queue_html(
    page: questions.OpenPage, audience: QaAudience, *, oob: bool, csrf_token: str = ""
) -> str:
    """The procurers' queue of questions waiting for a published answer, a page of it (on the
    page with the reader's CSRF token, so its forms work without JavaScript; pushed without,
    htmx sends it)."""
    if not audience.is_procurer:
        return ""
    return _open_html("questions/_queue.html", page, audience, oob=oob, csrf_token=csrf_token)


def open_more_html(
    session: Session,
    rel: ProjectRelation,
    audience: QaAudience,
    cursor: str | None,
    csrf_token: str,
) -> str:
    """The next page of the procurers' queue, or of a supplier company's own questions, with its
    own "Show more" link, put in place of the link clicked (nothing for anyone else)."""
    if not audience.is_procurer and audience.organisation_id is None:
        return ""
    page = questions.open_questions(session, rel=rel, cursor=cursor)
    name = "questions/_queue_more.html" if audience.is_procurer else "questions/_mine_more.html"
    return _open_html(name, page, audience, oob=False, csrf_token=csrf_token)


def _open_html(
    name: str, page: questions.OpenPage, audience: QaAudience, *, oob: bool, csrf_token: str
) -> str:
    """A page of questions waiting for an answer, drawn by `name` for this audience."""
    return render_fragment(
        name,
        audience.lang,
        views=page.views,
        page=page,
        project_id=audience.project_id,
        oob=oob,
        csrf_token=csrf_token,
    )


def resync_html(session: Session, rel: ProjectRelation, topic: Topic, audience: QaAudience) -> str:
    """Everything live on the Q&A page for one audience; sent on every (re)connect."""
    page = questions.open_questions(session, rel=rel)
    return (
        published_html(session, rel, audience.lang, oob=True)
        + mine_html(page, audience, oob=True)
        + queue_html(page, audience, oob=True)
    )


def _view(
    session: Session, rel: ProjectRelation, event: LiveEvent
) -> questions.QuestionView | None:
    """The event's question as this audience sees it; None if it may not see it at all."""
    question = session.get(Question, event.object_id)
    if question is None:
        return None
    try:
        return questions.question_view(session, rel=rel, question=question)
    except PivotalError:
        return None


def _removed(view: questions.QuestionView, audience: QaAudience) -> str:
    """Take the question out of the procurers' queue and the asking company's own list."""
    own = audience.organisation_id is not None and view.sees_asker
    return render_block(
        PAGE,
        "live_question_removed",
        audience.lang,
        question_id=view.id,
        from_queue=audience.is_procurer,
        from_mine=own,
    )


def _on(kind: LiveKind) -> Callable[[Draw], Draw]:
    """Register `draw` for events of this kind, given the question as the audience sees it."""

    def register(draw: Draw) -> Draw:
        @renders(PageKind.questions, kind)
        def render(
            session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Any
        ) -> str | None:
            view = _view(session, rel, event)
            return None if view is None else draw(view, audience)

        return draw

    return register


@_on(LiveKind.question_published)
def published(view: questions.QuestionView, audience: QaAudience) -> str:
    """The published entry for everyone, first in the list; out of the queue and the own list."""
    entry = render_block(PAGE, "live_entry_published", audience.lang, q=view.published_entry())
    return entry + _removed(view, audience)


@_on(LiveKind.question_asked)
def asked(view: questions.QuestionView, audience: QaAudience) -> str | None:
    """A new question at the end of the procurers' queue (nothing for anyone else)."""
    if not audience.is_procurer:
        return None
    return render_block(PAGE, "live_queue_item_added", audience.lang, v=view)


@_on(LiveKind.question_answered)
def answered(view: questions.QuestionView, audience: QaAudience) -> str | None:
    """A question's draft-answer status in the procurers' queue."""
    if not audience.is_procurer:
        return None
    return render_fragment("questions/_queue_status.html", audience.lang, v=view, oob=True)


@_on(LiveKind.question_withdrawn)
def withdrawn(view: questions.QuestionView, audience: QaAudience) -> str | None:
    """A withdrawn question leaves the queue and the asking company's list."""
    return _removed(view, audience) or None


register_page(LivePage(PageKind.questions, audience=qa_audience, resync=resync_html))
