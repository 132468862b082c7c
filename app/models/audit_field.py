"""The fields an audit entry keeps before and after a decision, with their labels."""

from __future__ import annotations

from enum import StrEnum

from app.i18n import N_


class AuditField(StrEnum):
    """A field an audit entry keeps before and after a decision."""

    # a project's record
    phase = "phase"
    status = "status"
    reason = "reason"
    merged_into_id = "merged_into_id"
    hidden = "hidden"
    hidden_reason = "hidden_reason"
    title_ = "title"  # `title` would hide the str method
    audience = "audience"
    published = "published"
    withdrawn = "withdrawn"
    published_at = "published_at"
    summary_published = "summary_published"
    proposal_id = "proposal_id"
    field = "field"
    attachment_id = "attachment_id"
    decision = "decision"
    kind = "kind"
    starts_at = "starts_at"
    ends_at = "ends_at"
    capacity = "capacity"
    slot_minutes = "slot_minutes"
    slots = "slots"
    minutes_published_at = "minutes_published_at"
    problem = "problem"
    affected = "affected"
    body = "body"
    summary = "summary"
    innovation_ambition = "innovation_ambition"
    visibility = "visibility"
    partners = "partners"
    themes = "themes"
    language = "language"
    login_level = "login_level"
    theme = "theme"
    held = "held"
    state = "state"
    hold_first = "hold_first"
    text = "text"
    weight = "weight"
    version = "version"
    specification_final = "specification_final"
    deadline = "deadline"
    audiences = "audiences"
    relation = "relation"
    rationale = "rationale"
    source = "source"
    requirement_id = "requirement_id"
    confidential = "confidential"
    # an organisation's record
    user_id = "user_id"
    role = "role"
    is_org_admin = "is_org_admin"
    vouched_by = "vouched_by"
    domain = "domain"
    email = "email"
    name = "name"
    org_number = "org_number"
    org_number_verified = "org_number_verified"
    deactivated = "deactivated"
    retention_months = "retention_months"
    default_language = "default_language"
    accent_colour = "accent_colour"
    logo = "logo"
    # a self-assessment on an organisation's record
    round_ = "round"  # `round` would hide the builtin
    unit = "unit"
    closed_at = "closed_at"
    outcome = "outcome"
    dimension = "dimension"
    indicator = "indicator"
    owner_id = "owner_id"
    due = "due"


AUDIT_FIELD_LABELS: dict[str, str] = {
    AuditField.phase: N_("Phase"),
    AuditField.status: N_("State"),
    AuditField.reason: N_("Reason"),
    AuditField.merged_into_id: N_("Merged into need"),
    AuditField.hidden: N_("Hidden"),
    AuditField.hidden_reason: N_("Reason for hiding"),
    AuditField.title_: N_("Title"),
    AuditField.audience: N_("Who may see it"),
    AuditField.published: N_("Published"),
    AuditField.withdrawn: N_("Withdrawn"),
    AuditField.published_at: N_("Published at"),
    AuditField.summary_published: N_("Summary published"),
    AuditField.proposal_id: N_("Proposal"),
    AuditField.field: N_("Part of the proposal"),
    AuditField.attachment_id: N_("Attachment"),
    AuditField.decision: N_("Decision"),
    AuditField.kind: N_("Kind"),
    AuditField.starts_at: N_("Starts"),
    AuditField.ends_at: N_("Ends"),
    AuditField.capacity: N_("Places"),
    AuditField.slot_minutes: N_("Minutes per meeting"),
    AuditField.slots: N_("Meeting times"),
    AuditField.minutes_published_at: N_("Minutes published at"),
    AuditField.problem: N_("What must get better"),
    AuditField.affected: N_("Who is affected"),
    AuditField.body: N_("Text"),
    AuditField.summary: N_("Summary"),
    AuditField.innovation_ambition: N_("Innovation ambition"),
    AuditField.visibility: N_("Visibility"),
    AuditField.partners: N_("Partner municipalities"),
    AuditField.themes: N_("Themes"),
    AuditField.language: N_("Language"),
    AuditField.login_level: N_("Login needed to take part"),
    AuditField.theme: N_("Theme"),
    AuditField.held: N_("Awaiting review"),
    AuditField.state: N_("State of the report"),
    AuditField.hold_first: N_("Holds a new account's first contribution for review"),
    AuditField.text: N_("Text"),
    AuditField.weight: N_("Weight"),
    AuditField.version: N_("Version"),
    AuditField.specification_final: N_("Specification final"),
    AuditField.deadline: N_("Deadline"),
    AuditField.audiences: N_("Audiences"),
    AuditField.relation: N_("Relation"),
    AuditField.rationale: N_("Rationale"),
    AuditField.source: N_("Source"),
    AuditField.requirement_id: N_("Requirement"),
    AuditField.confidential: N_("Confidential"),
    AuditField.user_id: N_("Concerns"),
    AuditField.role: N_("Role"),
    AuditField.is_org_admin: N_("Administrator of the organisation"),
    AuditField.vouched_by: N_("Vouched for by"),
    AuditField.domain: N_("E-mail domain"),
    AuditField.email: N_("E-mail address"),
    AuditField.name: N_("Name"),
    AuditField.org_number: N_("Organisation number"),
    AuditField.org_number_verified: N_("Organisation number verified"),
    AuditField.deactivated: N_("Deactivated"),
    AuditField.retention_months: N_("Months personal data is kept after a project closes"),
    AuditField.default_language: N_("Written standard (målform)"),
    AuditField.accent_colour: N_("Accent colour"),
    AuditField.logo: N_("Logo"),
    AuditField.round_: N_("Self-assessment round"),
    AuditField.unit: N_("Unit"),
    AuditField.closed_at: N_("Closed at"),
    AuditField.outcome: N_("Outcome"),
    AuditField.dimension: N_("Dimension"),
    AuditField.indicator: N_("Indicator"),
    AuditField.owner_id: N_("Owner"),
    AuditField.due: N_("Due date"),
}
