"""The export's tables of activity: the participation events, and their aggregate by role and
phase, each a list of declared columns and the query whose named fields they read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, null, or_, select
from sqlmodel import Session, col

from app.models import Comment, ParticipationEvent
from app.models.vocabulary import ObjectType, Verb
from app.services import permissions
from app.services.research.codebook import (
    KEY,
    ORG_KINDS,
    PSEUDONYM,
    REQUIRED,
    ROLES,
    Column,
    Table,
    person,
    project_fk,
    timestamp,
    verb_categories,
)
from app.services.research.scope import ExportScope, anonymous_need_of_event, select_columns

MIN_CELL = 5  # aggregate cells with fewer distinct people than this are suppressed
SUPPRESSED_NOTE = f"suppressed: fewer than {MIN_CELL} people"


def _events(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    e = ParticipationEvent
    verb = col(e.verb)
    object_id = col(e.object_id)
    # A private act (asking, registering, attending) names no actor (`permissions`).
    private = verb.in_(permissions.PRIVATE_ACTOR_VERBS)
    anonymous_need = anonymous_need_of_event()
    # The addressee of an act on an anonymous need (a status decision, a support) or in its
    # thread (a comment, a reply to the author's own comment) may be its author; the addressee
    # of an answer is the supplier who asked.
    comments_on_anonymous = select(col(Comment.id)).where(
        col(Comment.need_id).in_(scope.anonymous_needs)
    )
    hidden_addressee = or_(
        verb == Verb.answered,
        and_(col(e.object_type) == ObjectType.need, object_id.in_(scope.anonymous_needs)),
        and_(col(e.object_type) == ObjectType.comment, object_id.in_(comments_on_anonymous)),
    )
    addressee_shown = and_(
        col(e.addressee_id).is_not(None),
        ~hidden_addressee,
        scope.included(col(e.addressee_id)),
    )
    actor_org = case(
        (or_(private, anonymous_need.is_not(None)), null()),
        else_=scope.public_org(col(e.actor_org_id)),
    )
    addressee_org = case(
        (hidden_addressee, null()), else_=scope.public_org(col(e.addressee_org_id))
    )
    return (
        select_columns(
            col(e.id).label("event_id"),
            permissions.participation_moment(None).label("occurred_at"),
            e.project_id,
            e.phase,
            case((private, null()), else_=col(e.actor_id)).label("actor_id"),
            col(e.actor_role).label("participant_role"),
            col(e.actor_org_kind).label("participant_org_kind"),
            actor_org.label("participant_org_id"),
            e.verb,
            e.object_type,
            e.object_id,
            case((addressee_shown, col(e.addressee_id)), else_=null()).label("addressee_id"),
            e.addressee_role,
            e.addressee_org_kind,
            addressee_org.label("addressee_org_id"),
            anonymous_need.label("anonymous_need"),
        )
        .where(scope.events_clause())
        .order_by(col(e.id))
    )


WHO = "The participant's pseudonym in this study (HMAC-SHA256 of the user id, keyed per study)"

EVENTS = Table(
    "participation_events",
    "Participation events",
    "Every contribution in the study's projects and period that a researcher may see, in "
    "order (bookings, unpublished questions and proposals are left out): who "
    "(pseudonym, role, organisation kind) did what to which object in which phase, and whom "
    "it answers. Research questions 2 and 3.",
    [
        Column("event_id", "integer", "The event's id (order of recording)", KEY),
        timestamp(
            "occurred_at",
            "When it happened; a question's asking when the question was published",
            required=True,
        ),
        Column("project_id", "integer", "The project", REQUIRED),
        Column("phase", "string", "The project's phase at the time", REQUIRED),
        Column(
            "participant",
            "string",
            WHO + "; for an anonymous need's author, on that need, a pseudonym of the need's "
            "own; empty for private acts (asking a question, registering for the market "
            "dialogue or an event, attending one)",
            PSEUDONYM,
            read=person("actor_id", "anonymous_need"),
        ),
        Column("participant_role", "string", "The participant's role", {**REQUIRED, **ROLES}),
        Column("participant_org_kind", "string", "The participant's organisation kind", ORG_KINDS),
        Column(
            "participant_org_id",
            "integer",
            "The participant's organisation id, for public bodies only",
        ),
        Column(
            "verb",
            "string",
            "What the participant did (posted_need, replied, …)",
            REQUIRED,
            codebook=verb_categories,
        ),
        Column("object_type", "string", "The kind of object acted on", REQUIRED),
        Column("object_id", "integer", "The object's id within its kind", REQUIRED),
        Column(
            "addressee",
            "string",
            "Pseudonym of the person the act answers; empty when unknown, not consenting, an "
            "anonymous need's author or a question's asker",
            PSEUDONYM,
            read=person("addressee_id"),
        ),
        Column("addressee_role", "string", "The addressee's role", ROLES),
        Column("addressee_org_kind", "string", "The addressee's organisation kind", ORG_KINDS),
        Column(
            "addressee_org_id",
            "integer",
            "The addressee's organisation id, for public bodies only",
        ),
    ],
    ["event_id"],
    _events,
    [project_fk()],
    progress_every=10_000,
)


def _by_role_and_phase(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    e = ParticipationEvent
    return (
        select_columns(
            e.project_id,
            e.phase,
            col(e.actor_role).label("participant_role"),
            func.count(func.distinct(e.actor_id)).label("people"),
            func.count().label("events"),
        )
        .where(scope.events_clause())
        .group_by(col(e.project_id), col(e.phase), col(e.actor_role))
        .order_by(col(e.project_id), col(e.phase), col(e.actor_role))
    )


def _unless_few(name: str) -> Any:
    """The row's field, empty when the row counts fewer than MIN_CELL people."""
    return lambda row, _scope: "" if row.people < MIN_CELL else getattr(row, name)


BY_ROLE_AND_PHASE = Table(
    "participation_by_role_and_phase",
    "Participation by role and phase",
    f"Distinct participants and contributions per project, phase and role, from the same "
    f"events as participation_events.csv. Cells with fewer than {MIN_CELL} people are "
    f"suppressed (left empty, with a note).",
    [
        Column("project_id", "integer", "The project", REQUIRED),
        Column("phase", "string", "The phase", REQUIRED),
        Column("participant_role", "string", "The role", {**REQUIRED, **ROLES}),
        Column(
            "participants",
            "integer",
            f"Distinct people; empty when fewer than {MIN_CELL}",
            {"minimum": MIN_CELL},
            read=_unless_few("people"),
        ),
        Column(
            "contributions",
            "integer",
            f"Participation events; empty when fewer than {MIN_CELL} people",
            {"minimum": 0},
            read=_unless_few("events"),
        ),
        Column(
            "note",
            "string",
            "Why a cell is empty",
            read=lambda row, _scope: SUPPRESSED_NOTE if row.people < MIN_CELL else "",
        ),
    ],
    ["project_id", "phase", "participant_role"],
    _by_role_and_phase,
    [project_fk()],
)
