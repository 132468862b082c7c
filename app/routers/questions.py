"""Questions and answers of the market dialogue: the Q&A page, its forms, the API.

The page's lists are the fragments the live hub pushes (`app/views/questions.py`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from app.db import SessionDep
from app.i18n import N_
from app.models import Question
from app.models.base import Id
from app.models.question import BODY_MAX, BODY_MIN, AnswerDraft, QuestionCreate, QuestionPublic
from app.services import permissions, project_tabs, projects, questions
from app.services.errors import Invalid
from app.services.permissions import ProjectRelation, qa_audience
from app.services.project_tabs import Section
from app.views.questions import (
    mine_html,
    open_more_html,
    published_html,
    published_more_html,
    queue_html,
)
from app.web import (
    NOTHING_OWN,
    CurrentUser,
    api_router,
    csrf_token,
    page_router,
    project_view_page,
    redirect,
)

pages = page_router()
api = api_router("questions and answers")
CONFIRM_WITHDRAW = N_("Tick the box to confirm that the question should be withdrawn.")
CONFIRM_PUBLISH = N_(
    "Tick the box to confirm that the answer should be published to all suppliers; "
    "it cannot be taken back."
)


# ---- pages -------------------------------------------------------------------------------------


@pages.get("/projects/{project_id}/questions")
async def questions_page(
    request: Request, project_id: Id, cursor: str = "", open_cursor: str = ""
) -> Response:
    """The project's questions and answers: published ones for all (paged; `cursor` from "Show
    more" without JavaScript), the questions waiting for an answer to those who see them (paged
    alike by `open_cursor`), forms for who may use them."""
    at = (cursor or None, open_cursor or None)
    return await project_view_page(
        request,
        project_id,
        "questions/page.html",
        lambda session, rel: _questions_context(request, session, rel, at),
        NOTHING_OWN,
    )


@pages.get("/projects/{project_id}/questions/more")
def questions_more(
    session: SessionDep, user: CurrentUser, project_id: Id, cursor: str = ""
) -> Response:
    """The next page of published answers and its "Show more" link (htmx puts it in place of
    the link clicked; without htmx the link goes to the Q&A page)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    lang = qa_audience(rel).lang
    return HTMLResponse(published_more_html(session, rel, lang, cursor or None))


@pages.get("/projects/{project_id}/questions/open")
def open_questions_more(
    request: Request, session: SessionDep, user: CurrentUser, project_id: Id, cursor: str = ""
) -> Response:
    """The next page of the questions waiting for an answer that the viewer sees (the
    procurers' queue, or their company's own) and its "Show more" link; nothing for others."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    token = csrf_token(request) if rel.user is not None else ""
    more = open_more_html(session, rel, qa_audience(rel), cursor or None, token)
    return HTMLResponse(more)


def _questions_context(
    request: Request,
    session: Session,
    rel: ProjectRelation,
    at: tuple[str | None, str | None],
) -> dict[str, object]:
    """The Q&A page for this viewer: the published answers from the cursor `at[0]`, the
    questions waiting for an answer from `at[1]`."""
    cursor, open_cursor = at
    audience = qa_audience(rel)
    waiting = questions.open_questions(session, rel=rel, cursor=open_cursor)
    # The forms of the queue and of one's own questions carry the token for browsers without
    # JavaScript (not for visitors: their page is cached for everyone).
    token = csrf_token(request) if rel.user is not None else ""
    return {
        "project": rel.project,
        "rel": rel,
        "tabs": project_tabs.tabs_for(session, rel=rel, current=Section.questions),
        "published_html": Markup(
            published_html(session, rel, audience.lang, oob=False, cursor=cursor)
        ),
        "mine_html": Markup(mine_html(waiting, audience, oob=False, csrf_token=token)),
        "queue_html": Markup(queue_html(waiting, audience, oob=False, csrf_token=token)),
        "can_ask": permissions.allows(permissions.ensure_can_ask_question, rel),
        "sent": request.query_params.get("sent") == "1" and rel.user is not None,
        "body_min": BODY_MIN,
        "body_max": BODY_MAX,
    }


@pages.post("/projects/{project_id}/questions")
def ask_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    body: Annotated[str, Form()] = "",
) -> Response:
    """A registered supplier asks a question from the Q&A page."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    questions.ask(session, rel=rel, data=QuestionCreate(body=body))
    return redirect(request, f"/projects/{project_id}/questions?sent=1#my-questions")


