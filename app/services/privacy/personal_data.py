"""Where the platform keeps a person's data: one line per table, saying which columns point at
the person and what export, deletion and retention do with them.

- `about`: the person's own rows (their account, their contributions). Exported. Contributions
  (tables with a `project` path) stay at deletion, shown as a deleted user's, and move to an
  anonymous stand-in at retention; the account's other rows (`account=True`) go at deletion.
- `official`: acts in an office (a procurer's decision, an administrator's approval) on a record
  the law keeps (the procurement record, an organisation's). Not exported: the rows are the
  record's, about others; at deletion they stay with the emptied account ("deleted user").
- `addressed`: someone else's act towards the person. Not exported (it names the other person);
  the link to the person is cleared at deletion.
- `derived`: counted or cached from other rows. Not exported; cleared at deletion.

`tests/services/privacy/test_personal_data.py` walks every table and fails when a column that
references `user.id` is in none of these, so a new table cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlmodel import SQLModel, col

from app.models import (
    ApiToken,
    AuditEntry,
    Comment,
    DialogueEvent,
    Document,
    EventRegistration,
    Follow,
    Hearing,
    HearingComment,
    IdempotentRequest,
    Invitation,
    LinkedIdentity,
    LinkToken,
    LoginSession,
    MaturityAction,
    MaturityAnswer,
    MaturityRespondent,
    MaturityRound,
    Membership,
    Need,
    Notification,
    NotificationPreference,
    OidcLogin,
    OrganisationDomain,
    OutboxMessage,
    ParticipationEvent,
    ParticipationRollup,
    PhaseMove,
    Project,
    Proposal,
    ProposalAttachment,
    Question,
    Report,
    Requirement,
    RequirementVersion,
    Revision,
    SecrecyClaim,
    SlotBooking,
    SpecificationAuthor,
    Study,
    StudyConsent,
    StudyObjection,
    Suggestion,
    SupplierRegistration,
    Support,
    TraceLink,
    User,
)
from app.models.vocabulary import ObjectType

# Rows of a table that belong to some projects (a SELECT of project ids), for retention.
InProjects = Callable[[Any], ColumnElement[bool]]


def in_project(project_id: Any) -> InProjects:
    """Rows whose own column names the project."""
    return lambda projects: col(project_id).in_(projects)


def through(column: Any, parent: Any, parent_project: Any) -> InProjects:
    """Rows whose column names a parent row (a need, a proposal, an event) of the projects."""
    return lambda projects: col(column).in_(
        select(col(parent)).where(col(parent_project).in_(projects))
    )


def _audit_about(user: User) -> Select[Any]:
    """Audit entries about the person's own memberships (the organisation's decisions on them)."""
    mine = select(col(Membership.id)).where(col(Membership.user_id) == user.id)
    return select(AuditEntry).where(
        col(AuditEntry.object_type) == ObjectType.membership, col(AuditEntry.object_id).in_(mine)
    )


def _maturity_answers(user: User) -> Select[Any]:
    """One's answers in capability self-assessments (through one's invitations to rounds)."""
    mine = select(col(MaturityRespondent.id)).where(col(MaturityRespondent.user_id) == user.id)
    return select(MaturityAnswer).where(col(MaturityAnswer.respondent_id).in_(mine))


@dataclass(frozen=True)
class Held:
    """One table's columns that point at a person, by what the platform does with them."""

    model: type[SQLModel]
    about: tuple[str, ...] = ()
    official: tuple[str, ...] = ()
    addressed: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()
    leave_out: tuple[str, ...] = ()  # never exported: secrets, other people's ids
    account: bool = False  # rows of the account itself: they go when it is deleted
    project: InProjects | None = None  # a contribution: its rows in some projects
    # A column holding the person's address: its rows are exported; at deletion they go with
    # the account, or (kept records) get the emptied account's address.
    by_email: str | None = None
    rows: Callable[[User], Select[Any]] | None = None  # the person's rows, when not by column

    @property
    def hidden(self) -> frozenset[str]:
        """Columns left out of the export: secrets, and links to other people."""
        return frozenset((*self.leave_out, *self.official, *self.addressed, *self.derived))

    @property
    def table(self) -> str:
        """The table's name (the key of its rows in the export)."""
        return str(self.model.__tablename__)

    def of(self, user: User) -> Select[Any] | None:
        """The person's rows of this table, or None when none are exported."""
        if self.rows is not None:
            return self.rows(user)
        match = [col(getattr(self.model, name)) == user.id for name in self.about]
        if self.by_email:
            match.append(col(getattr(self.model, self.by_email)) == user.email)
        if not match:
            return None
        return select(self.model).where(or_(false(), *match))


