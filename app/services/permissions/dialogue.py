"""The market dialogue: questions, dialogue events and documents."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false
from sqlmodel import col

from app.i18n import N_
from app.models import (
    Document,
    Question,
    User,
)
from app.models.base import Role
from app.models.document import DocumentAudience
from app.models.question import QuestionStatus
from app.services.errors import Forbidden
from app.services.permissions.relation import (
    DialogueAction,
    ProjectRelation,
    ensure_phase_allows,
    require_user,
)


def ensure_registered_supplier(
    rel: ProjectRelation, action: DialogueAction, *, not_supplier: str, not_registered: str
) -> User:
    """A supplier whose company is registered for the market dialogue, while `action` is open."""
    user = require_user(rel.user)
    if user.role != Role.supplier or user.organisation_id is None:
        raise Forbidden(not_supplier)
    ensure_phase_allows(rel, action)
    if not rel.is_registered_supplier:
        raise Forbidden(not_registered)
    return user


def ensure_can_ask_question(rel: ProjectRelation) -> User:
    """A supplier whose company is registered for the market dialogue, while it is open."""
    return ensure_registered_supplier(
        rel,
        DialogueAction.ask_question,
        not_supplier=N_("Only suppliers taking part in the market dialogue can ask questions."),
        not_registered=N_(
            "Register your company for the market dialogue on the project page before you ask."
        ),
    )


def visible_documents_clause(rel: ProjectRelation) -> ColumnElement[bool]:
    """A WHERE clause selecting the project's documents this viewer may see: the same rule as
    `can_see_document`, for lists and counts."""
    if not rel.can_view:
        return false()
    in_project = col(Document.project_id) == rel.project.id
    if rel.is_procurer:
        return in_project
    audiences = [DocumentAudience.public]
    if rel.is_participant:
        audiences.append(DocumentAudience.participants)
    return and_(
        in_project,
        col(Document.published_at).is_not(None),
        col(Document.withdrawn_at).is_(None),
        col(Document.audience).in_(audiences),
    )


def is_asking_company(rel: ProjectRelation, question: Question) -> bool:
    """Whether the user is a supplier of the company that asked the question."""
    user = rel.user
    return (
        user is not None
        and user.role == Role.supplier
        and user.organisation_id is not None
        and user.organisation_id == question.organisation_id
    )


def can_see_question(rel: ProjectRelation, question: Question) -> bool:
    """Published questions are for all who see the project; the rest for asker and procurers."""
    return (
        question.status == QuestionStatus.published
        or rel.is_procurer
        or is_asking_company(rel, question)
    )


def can_see_asker(rel: ProjectRelation, question: Question) -> bool:
    """Who asked, and in which words: only the project's procurers and the asking company."""
    return rel.is_procurer or is_asking_company(rel, question)


def ensure_can_plan_events(rel: ProjectRelation) -> User:
    """Only the project's procurers plan dialogue events, cut slots and write minutes."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can plan dialogue events and their minutes.")
    return user


def ensure_can_register_for_event(rel: ProjectRelation) -> User:
    """Registered suppliers, the project's procurers and its own staff join a conference."""
    user = require_user(rel.user)
    staff = user.role == Role.employee and rel.member_org
    if not (rel.is_procurer or staff or rel.is_registered_supplier):
        raise Forbidden(
            "Only suppliers registered for the market dialogue and the project's own staff can "
            "register for its dialogue events."
        )
    ensure_phase_allows(rel, DialogueAction.register_for_event)
    return user


def ensure_can_book_meeting(rel: ProjectRelation) -> User:
    """Only suppliers registered for the market dialogue book one-to-one meetings."""
    user = require_user(rel.user)
    if not rel.is_registered_supplier:
        raise Forbidden(
            "Only suppliers registered for the market dialogue can book a one-to-one meeting."
        )
    ensure_phase_allows(rel, DialogueAction.book_meeting)
    return user


def can_see_event_participants(rel: ProjectRelation) -> bool:
    """Who registered and who booked which slot: the project's procurers only."""
    return rel.is_procurer


def can_read_minutes(rel: ProjectRelation, *, participant: bool) -> bool:
    """Published minutes: the event's participants, procurers and registered suppliers."""
    return participant or rel.is_procurer or rel.is_registered_supplier


def ensure_can_manage_documents(rel: ProjectRelation) -> User:
    """Only the project's procurers (and admins) upload, publish, change or withdraw documents."""
    user = require_user(rel.user)
    if not rel.is_procurer:
        raise Forbidden("Only the project's procurers can upload and publish documents.")
    return user


def can_see_document(rel: ProjectRelation, document: Document) -> bool:
    """Drafts and withdrawn documents are the procurers'; a published one goes to its audience."""
    if document.project_id != rel.project.id or not rel.can_view:
        return False
    if document.published_at is None or document.withdrawn_at is not None:
        return rel.is_procurer
    if document.audience == DocumentAudience.public:
        return True
    if document.audience == DocumentAudience.participants:
        return rel.is_participant
    return rel.is_procurer
