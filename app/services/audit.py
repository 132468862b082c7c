"""The audit log: written in the same transaction as the decision it records, read as a record.

A project's entries are read by its procurers; an organisation's (memberships, domains,
invitations) by its administrators. Every entry says whether the actor used platform
administrator powers. The read side pages by id, filters by action and kind of object, and
puts each entry in words (labels, titles, dates in the site's time zone) for the pages and
the CSV export alike.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.i18n import N_, TIMEZONE, format_time, gettext
from app.models import (
    AuditEntry,
    Comment,
    DialogueEvent,
    Document,
    EventRegistration,
    Invitation,
    MaturityAction,
    MaturityRespondent,
    MaturityRound,
    MeetingSlot,
    Membership,
    Need,
    Organisation,
    OrganisationDomain,
    Project,
    Proposal,
    ProposalAttachment,
    Question,
    SecrecyClaim,
    User,
)
from app.models.audit import (
    AUDIT_VALUE_LABELS,
    AuditEntryPublic,
    AuditFilter,
)
from app.models.base import Role, id_of
from app.models.vocabulary import AuditAction, AuditField, ObjectType, label_for, label_of
from app.services import permissions
from app.services.permissions import OrganisationRelation, ProjectRelation


def record(
    session: Session,
    *,
    actor: User,
    project: Project | None = None,
    organisation: Organisation | None = None,
    action: str,
    object_type: str,
    object_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    rationale: str | None = None,
) -> AuditEntry:
    """Append one audit entry, on a project's or an organisation's record (flushes only)."""
    if (project is None) == (organisation is None):
        raise ValueError("an audit entry belongs to exactly one project or organisation")
    entry = AuditEntry(
        project_id=id_of(project) if project else None,
        organisation_id=id_of(organisation) if organisation else None,
        actor_id=id_of(actor),
        actor_role=actor.role,
        as_platform_admin=actor.role == Role.admin,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        rationale=rationale or None,
    )
    session.add(entry)
    session.flush()
    return entry


# ---- reading the log ----------------------------------------------------------------------------


EVERYTHING = AuditFilter()
# The decisions on an organisation's record; every other action is on a project's.
ORGANISATION_ACTIONS = frozenset(
    {
        AuditAction.membership_requested,
        AuditAction.membership_granted,
        AuditAction.membership_activated_by_domain,
        AuditAction.membership_approved,
        AuditAction.membership_declined,
        AuditAction.membership_revoked,
        AuditAction.org_admin_granted,
        AuditAction.domain_added,
        AuditAction.domain_removed,
        AuditAction.invitation_sent,
        AuditAction.invitation_accepted,
        AuditAction.company_registered,
        AuditAction.organisation_created,
        AuditAction.org_number_verified,
        AuditAction.organisation_deactivated,
        AuditAction.organisation_look_set,
        AuditAction.organisation_logo_set,
        AuditAction.maturity_round_opened,
        AuditAction.maturity_respondent_invited,
        AuditAction.maturity_respondent_removed,
        AuditAction.maturity_round_closed,
        AuditAction.maturity_action_added,
        AuditAction.maturity_action_changed,
    }
)
ORGANISATION_OBJECTS = frozenset(
    {ObjectType.organisation, ObjectType.membership, ObjectType.domain, ObjectType.invitation}
)
# Kinds of object a project's entries are about (phase moves are recorded on the project).
PROJECT_OBJECTS = frozenset(
    {
        ObjectType.project,
        ObjectType.need,
        ObjectType.comment,
        ObjectType.question,
        ObjectType.document,
        ObjectType.proposal,
        ObjectType.secrecy_claim,
        ObjectType.dialogue_event,
        ObjectType.event_registration,
    }
)


def filter_choices(*, organisation: bool) -> dict[str, list[tuple[str, str]]]:
    """The actions and kinds of object a log's filter offers, as (value, label) by label."""
    actions = [a for a in AuditAction if (a in ORGANISATION_ACTIONS) == organisation]
    objects = ORGANISATION_OBJECTS if organisation else PROJECT_OBJECTS
    return {
        "action": sorted(((a.value, label_of(a)) for a in actions), key=lambda c: c[1]),
        "object_type": sorted(((o.value, label_of(o)) for o in objects), key=lambda c: c[1]),
    }


