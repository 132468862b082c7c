"""Keeping the search index in step with what it describes, inside the writing transaction.

Every write of a project, need, question, proposal or requirement ends in a flush of the
session that made it: services through `contribution.record`, and also the writes that are no
contribution (moderation's hide and restore, a privacy erasure, the demo). One listener on the
flush rewrites the index row of every such object that was added, changed in a field the index
holds, or deleted, so the index commits or rolls back with the change itself, and content that
is hidden, held, withdrawn or no longer published leaves the index in the same commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, insert, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import SQLModel, col

from app.models import Need, Project, Proposal, Question, Requirement, SearchItem
from app.models.proposal import ProposalStatus
from app.models.question import QuestionStatus
from app.models.requirement import RequirementStatus
from app.models.search import SearchAudience, SearchKind
from app.services.text.normalise import stem, words


@dataclass(frozen=True)
class Document:
    """What the index holds of one object."""

    kind: SearchKind
    object_id: int
    project_id: int
    audience: SearchAudience
    title: str
    body: str


def terms(text: str) -> str:
    """The text as the SQLite index holds it: its words' Snowball stems, in order."""
    return " ".join(stem(word) for word in words(text))


def _joined(*parts: str | None) -> str:
    return "\n\n".join(part for part in parts if part)


def _project(project: Project) -> Document:
    body = _joined(project.summary, project.service_area, project.innovation_ambition)
    project_id = project.id or 0
    audience = SearchAudience.viewers
    return Document(SearchKind.project, project_id, project_id, audience, project.title, body)


def _need(need: Need) -> Document | None:
    if need.hidden or need.held:  # out of sight for all but moderators and the author
        return None
    body = _joined(need.problem, need.affected)
    return Document(
        SearchKind.need, need.id or 0, need.project_id, SearchAudience.viewers, need.title, body
    )


def _answer(question: Question) -> Document | None:
    # Only the anonymised question and its answer, once published; never the asker's words.
    if question.status != QuestionStatus.published:
        return None
    return Document(
        SearchKind.answer,
        question.id or 0,
        question.project_id,
        SearchAudience.viewers,
        question.public_question or "",
        question.answer or "",
    )


def _proposal(proposal: Proposal) -> Document | None:
    # The summary the company agreed to publish; never the (possibly confidential) body.
    if not proposal.summary_published or proposal.status == ProposalStatus.withdrawn:
        return None
    return Document(
        SearchKind.proposal,
        proposal.id or 0,
        proposal.project_id,
        SearchAudience.viewers,
        proposal.title,
        proposal.summary,
    )


def _requirement(requirement: Requirement) -> Document:
    final = requirement.status == RequirementStatus.final
    audience = SearchAudience.final_requirement if final else SearchAudience.writers
    return Document(
        SearchKind.requirement,
        requirement.id or 0,
        requirement.project_id,
        audience,
        requirement.title,
        requirement.text,
    )


# Each indexed model: its kind, how it reads in the index, and the fields that change that.
_INDEXED: dict[type[SQLModel], tuple[SearchKind, Any, tuple[str, ...]]] = {
    Project: (
        SearchKind.project,
        _project,
        ("title", "summary", "service_area", "innovation_ambition"),
    ),
    Need: (SearchKind.need, _need, ("title", "problem", "affected", "hidden", "held")),
    Question: (SearchKind.answer, _answer, ("status", "public_question", "answer")),
    Proposal: (SearchKind.proposal, _proposal, ("title", "summary", "summary_published", "status")),
    Requirement: (SearchKind.requirement, _requirement, ("title", "text", "status")),
}


def document_of(instance: SQLModel) -> Document | None:
    """The object as the index holds it, or None when nobody finds it through search."""
    kind_reader = _INDEXED.get(type(instance))
    return kind_reader[1](instance) if kind_reader else None


def row(document: Document) -> dict[str, object]:
    """The `search_item` row of a document (without its id)."""
    return {
        "kind": document.kind,
        "object_id": document.object_id,
        "project_id": document.project_id,
        "audience": document.audience,
        "title": document.title,
        "body": document.body,
        "title_terms": terms(document.title),
        "body_terms": terms(document.body),
    }


def _changed(instance: SQLModel, fields: tuple[str, ...]) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _touched(session: OrmSession) -> Iterable[tuple[SQLModel, bool]]:
    """The indexed objects of this flush, each with whether it was deleted."""
    for instance in session.new:
        if type(instance) in _INDEXED:
            yield instance, False
    for instance in session.dirty:
        indexed = _INDEXED.get(type(instance))
        if indexed is not None and _changed(instance, indexed[2]):
            yield instance, False
    for instance in session.deleted:
        if type(instance) in _INDEXED:
            yield instance, True


@event.listens_for(OrmSession, "after_flush")
def _keep_index(session: OrmSession, _context: UOWTransaction) -> None:
    touched = list(_touched(session))
    if not touched:
        return
    connection = session.connection()
    for instance, deleted in touched:
        kind = _INDEXED[type(instance)][0]
        object_id = getattr(instance, "id", None)
        connection.execute(
            delete(SearchItem).where(
                col(SearchItem.kind) == kind, col(SearchItem.object_id) == object_id
            )
        )
        document = None if deleted else document_of(instance)
        if document is not None:
            connection.execute(insert(SearchItem).values(**row(document)))
