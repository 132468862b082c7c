"""The project's tab row: the sections a viewer may open, each with how many items they may see.

Every project page shows the same row (`app/templates/_project_tabs.html`). A tab is left out
when its page would refuse the viewer, and a count is only what the viewer's own page lists, so
the row never links to a 403/404 nor leaks a number. At most one count query per tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import DialogueEvent, Document, Need, Proposal, Question, Requirement
from app.models.base import id_of
from app.models.question import QuestionStatus
from app.models.requirement import RequirementStatus
from app.services import requirements
from app.services.permissions import (
    ProjectRelation,
    visible_documents_clause,
    visible_proposals_clause,
)


class Section(StrEnum):
    """The project's sections, in the order of the tab row."""

    needs = "needs"
    proposals = "proposals"
    questions = "questions"
    events = "events"
    documents = "documents"
    specification = "specification"
    figures = "figures"


LABELS = {
    Section.needs: N_("Needs"),
    Section.proposals: N_("Proposals"),
    Section.questions: N_("Questions and answers"),
    Section.events: N_("Events"),
    Section.documents: N_("Documents"),
    Section.specification: N_("Specification"),
    Section.figures: N_("Figures"),
}
PATHS = {
    Section.needs: "",
    Section.proposals: "/proposals",
    Section.questions: "/questions",
    Section.events: "/events",
    Section.documents: "/documents",
    Section.specification: "/specification",
    Section.figures: "/metrics",
}


@dataclass(frozen=True)
class Tab:
    """One tab: its section, label (a message id), address, count (None: no count) and whether
    it is the page shown."""

    section: Section
    label: str
    href: str
    count: int | None
    current: bool


def tabs_for(session: Session, *, rel: ProjectRelation, current: Section | None) -> list[Tab]:
    """The tab row for this viewer of the project, `current` marked (None on other sub-pages)."""
    counts: dict[Section, int | None] = {
        Section.needs: _count(session, Need, *_need_conditions(rel)),
        Section.proposals: _count(
            session,
            Proposal,
            col(Proposal.project_id) == rel.project.id,
            visible_proposals_clause(rel),
        ),
        Section.questions: _count(
            session,
            Question,
            col(Question.project_id) == rel.project.id,
            col(Question.status) == QuestionStatus.published,
        ),
        Section.events: _count(
            session, DialogueEvent, col(DialogueEvent.project_id) == rel.project.id
        ),
        Section.documents: _count(session, Document, visible_documents_clause(rel)),
    }
    if requirements.can_open_workspace(session, rel=rel):
        writer = requirements.can_write(session, rel=rel)
        counts[Section.specification] = _count(
            session,
            Requirement,
            col(Requirement.project_id) == rel.project.id,
            *([] if writer else [col(Requirement.status) == RequirementStatus.final]),
        )
    if rel.can_read_participation or rel.project.visibility == "public":
        counts[Section.figures] = None  # figures are not a number of things
    base = f"/projects/{id_of(rel.project)}"
    return [
        Tab(s, LABELS[s], base + PATHS[s], counts[s], s == current) for s in Section if s in counts
    ]


def _need_conditions(rel: ProjectRelation) -> list[object]:
    """The needs the project page lists to this viewer (hidden and held ones: moderators only)."""
    conditions: list[object] = [col(Need.project_id) == rel.project.id]
    if not rel.is_moderator:
        conditions += [col(Need.hidden).is_(False), col(Need.held).is_(False)]
    return conditions


def _count(session: Session, model: type, *conditions: object) -> int:
    """How many rows of `model` meet the conditions (one query)."""
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()  # type: ignore[arg-type]
