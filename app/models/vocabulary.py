"""The platform's vocabulary: what people do, what the record notes, and what goes live.

Every value is stored or sent as its string, so the enums read and write the same rows as
before. Each member carries a translatable label (`label_of`); `tests/test_vocabulary.py` fails
when a member has none, or when a label lacks a translation in a language of the interface.
The participation log's verbs also say whether they count as a contribution, which the figures
and the research codebook read from here.
"""

from __future__ import annotations

from enum import StrEnum

from app.i18n import N_, gettext
from app.models.audit_field import AUDIT_FIELD_LABELS, AuditField


class Verb(StrEnum):
    """What a participant did, as the participation log records it."""

    posted_need = "posted_need"
    supported = "supported"
    withdrew_support = "withdrew_support"
    commented = "commented"
    replied = "replied"
    hid_comment = "hid_comment"
    verified_need = "verified_need"
    changed_need_status = "changed_need_status"
    moved_phase = "moved_phase"
    registered = "registered"
    asked = "asked"
    answered = "answered"
    withdrew_question = "withdrew_question"
    uploaded_document = "uploaded_document"
    published_document = "published_document"
    proposed = "proposed"
    attached_to_proposal = "attached_to_proposal"
    withdrew_proposal = "withdrew_proposal"
    published_proposal_summary = "published_proposal_summary"
    assessed_proposal = "assessed_proposal"
    planned_event = "planned_event"
    registered_for_event = "registered_for_event"
    cancelled_registration = "cancelled_registration"
    booked = "booked"
    cancelled_booking = "cancelled_booking"
    published_minutes = "published_minutes"
    attended = "attended"
    # editing, following and moderation (none of them adds to the dialogue)
    edited_need = "edited_need"
    edited_comment = "edited_comment"
    withdrew_comment = "withdrew_comment"
    edited_project = "edited_project"
    followed = "followed"
    unfollowed = "unfollowed"
    reported = "reported"
    hid_need = "hid_need"
    restored_content = "restored_content"
    dismissed_report = "dismissed_report"
    asked_review = "asked_review"
    # the specification workspace
    drafted_requirement = "drafted_requirement"
    edited_requirement = "edited_requirement"
    invited_co_author = "invited_co_author"
    finalised_specification = "finalised_specification"
    # suggestions (issue 13): the person's answer to one the platform made
    accepted_suggestion = "accepted_suggestion"
    dismissed_suggestion = "dismissed_suggestion"
    # hearings and trace links (issue 13)
    opened_hearing = "opened_hearing"
    commented_in_hearing = "commented_in_hearing"
    linked_requirement = "linked_requirement"
    unlinked_requirement = "unlinked_requirement"

    @property
    def is_contribution(self) -> bool:
        """Whether the act adds to the dialogue (undoing or moderating something does not)."""
        return self not in NOT_CONTRIBUTIONS


# Verbs that undo or moderate something are not contributions; everything else in the log is.
NOT_CONTRIBUTIONS: frozenset[Verb] = frozenset(
    {
        Verb.withdrew_support,
        Verb.withdrew_question,
        Verb.withdrew_proposal,
        Verb.cancelled_registration,
        Verb.cancelled_booking,
        Verb.hid_comment,
        Verb.edited_need,
        Verb.edited_comment,
        Verb.withdrew_comment,
        Verb.edited_project,
        Verb.followed,
        Verb.unfollowed,
        Verb.reported,
        Verb.hid_need,
        Verb.restored_content,
        Verb.dismissed_report,
        Verb.asked_review,
        Verb.accepted_suggestion,  # the support given with it is the contribution
        Verb.dismissed_suggestion,
        Verb.unlinked_requirement,
    }
)


