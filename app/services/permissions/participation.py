"""The participation log and the figures: what a reader may see of who took part."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select, true
from sqlmodel import col

from app.models import (
    ParticipationEvent,
    Project,
    Proposal,
    Question,
)
from app.models.proposal import ProposalStatus
from app.models.question import QuestionStatus
from app.services.permissions.proposals import (
    visible_proposals_clause,
)
from app.services.permissions.relation import (
    PUBLIC_SECTOR,
    ProjectRelation,
)

# ---- the participation log and the figures -------------------------------------------------------
# Market dialogue is equal treatment: who asked a question, who registered for the dialogue or an
# event, who booked or attended a one-to-one meeting, and a proposal that is not published are
# the project's procurers' to know, and nobody else's. The log (`participation.present`), every
# figure (`metrics`), the live dashboard and the research export (`research`) ask here; the
# table of what a non-procurer sees is in `visible_participation_clause`.

PRIVATE_ACTOR_VERBS = frozenset(
    {
        "registered",
        "asked",
        "registered_for_event",
        "cancelled_registration",
        "attended",
        "reported",  # who reported whom is the moderators' to know
        "asked_review",
        # who wrote a hearing comment: a supplier's company is the procurers' to know alone
        "commented_in_hearing",
    }
)
# Object types whose events a non-procurer sees only for some objects, or never.
PROCURERS_ONLY_OBJECTS = frozenset({"secrecy_claim", "meeting_slot", "report"})
# Object types of the specification: its drafts (and their hearing, whose existence only its
# audiences know) are its writers' until it is final
# (`app/services/permissions/specification.py`), and so is the record of who wrote them and
# traced them to their sources.
SPECIFICATION_OBJECTS = (
    "requirement",
    "specification_author",
    "trace_link",
    "hearing",
    "hearing_comment",
)
# Events dated for non-procurers at the publication of their question, not when they happened.
DATED_AT_PUBLICATION_VERBS = frozenset({"asked"})


def sees_whole_participation(rel: ProjectRelation) -> bool:
    """The project's procurers (and admins) see the participation log and figures as recorded."""
    return rel.is_procurer


def shows_actor(rel: ProjectRelation, verb: str) -> bool:
    """Whether the reader may link this event's actor to anything (a user, a pseudonym that
    recurs, an organisation); otherwise only the actor's role and organisation kind."""
    return sees_whole_participation(rel) or verb not in PRIVATE_ACTOR_VERBS


def shows_organisation(rel: ProjectRelation, kind: str | None) -> bool:
    """Whether an event may name an organisation of this kind (public bodies for non-procurers)."""
    return sees_whole_participation(rel) or kind in PUBLIC_SECTOR


def _published_questions(project: Any) -> Any:
    return select(col(Question.id)).where(
        col(Question.project_id) == project, col(Question.status) == QuestionStatus.published
    )


def outsiders_participation_clause(project: Any) -> ColumnElement[bool]:
    """The participation events of `project` (an id, or a column of them) that a reader who is
    not its procurer may see, whoever they are: published proposals and questions only, no
    secrecy claims, no bookings (the table above)."""
    visible = select(col(Proposal.id)).where(
        col(Proposal.project_id) == project,
        col(Proposal.summary_published).is_(True),
        col(Proposal.status) != ProposalStatus.withdrawn,
    )
    return _participation_rows(visible, project)


def _participation_rows(visible_proposals: Any, project: Any) -> ColumnElement[bool]:
    kind = col(ParticipationEvent.object_type)
    object_id = col(ParticipationEvent.object_id)
    final = select(col(Project.id)).where(
        col(Project.id) == project, col(Project.specification_final).is_(True)
    )
    return and_(
        or_(kind != "proposal", object_id.in_(visible_proposals)),
        or_(kind != "question", object_id.in_(_published_questions(project))),
        kind.not_in(PROCURERS_ONLY_OBJECTS),
        or_(kind.not_in(SPECIFICATION_OBJECTS), col(ParticipationEvent.project_id).in_(final)),
    )


def visible_participation_clause(rel: ProjectRelation) -> ColumnElement[bool]:
    """The participation events of the project this reader may see.

    Procurers (and admins) see all, as recorded. Everyone else (researchers, and the public
    figures) sees, verb by verb ("private": the event keeps the actor's role and organisation
    kind, but no user id, no organisation id and a pseudonym of the event's own, so it links
    to nothing else; see `shows_actor`):

    ======================================  ===============================  ==========
    verb (object)                           row shown                        actor
    ======================================  ===============================  ==========
    registered (supplier_registration)      yes                              private
    asked (question)                        once published, dated then       private
    answered (question; by a procurer)      once published                   shown
    withdrew_question (question)            never (it was never published)   –
    proposed, attached_to_proposal,         once its summary is published    shown (the
    withdrew_proposal, assessed_proposal,   and not withdrawn; the company   company
    published_proposal_summary (proposal)   also sees its own                consented)
    secrecy claims (secrecy_claim)          never                            –
    drafted_requirement,                    once the specification is final  shown
    edited_requirement, invited_co_author
    (requirement, specification_author)
    opened_hearing (hearing)                once the specification is final  shown
    commented_in_hearing (hearing_comment)  once the specification is final  private
    booked, cancelled_booking               never: a slot shows only         –
    (meeting_slot)                          "taken", never by whom
    registered_for_event,                   yes: the seat counts are         private
    cancelled_registration, attended        public, the participants not
    (dialogue_event)
    everything else (needs, comments,       yes                              shown
    supports, decisions, documents,
    phases, planned events, minutes)
    ======================================  ===============================  ==========

    Organisation ids, of actor and addressee alike, only of public bodies (`shows_organisation`):
    a supplier company's id would name the asker of an answered question (its addressee) and a
    one-person company is a person. Anonymous needs follow `can_see_authors`. The log must not
    tell that an unpublished proposal or question exists, nor any figure count it.
    """
    if sees_whole_participation(rel):
        return true()
    visible = select(col(Proposal.id)).where(
        col(Proposal.project_id) == rel.project.id, visible_proposals_clause(rel)
    )
    return _participation_rows(visible, rel.project.id)


def participation_moment(rel: ProjectRelation | None) -> ColumnElement[Any]:
    """When a participation event happened as this reader may know it, in SQL (None: a reader
    who is not a procurer): a question's asking counts from its publication, since until then
    nobody else may know it was asked."""
    occurred: Any = col(ParticipationEvent.occurred_at)
    if rel is not None and sees_whole_participation(rel):
        return occurred
    published = (
        select(col(Question.published_at))
        .where(col(Question.id) == ParticipationEvent.object_id)
        .correlate(ParticipationEvent)
        .scalar_subquery()
    )
    dated = and_(
        col(ParticipationEvent.object_type) == "question",
        col(ParticipationEvent.verb).in_(DATED_AT_PUBLICATION_VERBS),
    )
    return case((dated, published), else_=occurred)
