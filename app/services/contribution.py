"""The one way a change is recorded: its participation event, its audit entry, its live push.

Every write of the platform ends in one call here, inside the caller's transaction, so the three
records commit or roll back with the change they describe:

- the **participation event** (research and figures) when a person took part in the dialogue;
- the **audit entry** when the change belongs to the procurement record (a project's) or to an
  organisation's record of its members;
- the **live event**, delivered to viewers only after the commit.

Nothing else under `app/` calls `participation.record`, `audit.record` or `live.announce`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel

from app import models
from app.models import Organisation, Project, User
from app.models.base import id_of
from app.models.vocabulary import AuditAction, LiveKind, ObjectType, Verb
from app.services import audit, live, participation
from app.services.live import LiveEvent, PageKind, Topic
from app.services.notifications.fanout import fan_out
from app.services.permissions import ProjectRelation, require_user

# The search index follows every flush of the objects it holds, in the same transaction (see its
# module); imported here, where every write passes, it listens before any write.
from app.services.search import index as _search_index  # noqa: F401

# What each kind of recorded object is called in the participation log and the audit log.
OBJECT_TYPES: dict[type[SQLModel], ObjectType] = {
    models.Project: ObjectType.project,
    models.PhaseMove: ObjectType.phase_move,
    models.Need: ObjectType.need,
    models.Comment: ObjectType.comment,
    models.Question: ObjectType.question,
    models.Document: ObjectType.document,
    models.Proposal: ObjectType.proposal,
    models.SecrecyClaim: ObjectType.secrecy_claim,
    models.SupplierRegistration: ObjectType.supplier_registration,
    models.DialogueEvent: ObjectType.dialogue_event,
    models.EventRegistration: ObjectType.event_registration,
    models.MeetingSlot: ObjectType.meeting_slot,
    models.Organisation: ObjectType.organisation,
    models.Membership: ObjectType.membership,
    models.OrganisationDomain: ObjectType.domain,
    models.Invitation: ObjectType.invitation,
    models.Report: ObjectType.report,
    models.Requirement: ObjectType.requirement,
    models.SpecificationAuthor: ObjectType.specification_author,
    models.Suggestion: ObjectType.suggestion,
    models.TraceLink: ObjectType.trace_link,
    models.Hearing: ObjectType.hearing,
    models.HearingComment: ObjectType.hearing_comment,
    models.MaturityRound: ObjectType.maturity_round,
    models.MaturityRespondent: ObjectType.maturity_respondent,
    models.MaturityAction: ObjectType.maturity_action,
}

# The page with a socket of its own that shows a kind of change; a kind not named here shows on
# the project page (and the need's). An event's change shows on the event's page and on the
# project's events page as well.
LIVE_PAGES: dict[LiveKind, PageKind] = {
    LiveKind.question_asked: PageKind.questions,
    LiveKind.question_answered: PageKind.questions,
    LiveKind.question_published: PageKind.questions,
    LiveKind.question_withdrawn: PageKind.questions,
    LiveKind.document_uploaded: PageKind.documents,
    LiveKind.document_published: PageKind.documents,
    LiveKind.document_changed: PageKind.documents,
    LiveKind.proposal_submitted: PageKind.proposals,
    LiveKind.proposal_changed: PageKind.proposals,
    LiveKind.proposal_summary_published: PageKind.proposals,
    LiveKind.event_created: PageKind.event,
    LiveKind.event_counts: PageKind.event,
    LiveKind.event_minutes_published: PageKind.event,
    LiveKind.event_registered: PageKind.event,
    LiveKind.event_registration_cancelled: PageKind.event,
    LiveKind.event_slot_booked: PageKind.event,
    LiveKind.event_slot_freed: PageKind.event,
    LiveKind.event_slots_made: PageKind.event,
    LiveKind.reports_changed: PageKind.reports,
    LiveKind.requirement_changed: PageKind.specification,
}

Push = LiveKind | LiveEvent | Sequence[LiveEvent]


@dataclass(frozen=True)
class Change:
    """An audited change: what was decided, the state before and after, and why."""

    action: AuditAction
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    rationale: str | None = None
    # What the entry is about when that is not the act's subject: a phase move is recorded as
    # an act on the move, and as a decision on the project's record.
    about: SQLModel | None = None


def subject_of(instance: SQLModel) -> tuple[ObjectType, int]:
    """What the logs call a stored object: its kind and its id."""
    return OBJECT_TYPES[type(instance)], id_of(instance)  # type: ignore[arg-type]


def _store(session: Session, instance: SQLModel) -> None:
    """Write the object acted on (new or changed) so that the records can name it by its id."""
    session.add(instance)
    session.flush()


def live_event(kind: LiveKind, instance: SQLModel, project: Project) -> LiveEvent:
    """The live event of a change of this kind to a stored object, for the pages that show it."""
    object_id, project_id = id_of(instance), id_of(project)  # type: ignore[arg-type]
    page = LIVE_PAGES.get(kind)
    if page is PageKind.event:
        extra = (Topic(PageKind.event, object_id), Topic(PageKind.events, project_id))
        return LiveEvent(kind, object_id, project_id, extra_topics=extra)
    if page is PageKind.specification:
        # A requirement's own page shows the changes to it and to its trace links.
        requirement_id = _requirement_of(instance)
        own = () if requirement_id is None else (Topic(PageKind.requirement, requirement_id),)
        return LiveEvent(kind, object_id, project_id, page=page, extra_topics=own)
    if page is not None:
        return LiveEvent(kind, object_id, project_id, page=page)
    # A need's page shows the changes to the need and to its comments.
    if isinstance(instance, models.Need):
        return LiveEvent(kind, object_id, project_id, need_id=object_id)
    need_id = instance.need_id if isinstance(instance, models.Comment) else None
    return LiveEvent(kind, object_id, project_id, need_id=need_id)


def _requirement_of(instance: SQLModel) -> int | None:
    if isinstance(instance, models.Requirement):
        return instance.id
    return instance.requirement_id if isinstance(instance, models.TraceLink) else None


def record(
    session: Session,
    *,
    rel: ProjectRelation,
    on: SQLModel,
    actor: User | None = None,
    verb: Verb | None = None,
    addressee: User | None = None,
    phase: str | None = None,
    change: Change | None = None,
    push: Push = (),
) -> None:
    """Record a change to the relation's project: participation event, audit entry and live push.

    `on` is the object acted on (stored here, new or changed); `actor` who acted (the
    relation's person unless named); `verb` the act as the participation log keeps it (none for
    a change that is not an act of participation, such as a saved draft); `addressee` the person
    it answers; `phase` the phase the act belongs to when it moves the phase itself; `change` the
    audit entry; `push` the live event or events to deliver after the commit, or the kind of the
    change to `on`.
    """
    actor = actor or require_user(rel.user)
    _store(session, on)
    if change is not None:
        _audit(session, actor, change, on, project=rel.project)
    if verb is not None:
        object_type, object_id = subject_of(on)
        participation.record(
            session,
            actor=actor,
            project=rel.project,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            addressee=addressee,
            phase=phase,
        )
        told = fan_out(
            session,
            project=rel.project,
            actor=actor,
            verb=verb,
            on=on,
            addressee=addressee,
            reason=(change.rationale or "") if change else "",
        )
        for user_id in told:
            notifications_changed(session, user_id=user_id)
    else:
        # Not an act of participation (a saved draft, a setting), but the project's pages
        # show it to someone: they are cached per version of the project.
        participation.bump_version(session, project=rel.project)
    _push(session, live_event(push, on, rel.project) if isinstance(push, LiveKind) else push)


def record_for_organisation(
    session: Session,
    *,
    actor: User,
    organisation: Organisation,
    on: SQLModel,
    change: Change,
) -> None:
    """Record a decision on an organisation's record (members, domains, invitations, look)."""
    _store(session, on)
    _audit(session, actor, change, on, organisation=organisation)
    participation.organisation_changed(session, organisation_id=id_of(organisation))


