"""Questions and answers in the market dialogue.

A supplier's question stays between its company and the project's procurers until the procurer
publishes an anonymised version of it with the answer, to every supplier at the same moment
(equal treatment). Nothing here ever hands another supplier the asker or the original wording:
`QuestionView.to_public` leaves out what the viewer may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Organisation, Question, User
from app.models.base import Role, id_of, utcnow
from app.models.question import (
    ANSWER_MAX,
    BODY_MAX,
    BODY_MIN,
    OPEN_STATUSES,
    AnswerDraft,
    QuestionCreate,
    QuestionPublic,
    QuestionStatus,
)
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, cursors, permissions, posting_limits
from app.services.contribution import Change
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.permissions import ProjectRelation

NO_SUCH_QUESTION = N_("No such question.")
ALREADY_PUBLISHED = N_(
    "The answer has been published to all suppliers and can no longer be changed."
)
WITHDRAWN = N_("The question has been withdrawn.")


@dataclass
class QuestionView:
    """A question with what this viewer may see of it."""

    question: Question
    sees_asker: bool  # the original text and who asked (procurers, the asking company)
    sees_draft: bool  # an unpublished answer (procurers)
    asked_by: str | None = None
    organisation_name: str | None = None

    @property
    def id(self) -> int:
        return id_of(self.question)

    @property
    def is_published(self) -> bool:
        return self.question.status == QuestionStatus.published

    @property
    def is_open(self) -> bool:
        return self.question.status in OPEN_STATUSES

    def published_entry(self) -> QuestionPublic:
        """The question as published to everyone: anonymised text, answer, dates; no asker."""
        q = self.question
        return QuestionPublic(
            id=id_of(q),
            project_id=q.project_id,
            status=q.status,
            asked_at=q.asked_at,
            public_question=q.public_question,
            answer=q.answer,
            published_at=q.published_at,
        )

    def to_public(self) -> QuestionPublic:
        """The API view: what the viewer may not see is not there at all."""
        q = self.question
        shows_answer = self.is_published or self.sees_draft
        return QuestionPublic(
            id=id_of(q),
            project_id=q.project_id,
            status=q.status,
            asked_at=q.asked_at,
            public_question=q.public_question if shows_answer else None,
            answer=q.answer if shows_answer else None,
            published_at=q.published_at,
            body=q.body if self.sees_asker else None,
            asked_by_id=q.asked_by_id if self.sees_asker else None,
            asked_by=self.asked_by if self.sees_asker else None,
            organisation_id=q.organisation_id if self.sees_asker else None,
            organisation_name=self.organisation_name if self.sees_asker else None,
        )


def _views(session: Session, rel: ProjectRelation, questions: list[Question]) -> list[QuestionView]:
    """Views of questions the viewer may see, with names looked up only for those who see them."""
    views = [
        QuestionView(
            question=q,
            sees_asker=permissions.can_see_asker(rel, q),
            sees_draft=rel.is_procurer,
        )
        for q in questions
    ]
    user_ids = {v.question.asked_by_id for v in views if v.sees_asker}
    org_ids = {v.question.organisation_id for v in views if v.sees_asker}
    names: dict[int | None, str] = {}
    orgs: dict[int | None, str] = {}
    if user_ids:
        query = select(User.id, User.display_name).where(col(User.id).in_(user_ids))
        names = dict(session.exec(query).all())
    if org_ids:
        org_query = select(Organisation.id, Organisation.name).where(
            col(Organisation.id).in_(org_ids)
        )
        orgs = dict(session.exec(org_query).all())
    for view in views:
        if view.sees_asker:
            view.asked_by = names.get(view.question.asked_by_id)
            view.organisation_name = orgs.get(view.question.organisation_id)
    return views


def list_questions(session: Session, *, rel: ProjectRelation) -> list[QuestionView]:
    """The project's questions this viewer may see: published first (newest first), then the rest.

    Procurers get every question; a supplier also its own company's unpublished ones; everyone
    else who may view the project only the published ones.
    """
    query = select(Question).where(Question.project_id == rel.project.id)
    if not rel.is_procurer:
        published = col(Question.status) == QuestionStatus.published
        if own := _own_company(rel):
            query = query.where(or_(published, col(Question.organisation_id) == own))
        else:
            query = query.where(published)
    questions = list(session.exec(query).all())
    questions.sort(key=_order)
    return _views(session, rel, questions)


def _order(question: Question) -> tuple[int, float, int]:
    """Published ones first, newest first; then the others in the order they were asked."""
    if question.published_at is not None:
        return (0, -_seconds(question.published_at), -id_of(question))
    return (1, _seconds(question.asked_at), id_of(question))


def _seconds(moment: datetime) -> float:
    # SQLite gives back naive datetimes (UTC here); only their order matters.
    return moment.replace(tzinfo=None).timestamp()


def _own_company(rel: ProjectRelation) -> int | None:
    """The viewer's company if they are a supplier (whose unpublished questions they see)."""
    user = rel.user
    if user is not None and user.organisation_id is not None and user.role == Role.supplier:
        return user.organisation_id
    return None


