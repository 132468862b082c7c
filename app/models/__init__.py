"""All tables, imported here so metadata (and Alembic) sees every one."""

from app.models import mine  # noqa: F401  (no tables; registers its labels)
from app.models.account import ApiToken, LoginSession, LoginThrottle
from app.models.audit import AuditEntry
from app.models.dialogue import SupplierRegistration
from app.models.document import Document
from app.models.event import DialogueEvent, EventRegistration, MeetingSlot, SlotBooking
from app.models.hearing import Hearing, HearingComment
from app.models.idempotency import IdempotentRequest
from app.models.identity import LinkedIdentity, OidcLogin
from app.models.mail import LinkToken, OutboxMessage
from app.models.maturity import (
    MaturityAction,
    MaturityAnswer,
    MaturityAnswerDocument,
    MaturityRespondent,
    MaturityRound,
)
from app.models.membership import Invitation, Membership, OrganisationDomain
from app.models.moderation import Report
from app.models.need import Comment, Need, Support
from app.models.notification import Follow, Notification, NotificationPreference
from app.models.organisation import Organisation
from app.models.participation import (
    ParticipationEvent,
    ParticipationRollup,
    ParticipationRollupMark,
)
from app.models.privacy import Erasure
from app.models.project import PhaseMove, Project, ProjectPartner, ProjectTheme
from app.models.proposal import Proposal, ProposalAttachment, ProposalNeed, SecrecyClaim
from app.models.question import Question
from app.models.requirement import Requirement, RequirementVersion, SpecificationAuthor
from app.models.research import Study, StudyConsent, StudyObjection, StudyProject
from app.models.revision import Revision
from app.models.search import SearchItem
from app.models.suggestion import Suggestion
from app.models.trace import TraceLink
from app.models.user import User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Comment",
    "DialogueEvent",
    "Document",
    "Erasure",
    "EventRegistration",
    "Follow",
    "Hearing",
    "HearingComment",
    "IdempotentRequest",
    "Invitation",
    "LinkToken",
    "LinkedIdentity",
    "LoginSession",
    "LoginThrottle",
    "MaturityAction",
    "MaturityAnswer",
    "MaturityAnswerDocument",
    "MaturityRespondent",
    "MaturityRound",
    "MeetingSlot",
    "Membership",
    "Need",
    "Notification",
    "NotificationPreference",
    "OidcLogin",
    "Organisation",
    "OrganisationDomain",
    "OutboxMessage",
    "ParticipationEvent",
    "ParticipationRollup",
    "ParticipationRollupMark",
    "PhaseMove",
    "Project",
    "ProjectPartner",
    "ProjectTheme",
    "Proposal",
    "ProposalAttachment",
    "ProposalNeed",
    "Question",
    "Report",
    "Requirement",
    "RequirementVersion",
    "Revision",
    "SearchItem",
    "SecrecyClaim",
    "SlotBooking",
    "SpecificationAuthor",
    "Study",
    "StudyConsent",
    "StudyObjection",
    "StudyProject",
    "Suggestion",
    "SupplierRegistration",
    "Support",
    "TraceLink",
    "User",
]