def _audit(
    session: Session,
    actor: User,
    change: Change,
    on: SQLModel,
    *,
    project: Project | None = None,
    organisation: Organisation | None = None,
) -> None:
    object_type, object_id = subject_of(change.about or on)
    audit.record(
        session,
        actor=actor,
        project=project,
        organisation=organisation,
        action=change.action,
        object_type=object_type,
        object_id=object_id,
        before=change.before,
        after=change.after,
        rationale=change.rationale,
    )


def access_changed(session: Session, *, user_id: int) -> None:
    """After the commit, close the person's sockets so they reconnect under their new access."""
    _push(session, LiveEvent(kind=LiveKind.access_changed, object_id=user_id, project_id=0))


def notifications_changed(session: Session, *, user_id: int) -> None:
    """After the commit, push the person's unread count to their own sockets."""
    _push(
        session,
        LiveEvent(
            kind=LiveKind.notifications_changed,
            object_id=user_id,
            project_id=0,
            page=PageKind.person,
        ),
    )


def session_ended(session: Session, *, login_session_id: int) -> None:
    """After the commit, close every socket the ended login session opened, in every process."""
    _push(session, LiveEvent(kind=LiveKind.session_ended, object_id=login_session_id, project_id=0))


def _push(session: Session, events: LiveEvent | Sequence[LiveEvent]) -> None:
    for event in [events] if isinstance(events, LiveEvent) else events:
        live.announce(session, event)