@dataclass(frozen=True)
class AuditPage:
    """One page of a log: oldest first after `after_id`, or newest first before `before_id`
    (0: from the newest), at most `limit` entries."""

    after_id: int = 0
    before_id: int = 0
    newest_first: bool = False
    limit: int = 500


def list_for_project(
    session: Session,
    *,
    rel: ProjectRelation,
    page: AuditPage = AuditPage(),
    only: AuditFilter = EVERYTHING,
) -> list[AuditEntryPublic]:
    """One page of the project's audit entries with the actor's name (procurers only)."""
    permissions.ensure_can_read_audit(rel)
    return _entries(session, AuditEntry.project_id == rel.project.id, page, only)


def list_for_organisation(
    session: Session,
    *,
    rel: OrganisationRelation,
    page: AuditPage = AuditPage(),
    only: AuditFilter = EVERYTHING,
) -> list[AuditEntryPublic]:
    """One page of the organisation's audit entries (its administrators only)."""
    permissions.ensure_org_admin(rel)
    return _entries(session, AuditEntry.organisation_id == rel.organisation.id, page, only)


def _entries(
    session: Session, scope: Any, page: AuditPage, only: AuditFilter
) -> list[AuditEntryPublic]:
    """One log's entries on one page, with each actor's name."""
    query = (
        select(AuditEntry, User.display_name)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .where(scope, col(AuditEntry.id) > page.after_id)
    )
    if page.before_id:
        query = query.where(col(AuditEntry.id) < page.before_id)
    if only.action is not None:
        query = query.where(col(AuditEntry.action) == only.action.value)
    if only.object_type is not None:
        query = query.where(col(AuditEntry.object_type) == only.object_type.value)
    order = col(AuditEntry.id).desc() if page.newest_first else col(AuditEntry.id)
    return [
        AuditEntryPublic.model_validate(entry, update={"actor_name": name})
        for entry, name in session.exec(query.order_by(order).limit(page.limit)).all()
    ]


# ---- the log as people read it ------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A recorded thing as a person reads it, with the page it lives on when it has one."""

    text: str
    href: str | None = None


@dataclass(frozen=True)
class AuditRow:
    """One entry in words: the action's and the actor role's labels, the object by its title,
    and every recorded field by its label with its value as people read it."""

    entry: AuditEntryPublic
    action: str
    role: str
    subject: Shown
    before: list[tuple[str, Shown]]
    after: list[tuple[str, Shown]]

    @property
    def at_iso(self) -> str:
        """When, in ISO 8601 in the site's time zone."""
        return local_iso(self.entry.at)

    def changes(self) -> str:
        """The fields that changed, one `Field: before → after` each (creations: `Field: value`)."""
        before, after = dict(self.before), dict(self.after)
        parts = []
        for label in dict.fromkeys([*before, *after]):
            old, new = before.get(label), after.get(label)
            if old == new:
                continue
            if old is None or new is None:
                parts.append(f"{label}: {(old or new or NOTHING).text}")
            else:
                parts.append(f"{label}: {old.text} → {new.text}")
        return "; ".join(parts)


NOTHING = Shown("—")


def readable(session: Session, entries: Sequence[AuditEntryPublic]) -> list[AuditRow]:
    """The entries in words, in the current language; one query per kind of object named."""
    names = _names(session, entries)
    return [
        AuditRow(
            entry=entry,
            action=label_for(AuditAction, entry.action),
            role=label_for(Role, entry.actor_role),
            subject=_subject(entry, names),
            before=_fields(entry.object_type, entry.before, names),
            after=_fields(entry.object_type, entry.after, names),
        )
        for entry in entries
    ]


# Values that name another record, and the kind of record they name.
_REFERENCES: dict[str, str] = {
    AuditField.merged_into_id: "need",
    AuditField.proposal_id: "proposal",
    AuditField.attachment_id: "attachment",
    AuditField.user_id: "user",
    AuditField.owner_id: "user",
    AuditField.round_: ObjectType.maturity_round,
}
_MOMENTS: frozenset[str] = frozenset(
    {
        AuditField.published_at,
        AuditField.minutes_published_at,
        AuditField.starts_at,
        AuditField.ends_at,
        AuditField.deadline,
        AuditField.closed_at,
    }
)