# Questions waiting for an answer on one page of the Q&A page (the procurers' queue, or a
# supplier company's own), oldest first.
OPEN_PAGE = 20


@dataclass
class OpenPage:
    """A page of the questions waiting for an answer that a viewer sees, oldest first."""

    views: list[QuestionView]
    # Where the next page starts for a fresh page load: every later question.
    next_cursor: str | None
    # Where it starts for the procurers' "Show more": only questions up to the newest there was
    # when the queue was drawn, since later ones have been pushed to its end live.
    more_cursor: str | None


def open_questions(
    session: Session, *, rel: ProjectRelation, cursor: str | None = None, limit: int = OPEN_PAGE
) -> OpenPage:
    """A page of the questions waiting for a published answer that this viewer sees, in the
    order they were asked, after `cursor` (422 for one this server did not make): every one for
    procurers, its own company's for a supplier, none for others; four queries at most."""
    after = _decode_open_cursor(cursor) if cursor else None
    any_question = aliased(Question)
    newest = select(func.max(any_question.id)).where(any_question.project_id == rel.project.id)
    query = select(Question, newest.scalar_subquery()).where(
        Question.project_id == rel.project.id, col(Question.status).in_(OPEN_STATUSES)
    )
    if not rel.is_procurer:
        own = _own_company(rel)
        if own is None:
            return OpenPage([], None, None)
        query = query.where(Question.organisation_id == own)
    until = 0
    if after is not None:
        asked, last_id, until = after
        same_moment = and_(col(Question.asked_at) == asked, col(Question.id) > last_id)
        query = query.where(or_(col(Question.asked_at) > asked, same_moment))
        if until:
            query = query.where(col(Question.id) <= until)
    oldest_first = (col(Question.asked_at), col(Question.id))
    found = session.exec(query.order_by(*oldest_first).limit(limit + 1)).all()
    views = _views(session, rel, [question for question, _newest in found[:limit]])
    if len(found) <= limit:
        return OpenPage(views, None, None)
    last, newest_id = found[limit - 1]
    return OpenPage(
        views,
        next_cursor=cursors.encode(last.asked_at, id_of(last), 0),
        more_cursor=cursors.encode(last.asked_at, id_of(last), until or newest_id or 0),
    )


def _decode_open_cursor(cursor: str) -> tuple[datetime, int, int]:
    """The asked moment and id of the last question shown, and the newest id (0: none)."""
    asked, last_id, until = cursors.decode(cursor, 3)
    return cursors.moment(asked), cursors.row_id(last_id), cursors.row_id(until, zero=True)


# Published answers on one page of the Q&A page (newest first).
ANSWER_PAGE = 50


@dataclass
class AnswerPage:
    """A page of a project's published answers, newest first, and where the next one starts."""

    entries: list[QuestionPublic]
    next_cursor: str | None


def published_page(
    session: Session, *, rel: ProjectRelation, cursor: str | None = None, limit: int = ANSWER_PAGE
) -> AnswerPage:
    """A page of the project's published questions and answers as everyone who may view the
    project sees them (nothing about who asked), newest first, after `cursor` (422 for one this
    server did not make): one query, however many there are."""
    query = select(Question).where(
        Question.project_id == rel.project.id, Question.status == QuestionStatus.published
    )
    if cursor:
        query = query.where(
            cursors.past(cursor, col(Question.published_at), col(Question.id), newest_first=True)
        )
    newest_first = (col(Question.published_at).desc(), col(Question.id).desc())
    found = list(session.exec(query.order_by(*newest_first).limit(limit + 1)).all())
    entries = [
        QuestionView(question=q, sees_asker=False, sees_draft=False).published_entry()
        for q in found[:limit]
    ]
    if len(found) <= limit:
        return AnswerPage(entries, None)
    last = found[limit - 1]
    assert last.published_at is not None  # a published question has its moment
    return AnswerPage(entries, cursors.encode(last.published_at, id_of(last)))


def question_view(session: Session, *, rel: ProjectRelation, question: Question) -> QuestionView:
    """One question as this viewer may see it (404 if they may not see it at all)."""
    if question.project_id != rel.project.id or not permissions.can_see_question(rel, question):
        raise NotFound(NO_SUCH_QUESTION)
    return _views(session, rel, [question])[0]


def find_question(
    session: Session, *, user: User | None, question_id: int
) -> tuple[ProjectRelation, Question]:
    """A question and the viewer's relation to its project; the same 404 for missing and hidden."""
    question, rel = permissions.find_in_project(
        session,
        user,
        Question,
        question_id,
        missing=NO_SUCH_QUESTION,
        can_see=permissions.can_see_question,
    )
    return rel, question