class AuditAction(StrEnum):
    """A decision on the procurement record of a project, or on an organisation's members."""

    # a project's record
    phase_moved = "phase_moved"
    need_status_changed = "need_status_changed"
    comment_hidden = "comment_hidden"
    answer_saved = "answer_saved"
    answer_published = "answer_published"
    question_withdrawn = "question_withdrawn"
    document_published = "document_published"
    document_audience_changed = "document_audience_changed"
    document_withdrawn = "document_withdrawn"
    proposal_status_changed = "proposal_status_changed"
    claim_decided = "claim_decided"
    summary_published = "summary_published"
    event_created = "event_created"
    meeting_slots_generated = "meeting_slots_generated"
    event_registration_promoted = "event_registration_promoted"
    minutes_published = "minutes_published"
    need_edited = "need_edited"
    comment_edited = "comment_edited"
    comment_withdrawn = "comment_withdrawn"
    project_edited = "project_edited"
    content_reported = "content_reported"
    need_hidden = "need_hidden"
    content_restored = "content_restored"
    report_dismissed = "report_dismissed"
    review_requested = "review_requested"
    requirement_drafted = "requirement_drafted"
    requirement_edited = "requirement_edited"
    co_author_invited = "co_author_invited"
    specification_finalised = "specification_finalised"
    hearing_opened = "hearing_opened"
    trace_link_added = "trace_link_added"
    trace_link_removed = "trace_link_removed"
    # an organisation's record
    membership_requested = "membership_requested"
    membership_granted = "membership_granted"
    membership_activated_by_domain = "membership_activated_by_domain"
    membership_approved = "membership_approved"
    membership_declined = "membership_declined"
    membership_revoked = "membership_revoked"
    org_admin_granted = "org_admin_granted"
    domain_added = "domain_added"
    domain_removed = "domain_removed"
    invitation_sent = "invitation_sent"
    invitation_accepted = "invitation_accepted"
    company_registered = "company_registered"
    organisation_created = "organisation_created"
    org_number_verified = "org_number_verified"
    organisation_deactivated = "organisation_deactivated"
    retention_set = "retention_set"
    organisation_look_set = "organisation_look_set"
    organisation_logo_set = "organisation_logo_set"
    maturity_round_opened = "maturity_round_opened"
    maturity_respondent_invited = "maturity_respondent_invited"
    maturity_respondent_removed = "maturity_respondent_removed"
    maturity_round_closed = "maturity_round_closed"
    maturity_action_added = "maturity_action_added"
    maturity_action_changed = "maturity_action_changed"


class ObjectType(StrEnum):
    """The kind of object a participation event or an audit entry is about."""

    project = "project"
    phase_move = "phase_move"
    need = "need"
    comment = "comment"
    question = "question"
    document = "document"
    proposal = "proposal"
    secrecy_claim = "secrecy_claim"
    supplier_registration = "supplier_registration"
    dialogue_event = "dialogue_event"
    event_registration = "event_registration"
    meeting_slot = "meeting_slot"
    organisation = "organisation"
    membership = "membership"
    domain = "domain"
    invitation = "invitation"
    report = "report"
    requirement = "requirement"
    specification_author = "specification_author"
    suggestion = "suggestion"
    hearing = "hearing"
    hearing_comment = "hearing_comment"
    trace_link = "trace_link"
    maturity_round = "maturity_round"
    maturity_respondent = "maturity_respondent"
    maturity_action = "maturity_action"


class LiveKind(StrEnum):
    """A change pushed to the pages that show it."""

    need_created = "need.created"
    need_supported = "need.supported"
    need_status_changed = "need.status_changed"
    comment_created = "comment.created"
    comment_hidden = "comment.hidden"
    comment_shown = "comment.shown"  # a hidden or held comment shows again (or for the first time)
    need_hidden = "need.hidden"
    need_shown = "need.shown"
    reports_changed = "reports.changed"  # a project's moderation queue: a report came or went
    project_phase_moved = "project.phase_moved"
    question_asked = "question.asked"
    question_answered = "question.answered"
    question_published = "question.published"
    question_withdrawn = "question.withdrawn"
    document_uploaded = "document.uploaded"
    document_published = "document.published"
    document_changed = "document.changed"
    proposal_submitted = "proposal.submitted"
    proposal_changed = "proposal.changed"
    proposal_summary_published = "proposal.summary_published"
    event_created = "event.created"
    event_counts = "event.counts"
    event_minutes_published = "event.minutes_published"
    event_registered = "event.registered"  # someone took a seat or a place on the waitlist
    event_registration_cancelled = "event.registration_cancelled"
    event_slot_booked = "event.slot_booked"
    event_slot_freed = "event.slot_freed"
    event_slots_made = "event.slots_made"  # a procurer cut the event into slots (again)
    suppliers_changed = "project.suppliers_changed"  # a company registered for the market dialogue
    need_edited = "need.edited"
    comment_edited = "comment.edited"
    comment_withdrawn = "comment.withdrawn"
    project_edited = "project.edited"
    requirement_changed = "requirement.changed"  # drafted, edited, or the specification final
    hearing_changed = "hearing.changed"  # a hearing opened, or a comment in it came or went
    # closes every socket on the project's pages: who may see it changed (visibility, partners)
    project_access_changed = "project.access_changed"
    session_ended = "session_ended"  # closes the sockets of a login session that ended
    access_changed = "access_changed"  # closes a person's sockets: what they may see changed
    notifications_changed = "notifications.changed"  # a person's unread count (their own topic)