def _fields(
    object_type: str, values: dict[str, Any] | None, names: _Names
) -> list[tuple[str, Shown]]:
    return [
        (label_for(AuditField, key), _value(object_type, key, value, names))
        for key, value in (values or {}).items()
    ]


def _value(object_type: str, key: str, value: Any, names: _Names) -> Shown:
    """A recorded value as a person reads it: labels, yes/no, dates, titles, a dash for nothing."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return Shown(gettext("Yes") if value else gettext("No"))
    if isinstance(value, list):  # several values of one field, such as a hearing's audiences
        return Shown(", ".join(_value(object_type, key, item, names).text for item in value))
    if key in _REFERENCES and isinstance(value, int):
        missing = Shown(_numbered(label_for(AuditField, key), value))
        return names.get((_REFERENCES[key], value)) or missing
    if key in _MOMENTS and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return Shown(format_time(datetime.fromisoformat(value)))
    labels = AUDIT_VALUE_LABELS.get((key, object_type)) or AUDIT_VALUE_LABELS.get((key, "*"), {})
    return Shown(gettext(labels[value]) if value in labels else str(value))


def _numbered(kind: str, object_id: int) -> str:
    """A record the log names but that is gone (or was never read): its kind and number."""
    return gettext("%(kind)s no. %(id)s", kind=kind, id=object_id)


# How the subject of an entry reads, by kind; any other kind reads `Kind “title”`.
_SUBJECTS = {
    ObjectType.comment: N_("Comment on “%(title)s”"),
    ObjectType.secrecy_claim: N_("Secrecy claim in “%(title)s”"),
    ObjectType.event_registration: N_("Registration for “%(title)s”"),
    ObjectType.meeting_slot: N_("One-to-one meeting in “%(title)s”"),
    ObjectType.membership: N_("Membership of %(title)s"),
    ObjectType.invitation: N_("Invitation to %(title)s"),
    ObjectType.domain: N_("E-mail domain %(title)s"),
}


def _subject(entry: AuditEntryPublic, names: _Names) -> Shown:
    named = names.get((entry.object_type, entry.object_id))
    if named is None and entry.object_type == ObjectType.domain:  # a removed domain has no row
        domain = (entry.before or entry.after or {}).get(AuditField.domain)
        named = Shown(str(domain)) if domain else None
    if named is None:
        return Shown(_numbered(label_for(ObjectType, entry.object_type), entry.object_id))
    if entry.object_type in _SUBJECTS:
        return Shown(
            gettext(_SUBJECTS[ObjectType(entry.object_type)], title=named.text), named.href
        )
    kind = label_for(ObjectType, entry.object_type)
    return Shown(gettext("%(kind)s “%(title)s”", kind=kind, title=named.text), named.href)


_Names = dict[tuple[str, int], Shown]


def _names(session: Session, entries: Sequence[AuditEntryPublic]) -> _Names:
    """The title of every object the entries name, one query per kind of object."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        wanted.setdefault(entry.object_type, set()).add(entry.object_id)
        for values in (entry.before, entry.after):
            for key, value in (values or {}).items():
                if key in _REFERENCES and isinstance(value, int):
                    wanted.setdefault(_REFERENCES[key], set()).add(value)
    names: _Names = {}
    for kind, ids in wanted.items():
        if kind in _TITLES:
            query, page = _TITLES[kind]
            for object_id, title, key in session.exec(query(ids)).all():
                href = page.format(key) if page else None
                names[(kind, object_id)] = Shown(_short(str(title)), href)
    return names


def _short(title: str, most: int = 80) -> str:
    title = " ".join(title.split())
    return title if len(title) <= most else title[: most - 1] + "…"


def _titles(
    model: Any, title: Any, page: Any = None, join: Any = None
) -> Callable[[set[int]], Any]:
    """A query for the id, title and page key (the id of the page to link) of rows among ids."""

    def query(ids: set[int]) -> Any:
        statement = select(model.id, title, model.id if page is None else page)
        if join is not None:
            statement = statement.join(*join)
        return statement.where(col(model.id).in_(ids))

    return query