def ask(session: Session, *, rel: ProjectRelation, data: QuestionCreate) -> Question:
    """A registered supplier asks the procurers a question, privately."""
    user = permissions.ensure_can_ask_question(rel)
    posting_limits.ensure_may_post(session, user=user)
    assert user.organisation_id is not None  # the policy asks for a registered company
    body = _text(data.body, "question", BODY_MAX)
    question = Question(
        project_id=id_of(rel.project),
        asked_by_id=id_of(user),
        organisation_id=user.organisation_id,
        body=body,
    )
    contribution.record(
        session,
        rel=rel,
        verb=Verb.asked,
        on=question,
        addressee=session.get(User, rel.project.created_by_id),  # the project's procurers
        push=LiveKind.question_asked,
    )
    return question


# What a text is too short or too long for; the question texts need BODY_MIN characters.
TOO_SHORT = {
    "question": N_("The question must be at least %(min)s characters."),
    "public_question": N_("The anonymised question must be at least %(min)s characters."),
    "answer": N_("Write an answer."),
}
TOO_LONG = {
    "question": N_("The question can be at most %(max)s characters."),
    "public_question": N_("The anonymised question can be at most %(max)s characters."),
    "answer": N_("The answer can be at most %(max)s characters."),
}


def _text(text: str, kind: str, maximum: int) -> str:
    """The text without surrounding blanks, if its length is within bounds (else 422)."""
    text = text.strip()
    minimum = 1 if kind == "answer" else BODY_MIN
    if len(text) < minimum:
        raise Invalid(TOO_SHORT[kind], min=minimum)
    if len(text) > maximum:
        raise Invalid(TOO_LONG[kind], max=maximum)
    return text


def _ensure_open(question: Question) -> None:
    """Publishing is final; a withdrawn question is no longer answered."""
    if question.status == QuestionStatus.published:
        raise Conflict(ALREADY_PUBLISHED)
    if question.status == QuestionStatus.withdrawn:
        raise Conflict(WITHDRAWN)


def _apply_draft(question: Question, user: User, data: AnswerDraft) -> None:
    question.public_question = _text(data.public_question, "public_question", BODY_MAX)
    question.answer = _text(data.answer, "answer", ANSWER_MAX)
    question.answered_by_id = id_of(user)
    question.answered_at = utcnow()


def save_answer(
    session: Session, *, rel: ProjectRelation, question: Question, data: AnswerDraft
) -> Question:
    """The procurer saves an answer and the anonymised question, not yet published."""
    user = permissions.ensure_procurer(rel)
    _ensure_open(question)
    before = question.status
    _apply_draft(question, user, data)
    question.status = QuestionStatus.answered
    contribution.record(
        session,
        rel=rel,
        on=question,
        change=Change(
            AuditAction.answer_saved, before={"status": before}, after={"status": question.status}
        ),
        push=LiveKind.question_answered,
    )
    return question


def publish(
    session: Session,
    *,
    rel: ProjectRelation,
    question: Question,
    data: AnswerDraft | None = None,
) -> Question:
    """Publish the anonymised question with its answer to everyone at once; final.

    With `data` the texts are saved and published in one step; without, the saved draft is.
    """
    user = permissions.ensure_procurer(rel)
    _ensure_open(question)
    before = question.status
    if data is not None:
        _apply_draft(question, user, data)
    if not (question.public_question or "").strip() or not (question.answer or "").strip():
        raise Invalid("Write both the anonymised question and the answer before publishing.")
    question.status = QuestionStatus.published
    question.published_at = utcnow()  # one moment for the question and its answer, for everyone
    contribution.record(
        session,
        rel=rel,
        verb=Verb.answered,
        on=question,
        addressee=session.get(User, question.asked_by_id),
        change=Change(
            AuditAction.answer_published,
            before={"status": before},
            after={"status": question.status, "published_at": question.published_at.isoformat()},
        ),
        push=LiveKind.question_published,
    )
    return question


def ensure_can_withdraw(rel: ProjectRelation, question: Question) -> None:
    """The asking company, while the question is neither published nor withdrawn."""
    permissions.require_user(rel.user)
    if not permissions.is_asking_company(rel, question):
        raise Forbidden("Only the company that asked can withdraw a question.")
    _ensure_open(question)


def withdraw(session: Session, *, rel: ProjectRelation, question: Question) -> Question:
    """The asking company takes back a question that has not been published."""
    ensure_can_withdraw(rel, question)
    before = question.status
    question.status = QuestionStatus.withdrawn
    contribution.record(
        session,
        rel=rel,
        verb=Verb.withdrew_question,
        on=question,
        change=Change(
            AuditAction.question_withdrawn,
            before={"status": before},
            after={"status": question.status},
        ),
        push=LiveKind.question_withdrawn,
    )
    return question


def published_questions(session: Session, *, project_id: int) -> list[Question]:
    """The project's published questions in the order they were published (for exports)."""
    query = (
        select(Question)
        .where(Question.project_id == project_id, Question.status == QuestionStatus.published)
        .order_by(col(Question.published_at), col(Question.id))
    )
    return list(session.exec(query).all())
