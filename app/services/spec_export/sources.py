"""The influence ledger as an exported specification may show it: public sources only.

Reads the `trace_link` table directly (the service that writes links is another module's job)
and names each source only as far as the public may know it: a need by its title unless it is
hidden or held, a proposal by its title and supplier only once the supplier published its
summary, a question by its anonymised text only once its answer is published, an event by its
title only once its minutes are. A link marked confidential is left out whole, rationale and all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import DialogueEvent, Need, Organisation, Proposal, Question
from app.models.question import QuestionStatus
from app.models.trace import TraceLink, TraceRelation, TraceSource

QUESTION_TITLE_MAX = 160  # a published question names its answer; a long one is cut


@dataclass(frozen=True)
class ExportedLink:
    """One trace link as the export prints it; `title` is None when the source is not public."""

    requirement_id: int
    relation: TraceRelation
    source_type: TraceSource
    title: str | None
    rationale: str


def public_links(
    session: Session, *, project_id: int, requirement_ids: Sequence[int]
) -> list[ExportedLink]:
    """The non-confidential links of these requirements of the project, with their sources'
    public titles (a source of another project is named by its kind only)."""
    if not requirement_ids:
        return []
    query = (
        select(TraceLink)
        .where(TraceLink.project_id == project_id)
        .where(col(TraceLink.requirement_id).in_(requirement_ids))
        .where(col(TraceLink.confidential).is_(False))
        .order_by(col(TraceLink.requirement_id), col(TraceLink.created_at), col(TraceLink.id))
    )
    links = list(session.exec(query).all())
    titles: dict[tuple[TraceSource, int], str] = {}
    for source, titled in _TITLES.items():
        ids = {link.source_id for link in links if link.source_type == source}
        if ids:
            named = titled(session, project_id, ids)
            titles.update({(source, i): title for i, title in named.items()})
    return [
        ExportedLink(
            requirement_id=link.requirement_id,
            relation=link.relation,
            source_type=link.source_type,
            title=titles.get((link.source_type, link.source_id)),
            rationale=link.rationale,
        )
        for link in links
    ]


def _need_titles(session: Session, project_id: int, ids: set[int]) -> dict[int, str]:
    query = select(Need.id, Need.title).where(
        col(Need.id).in_(ids),
        Need.project_id == project_id,
        col(Need.hidden).is_(False),
        col(Need.held).is_(False),
    )
    return {need_id: title for need_id, title in session.exec(query).all() if need_id}


def _proposal_titles(session: Session, project_id: int, ids: set[int]) -> dict[int, str]:
    # Only a published summary names its proposal and its supplier; the body never shows.
    query = (
        select(Proposal.id, Proposal.title, Organisation.name)
        .join(Organisation, col(Organisation.id) == Proposal.organisation_id)
        .where(col(Proposal.id).in_(ids), Proposal.project_id == project_id)
        .where(col(Proposal.summary_published).is_(True))
    )
    return {
        proposal_id: f"{title} ({supplier})"
        for proposal_id, title, supplier in session.exec(query).all()
        if proposal_id
    }


def _answer_titles(session: Session, project_id: int, ids: set[int]) -> dict[int, str]:
    query = select(Question.id, Question.public_question).where(
        col(Question.id).in_(ids),
        Question.project_id == project_id,
        col(Question.status) == QuestionStatus.published,
    )
    return {
        question_id: _shortened(text or "")
        for question_id, text in session.exec(query).all()
        if question_id
    }


def _minutes_titles(session: Session, project_id: int, ids: set[int]) -> dict[int, str]:
    query = select(DialogueEvent.id, DialogueEvent.title).where(
        col(DialogueEvent.id).in_(ids),
        DialogueEvent.project_id == project_id,
        col(DialogueEvent.minutes_published_at).is_not(None),
    )
    return {event_id: title for event_id, title in session.exec(query).all() if event_id}


def _shortened(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= QUESTION_TITLE_MAX:
        return flat
    return flat[: QUESTION_TITLE_MAX - 1].rstrip() + "…"


# Hearing comments have no public title: the export names their kind only (and a supplier's
# comment must never name its writer).
_TITLES: dict[TraceSource, Callable[[Session, int, set[int]], dict[int, str]]] = {
    TraceSource.need: _need_titles,
    TraceSource.proposal: _proposal_titles,
    TraceSource.answer: _answer_titles,
    TraceSource.event_minutes: _minutes_titles,
}