_ON_NEED = (Need, col(Need.id) == Comment.need_id)
_ON_PROPOSAL = (Proposal, col(Proposal.id) == SecrecyClaim.proposal_id)
_ON_ROUND = (MaturityRound, col(MaturityRound.id) == MaturityRespondent.round_id)
_TITLES: dict[str, tuple[Callable[[set[int]], Any], str | None]] = {
    ObjectType.project: (_titles(Project, Project.title), "/projects/{}"),
    ObjectType.need: (_titles(Need, Need.title), "/needs/{}"),
    ObjectType.comment: (_titles(Comment, Need.title, Comment.need_id, _ON_NEED), "/needs/{}"),
    ObjectType.question: (
        _titles(
            Question, sa.func.coalesce(Question.public_question, Question.body), Question.project_id
        ),
        "/projects/{}/questions",
    ),
    ObjectType.document: (
        _titles(Document, Document.title, Document.project_id),
        "/projects/{}/documents",
    ),
    ObjectType.proposal: (_titles(Proposal, Proposal.title), "/proposals/{}"),
    ObjectType.secrecy_claim: (
        _titles(SecrecyClaim, Proposal.title, SecrecyClaim.proposal_id, _ON_PROPOSAL),
        "/proposals/{}",
    ),
    ObjectType.dialogue_event: (_titles(DialogueEvent, DialogueEvent.title), "/events/{}"),
    ObjectType.event_registration: (
        _titles(
            EventRegistration,
            DialogueEvent.title,
            EventRegistration.event_id,
            (DialogueEvent, col(DialogueEvent.id) == EventRegistration.event_id),
        ),
        "/events/{}",
    ),
    ObjectType.meeting_slot: (
        _titles(
            MeetingSlot,
            DialogueEvent.title,
            MeetingSlot.event_id,
            (DialogueEvent, col(DialogueEvent.id) == MeetingSlot.event_id),
        ),
        "/events/{}",
    ),
    ObjectType.organisation: (_titles(Organisation, Organisation.name), None),
    ObjectType.membership: (
        _titles(Membership, User.display_name, join=(User, col(User.id) == Membership.user_id)),
        None,
    ),
    ObjectType.domain: (_titles(OrganisationDomain, OrganisationDomain.domain), None),
    ObjectType.invitation: (_titles(Invitation, Invitation.email), None),
    ObjectType.maturity_round: (_titles(MaturityRound, MaturityRound.title), "/maturity/rounds/{}"),
    ObjectType.maturity_respondent: (
        _titles(MaturityRespondent, MaturityRound.title, MaturityRespondent.round_id, _ON_ROUND),
        "/maturity/rounds/{}",
    ),
    ObjectType.maturity_action: (
        _titles(MaturityAction, MaturityAction.title, MaturityAction.round_id),
        "/maturity/rounds/{}/actions",
    ),
    "user": (_titles(User, User.display_name), None),
    "attachment": (_titles(ProposalAttachment, ProposalAttachment.filename), None),
}


# ---- the export ---------------------------------------------------------------------------------

CSV_COLUMNS = (
    N_("Time"),
    N_("Who"),
    N_("Role"),
    N_("Action"),
    N_("Object"),
    N_("Changes"),
    N_("Rationale"),
)


CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# An export: the whole log, newest first (far more entries than a project's log holds).
EXPORT = AuditPage(newest_first=True, limit=100_000)


def csv_text(rows: Sequence[AuditRow]) -> str:
    """The rows as CSV with a header, in the current language; times in ISO 8601 with offset.

    It starts with a byte-order mark, so spreadsheets read it as UTF-8 (æ, ø, å).
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([gettext(column) for column in CSV_COLUMNS])
    for row in rows:
        entry = row.entry
        who = entry.actor_name
        if entry.as_platform_admin:
            who = f"{who} ({gettext('as platform administrator')})"
        cells = [row.role, row.action, row.subject.text, row.changes(), entry.rationale or ""]
        writer.writerow([local_iso(entry.at), inert_cell(who), *map(inert_cell, cells)])
    return buffer.getvalue()


def local_iso(moment: datetime) -> str:
    """A stored moment in the site's time zone, ISO 8601 with its offset."""
    if moment.tzinfo is None:  # SQLite hands timestamps back without a zone: they are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE).isoformat(timespec="seconds")


def inert_cell(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