@pages.post("/questions/{question_id}/answer")
@pages.post("/questions/{question_id}/publish")
def answer_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    question_id: Id,
    public_question: Annotated[str, Form()] = "",
    answer: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """A procurer saves the answer and the anonymised question (…/answer), or publishes both to
    everyone (…/publish, once confirmed): the queue's one form, with a button for each."""
    rel, question = questions.find_question(session, user=user, question_id=question_id)
    data = AnswerDraft(public_question=public_question, answer=answer)
    if request.url.path.endswith("/publish"):
        permissions.ensure_procurer(rel)  # says who may publish before asking to confirm
        if confirm != "yes":
            raise Invalid(CONFIRM_PUBLISH)
        questions.publish(session, rel=rel, question=question, data=data)
        return _back_to(request, question, f"qa-{question_id}")
    questions.save_answer(session, rel=rel, question=question, data=data)
    return _back_to(request, question, f"question-{question_id}")


@pages.post("/questions/{question_id}/withdraw")
def withdraw_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    question_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """The asking company withdraws a question that is not published, once confirmed."""
    rel, question = questions.find_question(session, user=user, question_id=question_id)
    if confirm != "yes":
        questions.ensure_can_withdraw(rel, question)  # says who may before asking to confirm
        raise Invalid(CONFIRM_WITHDRAW)
    questions.withdraw(session, rel=rel, question=question)
    return _back_to(request, question, "my-questions")


def _back_to(request: Request, question: Question, anchor: str) -> Response:
    """Back to the question's Q&A page, at the part that changed."""
    return redirect(request, f"/projects/{question.project_id}/questions#{anchor}")


# ---- API ---------------------------------------------------------------------------------------


@api.get("/projects/{project_id}/questions", response_model_exclude_none=True)
def list_questions(session: SessionDep, user: CurrentUser, project_id: Id) -> list[QuestionPublic]:
    """The questions the caller may see: published ones, and more for askers and procurers."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return [view.to_public() for view in questions.list_questions(session, rel=rel)]


@api.post("/projects/{project_id}/questions", status_code=201, response_model_exclude_none=True)
def ask(
    session: SessionDep, user: CurrentUser, project_id: Id, data: QuestionCreate
) -> QuestionPublic:
    """Ask the procurers a question (a supplier registered for the market dialogue)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    question = questions.ask(session, rel=rel, data=data)
    return questions.question_view(session, rel=rel, question=question).to_public()


@api.get("/questions/{question_id}", response_model_exclude_none=True)
def read_question(session: SessionDep, user: CurrentUser, question_id: Id) -> QuestionPublic:
    """One question, as the caller may see it (404 when it is not theirs to see)."""
    rel, question = questions.find_question(session, user=user, question_id=question_id)
    return questions.question_view(session, rel=rel, question=question).to_public()


@api.put("/questions/{question_id}/answer", response_model_exclude_none=True)
def save_answer(
    session: SessionDep, user: CurrentUser, question_id: Id, data: AnswerDraft
) -> QuestionPublic:
    """Save the answer and the anonymised question (procurers); publishing is a separate step."""
    rel, question = questions.find_question(session, user=user, question_id=question_id)
    questions.save_answer(session, rel=rel, question=question, data=data)
    return questions.question_view(session, rel=rel, question=question).to_public()


@api.post("/questions/{question_id}/publish", response_model_exclude_none=True)
def publish(
    session: SessionDep,
    user: CurrentUser,
    question_id: Id,
    data: Annotated[AnswerDraft | None, Body()] = None,
) -> QuestionPublic:
    """Publish the saved (or the given) anonymised question and answer to everyone; final."""
    rel, question = questions.find_question(session, user=user, question_id=question_id)
    questions.publish(session, rel=rel, question=question, data=data)
    return questions.question_view(session, rel=rel, question=question).to_public()


@api.post("/questions/{question_id}/withdraw", response_model_exclude_none=True)
def withdraw(session: SessionDep, user: CurrentUser, question_id: Id) -> QuestionPublic:
    """Withdraw a question the caller's company asked, before it is published."""
    rel, question = questions.find_question(session, user=user, question_id=question_id)
    questions.withdraw(session, rel=rel, question=question)
    return questions.question_view(session, rel=rel, question=question).to_public()