E = ParticipationEvent
PERSONAL_DATA: tuple[Held, ...] = (
    Held(User, about=("id",), leave_out=("password_hash",), account=True),
    Held(Membership, about=("user_id",), official=("decided_by_id",), account=True),
    Held(LoginSession, about=("user_id",), leave_out=("key_hash",), account=True),
    Held(ApiToken, about=("user_id",), leave_out=("token_hash",), account=True),
    # A provider's identifier for the person, and the keyed hash of their identity number (a
    # fingerprint that means nothing outside Pivotal, left out like the other hashes).
    Held(LinkedIdentity, about=("user_id",), leave_out=("pid_hash",), account=True),
    # A login under way at a provider: its one-time secrets are never exported.
    Held(
        OidcLogin,
        about=("user_id",),
        leave_out=("state_hash", "nonce", "code_verifier", "address_hash"),
        account=True,
    ),
    Held(
        LinkToken,
        about=("user_id",),
        leave_out=("token_hash", "payload"),
        account=True,
        by_email="email",
    ),
    Held(OutboxMessage, by_email="to_address", leave_out=("headers_json",), account=True),
    Held(StudyConsent, about=("user_id",), account=True),
    Held(StudyObjection, about=("user_id",), account=True),
    # one's notifications (the actor named in one is someone else's), choices and follows
    Held(Notification, about=("recipient_id",), addressed=("actor_id",), account=True),
    Held(NotificationPreference, about=("user_id",), account=True),
    Held(Follow, about=("user_id",), account=True),
    Held(IdempotentRequest, derived=("user_id",)),  # API answers kept a day for retries
    Held(Need, about=("author_id",), project=in_project(Need.project_id)),
    Held(Comment, about=("author_id",), project=through(Comment.need_id, Need.id, Need.project_id)),
    # the earlier text of one's own edited need or comment
    Held(Revision, about=("edited_by_id",), project=in_project(Revision.project_id)),
    Held(Support, about=("user_id",), project=through(Support.need_id, Need.id, Need.project_id)),
    # the similar needs one was shown while typing a need, and what one did with them
    Held(Suggestion, about=("user_id",), project=in_project(Suggestion.project_id)),
    Held(
        Question,
        about=("asked_by_id",),
        official=("answered_by_id",),
        project=in_project(Question.project_id),
    ),
    # the specification: one's drafted requirements and their versions, one's co-authorship
    Held(Requirement, about=("created_by_id",), project=in_project(Requirement.project_id)),
    Held(
        RequirementVersion,
        about=("author_id",),
        project=through(RequirementVersion.requirement_id, Requirement.id, Requirement.project_id),
    ),
    # the hearings one opened on a draft specification, and one's comments in hearings
    Held(Hearing, about=("opened_by_id",), project=in_project(Hearing.project_id)),
    Held(
        HearingComment,
        about=("author_id",),
        project=through(HearingComment.hearing_id, Hearing.id, Hearing.project_id),
    ),
    # the trace links one drew from a requirement to the input that shaped it
    Held(TraceLink, about=("created_by_id",), project=in_project(TraceLink.project_id)),
    Held(
        SpecificationAuthor,
        about=("user_id",),
        official=("invited_by_id",),
        project=in_project(SpecificationAuthor.project_id),
    ),
    Held(
        Proposal,
        about=("submitted_by_id",),
        official=("status_changed_by_id",),
        project=in_project(Proposal.project_id),
    ),
    Held(
        ProposalAttachment,
        about=("uploaded_by_id",),
        project=through(ProposalAttachment.proposal_id, Proposal.id, Proposal.project_id),
    ),
    Held(
        SupplierRegistration,
        about=("registered_by_id",),
        project=in_project(SupplierRegistration.project_id),
    ),
    Held(
        EventRegistration,
        about=("user_id",),
        project=through(EventRegistration.event_id, DialogueEvent.id, DialogueEvent.project_id),
    ),
    Held(
        SlotBooking,
        about=("booked_by_id",),
        project=through(SlotBooking.event_id, DialogueEvent.id, DialogueEvent.project_id),
    ),
    Held(
        E,
        about=("actor_id",),
        addressed=("addressee_id",),
        leave_out=("addressee_id", "addressee_org_id"),
    ),
    Held(ParticipationRollup, derived=("actor_id",)),
    Held(Study, about=("registered_by_id",), leave_out=("pseudonym_secret",)),
    Held(AuditEntry, official=("actor_id",), rows=_audit_about),
    # one's reports (and review requests) stay on the record of the moderation, as a deleted
    # user's; the moderator's decision on them is official
    Held(
        Report,
        about=("reporter_id",),
        official=("decided_by_id",),
        project=in_project(Report.project_id),
    ),
    Held(Project, official=("created_by_id",)),
    Held(PhaseMove, official=("decided_by_id",)),
    Held(DialogueEvent, official=("created_by_id",)),
    Held(Document, official=("uploaded_by_id",)),
    Held(SecrecyClaim, official=("decided_by_id",)),
    Held(OrganisationDomain, official=("added_by_id",)),
    Held(Invitation, official=("invited_by_id",), by_email="email"),
    # capability self-assessments: one's invitations to rounds and one's answers stay (as a
    # deleted user's) so that a closed round's results do not change; opening, inviting,
    # closing and owning an action are acts in an office
    Held(MaturityRespondent, about=("user_id",), official=("invited_by_id",), by_email="email"),
    Held(MaturityAnswer, rows=_maturity_answers),
    Held(MaturityRound, official=("opened_by_id", "closed_by_id")),
    Held(MaturityAction, official=("created_by_id", "owner_id")),
)

# The contributions: tables whose rows stay (as a deleted user's) and move at retention.
CONTRIBUTIONS = tuple(held for held in PERSONAL_DATA if held.project is not None)