LABELS: dict[type[StrEnum], dict[str, str]] = {
    Verb: {
        Verb.posted_need: N_("Posted a need"),
        Verb.supported: N_("Supported a need"),
        Verb.withdrew_support: N_("Withdrew support"),
        Verb.commented: N_("Commented"),
        Verb.replied: N_("Replied"),
        Verb.hid_comment: N_("Hid a comment"),
        Verb.verified_need: N_("Verified a need"),
        Verb.changed_need_status: N_("Changed a need's status"),
        Verb.moved_phase: N_("Moved the project to a new phase"),
        Verb.registered: N_("Registered for the market dialogue"),
        Verb.asked: N_("Asked a question"),
        Verb.answered: N_("Answered a question"),
        Verb.withdrew_question: N_("Withdrew a question"),
        Verb.uploaded_document: N_("Uploaded a document"),
        Verb.published_document: N_("Published a document"),
        Verb.proposed: N_("Submitted a proposal"),
        Verb.attached_to_proposal: N_("Attached a file to a proposal"),
        Verb.withdrew_proposal: N_("Withdrew a proposal"),
        Verb.published_proposal_summary: N_("Published a proposal's summary"),
        Verb.assessed_proposal: N_("Assessed a proposal"),
        Verb.planned_event: N_("Planned a dialogue event"),
        Verb.registered_for_event: N_("Registered for an event"),
        Verb.cancelled_registration: N_("Cancelled an event registration"),
        Verb.booked: N_("Booked a one-to-one meeting"),
        Verb.cancelled_booking: N_("Cancelled a one-to-one meeting"),
        Verb.published_minutes: N_("Published minutes"),
        Verb.attended: N_("Attended an event"),
        Verb.edited_need: N_("Edited a need"),
        Verb.drafted_requirement: N_("Drafted a requirement"),
        Verb.edited_requirement: N_("Edited a requirement"),
        Verb.invited_co_author: N_("Invited a co-author of the specification"),
        Verb.finalised_specification: N_("Marked the specification final"),
        Verb.edited_comment: N_("Edited a comment"),
        Verb.withdrew_comment: N_("Withdrew a comment"),
        Verb.edited_project: N_("Edited the project"),
        Verb.followed: N_("Followed"),
        Verb.unfollowed: N_("Stopped following"),
        Verb.reported: N_("Reported content"),
        Verb.hid_need: N_("Hid a need"),
        Verb.restored_content: N_("Restored hidden content"),
        Verb.dismissed_report: N_("Dismissed a report"),
        Verb.asked_review: N_("Asked for a review of a moderation decision"),
        Verb.accepted_suggestion: N_("Supported a suggested need instead of posting"),
        Verb.dismissed_suggestion: N_("Dismissed a suggested need as not the same"),
        Verb.opened_hearing: N_("Put the specification out for hearing"),
        Verb.commented_in_hearing: N_("Commented in a hearing"),
        Verb.linked_requirement: N_("Traced a requirement to its source"),
        Verb.unlinked_requirement: N_("Removed a trace link"),
    },
    AuditAction: {
        AuditAction.phase_moved: N_("Phase moved"),
        AuditAction.need_status_changed: N_("Need status changed"),
        AuditAction.comment_hidden: N_("Comment hidden"),
        AuditAction.answer_saved: N_("Draft answer saved"),
        AuditAction.answer_published: N_("Answer published to all suppliers"),
        AuditAction.question_withdrawn: N_("Question withdrawn"),
        AuditAction.document_published: N_("Document published"),
        AuditAction.document_audience_changed: N_("Document audience changed"),
        AuditAction.document_withdrawn: N_("Document withdrawn"),
        AuditAction.proposal_status_changed: N_("Proposal status changed"),
        AuditAction.claim_decided: N_("Secrecy claim decided"),
        AuditAction.summary_published: N_("Proposal summary published"),
        AuditAction.event_created: N_("Dialogue event planned"),
        AuditAction.meeting_slots_generated: N_("One-to-one meeting times made"),
        AuditAction.event_registration_promoted: N_("Moved from the waiting list"),
        AuditAction.minutes_published: N_("Minutes published"),
        AuditAction.need_edited: N_("Need edited"),
        AuditAction.requirement_drafted: N_("Requirement drafted"),
        AuditAction.requirement_edited: N_("Requirement edited"),
        AuditAction.co_author_invited: N_("Co-author of the specification invited"),
        AuditAction.specification_finalised: N_("Specification marked final"),
        AuditAction.hearing_opened: N_("Hearing opened"),
        AuditAction.trace_link_added: N_("Trace link added"),
        AuditAction.trace_link_removed: N_("Trace link removed"),
        AuditAction.comment_edited: N_("Comment edited"),
        AuditAction.comment_withdrawn: N_("Comment withdrawn by its author"),
        AuditAction.project_edited: N_("Project details changed"),
        AuditAction.content_reported: N_("Content reported"),
        AuditAction.need_hidden: N_("Need hidden"),
        AuditAction.content_restored: N_("Hidden content restored"),
        AuditAction.report_dismissed: N_("Report dismissed"),
        AuditAction.review_requested: N_("Review of a moderation decision requested"),
        AuditAction.membership_requested: N_("Asked to join"),
        AuditAction.membership_granted: N_("Membership granted"),
        AuditAction.membership_activated_by_domain: N_("Membership confirmed by e-mail domain"),
        AuditAction.membership_approved: N_("Request approved"),
        AuditAction.membership_declined: N_("Request declined"),
        AuditAction.membership_revoked: N_("Membership revoked"),
        AuditAction.org_admin_granted: N_("Made an administrator"),
        AuditAction.domain_added: N_("Domain added"),
        AuditAction.domain_removed: N_("Domain removed"),
        AuditAction.invitation_sent: N_("Invitation sent"),
        AuditAction.invitation_accepted: N_("Invitation accepted"),
        AuditAction.company_registered: N_("Company registered"),
        AuditAction.organisation_created: N_("Organisation created"),
        AuditAction.org_number_verified: N_("Organisation number verified"),
        AuditAction.organisation_deactivated: N_("Organisation deactivated"),
        AuditAction.retention_set: N_("Retention time set"),
        AuditAction.organisation_look_set: N_("Language and look set"),
        AuditAction.organisation_logo_set: N_("Logo changed"),
        AuditAction.maturity_round_opened: N_("Self-assessment round opened"),
        AuditAction.maturity_respondent_invited: N_("Respondent invited to a self-assessment"),
        AuditAction.maturity_respondent_removed: N_("Respondent removed from a self-assessment"),
        AuditAction.maturity_round_closed: N_("Self-assessment round closed"),
        AuditAction.maturity_action_added: N_("Development action added"),
        AuditAction.maturity_action_changed: N_("Development action changed"),
    },
    ObjectType: {
        ObjectType.project: N_("Project"),
        ObjectType.phase_move: N_("Phase move"),
        ObjectType.need: N_("Need"),
        ObjectType.comment: N_("Comment"),
        ObjectType.question: N_("Question"),
        ObjectType.document: N_("Document"),
        ObjectType.proposal: N_("Proposal"),
        ObjectType.secrecy_claim: N_("Secrecy claim"),
        ObjectType.supplier_registration: N_("Registration for the market dialogue"),
        ObjectType.dialogue_event: N_("Dialogue event"),
        ObjectType.event_registration: N_("Event registration"),
        ObjectType.meeting_slot: N_("One-to-one meeting"),
        ObjectType.organisation: N_("Organisation"),
        ObjectType.membership: N_("Membership"),
        ObjectType.domain: N_("E-mail domain"),
        ObjectType.invitation: N_("Invitation"),
        ObjectType.report: N_("Report"),
        ObjectType.requirement: N_("Requirement"),
        ObjectType.specification_author: N_("Co-author of the specification"),
        ObjectType.suggestion: N_("Suggestion"),
        ObjectType.hearing: N_("Hearing"),
        ObjectType.hearing_comment: N_("Hearing comment"),
        ObjectType.trace_link: N_("Trace link"),
        ObjectType.maturity_round: N_("Self-assessment round"),
        ObjectType.maturity_respondent: N_("Self-assessment respondent"),
        ObjectType.maturity_action: N_("Development action"),
    },
    LiveKind: {
        LiveKind.need_created: N_("A need was posted"),
        LiveKind.need_supported: N_("A need's support changed"),
        LiveKind.need_status_changed: N_("A need's status changed"),
        LiveKind.comment_created: N_("A comment was posted"),
        LiveKind.comment_hidden: N_("A comment was hidden"),
        LiveKind.comment_shown: N_("A comment is shown again"),
        LiveKind.need_hidden: N_("A need was hidden"),
        LiveKind.need_shown: N_("A need is shown again"),
        LiveKind.reports_changed: N_("The moderation queue changed"),
        LiveKind.project_phase_moved: N_("The project moved to a new phase"),
        LiveKind.question_asked: N_("A question was asked"),
        LiveKind.question_answered: N_("A question was answered"),
        LiveKind.question_published: N_("An answer was published"),
        LiveKind.question_withdrawn: N_("A question was withdrawn"),
        LiveKind.document_uploaded: N_("A document was uploaded"),
        LiveKind.document_published: N_("A document was published"),
        LiveKind.document_changed: N_("A document changed"),
        LiveKind.proposal_submitted: N_("A proposal was submitted"),
        LiveKind.proposal_changed: N_("A proposal changed"),
        LiveKind.proposal_summary_published: N_("A proposal's summary was published"),
        LiveKind.event_created: N_("A dialogue event was planned"),
        LiveKind.event_counts: N_("An event's places changed"),
        LiveKind.event_minutes_published: N_("An event's minutes were published"),
        LiveKind.event_registered: N_("Someone registered for an event"),
        LiveKind.event_registration_cancelled: N_("A registration for an event was cancelled"),
        LiveKind.event_slot_booked: N_("A meeting slot was booked"),
        LiveKind.event_slot_freed: N_("A meeting slot became free"),
        LiveKind.event_slots_made: N_("An event's meeting slots were made"),
        LiveKind.suppliers_changed: N_("A supplier registered for the market dialogue"),
        LiveKind.need_edited: N_("A need was edited"),
        LiveKind.comment_edited: N_("A comment was edited"),
        LiveKind.comment_withdrawn: N_("A comment was withdrawn"),
        LiveKind.project_edited: N_("The project's details changed"),
        LiveKind.requirement_changed: N_("The specification changed"),
        LiveKind.hearing_changed: N_("The hearing changed"),
        LiveKind.project_access_changed: N_("Who may see the project changed"),
        LiveKind.session_ended: N_("You were logged out"),
        LiveKind.access_changed: N_("What you may see changed"),
        LiveKind.notifications_changed: N_("Your notifications changed"),
    },
    AuditField: AUDIT_FIELD_LABELS,
}


def label_of(member: StrEnum) -> str:
    """The member's label in the current language (its value when it has none)."""
    message = LABELS.get(type(member), {}).get(member)
    return gettext(message) if message else str(member)


def register_labels(enum: type[StrEnum], labels: dict[str, str]) -> dict[str, str]:
    """Keep the labels of an enum declared beside its model here, where every label is looked up.

    Importing this module imports `app.models` first, so every model's enum is registered by then.
    """
    LABELS[enum] = labels
    return labels


def label_for(enum: type[StrEnum], value: object) -> str:
    """The label of a stored value read as a member of `enum` (the value itself if it is none)."""
    try:
        return label_of(enum(str(value)))
    except ValueError:
        return "" if value is None else str(value)
