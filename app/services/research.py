"""Research studies, participants' consent, and the pseudonymised research export.

The export is a Frictionless Data Package (a zip of CSV tables and `datapackage.json`). What it
holds follows the study's legal basis and the platform's own visibility rules:

- participants appear only as keyed pseudonyms: HMAC-SHA256 of the user id with the study's
  secret (kept in the database, never exported or returned), so they are stable within a study
  and cannot be linked across studies;
- with consent as the legal basis, only rows of participants whose consent stands are exported;
  an event answering someone who did not consent keeps its row but loses the addressee;
- the participation log as `permissions` lets anyone but the project's procurers see it: no
  unpublished question or proposal, no booking, no secrecy claim, no confidential proposal
  content; private acts (asking, registering, attending) without their actor's pseudonym, and a
  question's asking dated at its publication;
- an anonymous need's author is never linked to it: the need, its posting and the author's own
  comments and supports on it carry a pseudonym of the need's own and no organisation; events
  answering the author name no addressee; under consent these rows are left out altogether,
  since keeping them only while the author consents would tie them to the author's pseudonym
  when the author withdraws;
- only what happened within the study's period (events, needs and comments by when they
  happened or were posted, proposals by when their summary was published);
- free text (need texts, comment bodies, proposal titles and summaries) only when the study
  allows it and the export asks for it;
- organisation ids only of public bodies (municipalities, counties): a supplier company's id
  would tell who asked or booked, and a one-person company is a person;
- the aggregate table suppresses cells with fewer than `MIN_CELL` distinct people.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, null, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import (
    Comment,
    Need,
    Organisation,
    ParticipationEvent,
    Project,
    ProjectPartner,
    Proposal,
    ProposalNeed,
    Study,
    StudyConsent,
    StudyProject,
    Support,
    User,
)
from app.models.base import OrganisationKind, Role, id_of, utcnow
from app.models.proposal import ProposalStatus
from app.models.research import LegalBasis, StudyCreate, StudyPublic
from app.services import permissions
from app.services.errors import Conflict, Forbidden, NotFound

MIN_CELL = 5  # aggregate cells with fewer distinct people than this are suppressed
PUBLIC_BODIES = (OrganisationKind.municipality, OrganisationKind.county)
SUPPRESSED_NOTE = f"suppressed: fewer than {MIN_CELL} people"
TABLES = (
    "projects",
    "participation_events",
    "needs",
    "comments",
    "proposals",
    "participation_by_role_and_phase",
)


def columns(*items: Any) -> Select[Any]:
    """A SELECT of many columns (typed loosely: model attributes read as Python values)."""
    return sa_select(*items)


# ---- studies and consent ------------------------------------------------------------------------


def may_register_study(user: User) -> bool:
    """Whether the user may register studies: researchers and admins."""
    return user.role in (Role.researcher, Role.admin)


def ensure_can_register_study(user: User | None) -> User:
    """Researchers and admins register studies."""
    user = permissions.require_user(user)
    if not may_register_study(user):
        raise Forbidden("Only researchers and admins can register a study.")
    return user


def register_study(session: Session, *, user: User | None, data: StudyCreate) -> Study:
    """Register a study; its projects must be ones the researcher may see."""
    user = ensure_can_register_study(user)
    project_ids = sorted(set(data.project_ids))
    for project_id in project_ids:
        permissions.viewable_project(session, user, project_id)
    study = Study.model_validate(
        data.model_dump(exclude={"project_ids"}),
        update={
            "registered_by_id": id_of(user),
            "pseudonym_secret": secrets.token_hex(32),
            "all_projects": not project_ids,
        },
    )
    session.add(study)
    session.flush()
    for project_id in project_ids:
        session.add(StudyProject(study_id=id_of(study), project_id=project_id))
    session.flush()
    return study


def _sees_all_studies(user: User) -> bool:
    return user.role in (Role.researcher, Role.admin)


def _visible_studies_clause(user: User) -> ColumnElement[bool]:
    """Researchers and admins see every study; others those they can consent to."""
    if _sees_all_studies(user):
        return true()
    return col(Study.legal_basis) == LegalBasis.consent


def get_study(session: Session, *, user: User | None, study_id: int) -> Study:
    """A study the user may see, or 404."""
    user = permissions.require_user(user)
    study = session.exec(
        select(Study).where(col(Study.id) == study_id, _visible_studies_clause(user))
    ).first()
    if study is None:
        raise NotFound("No such study.")
    return study


def list_studies(session: Session, *, user: User | None) -> list[Study]:
    """The studies this user may see, newest first."""
    user = permissions.require_user(user)
    query = select(Study).where(_visible_studies_clause(user)).order_by(col(Study.id).desc())
    return list(session.exec(query).all())


def present(session: Session, *, user: User, studies: Sequence[Study]) -> list[StudyPublic]:
    """Studies as the API shows them: scope and the caller's consent, never the secret."""
    ids = [id_of(s) for s in studies]
    scopes: dict[int, list[int]] = {i: [] for i in ids}
    for study_id, project_id in session.exec(
        select(StudyProject.study_id, StudyProject.project_id)
        .where(col(StudyProject.study_id).in_(ids))
        .order_by(col(StudyProject.project_id))
    ).all():
        scopes[study_id].append(project_id)
    consenting = set(
        session.exec(
            select(StudyConsent.study_id).where(
                col(StudyConsent.study_id).in_(ids),
                StudyConsent.user_id == user.id,
                col(StudyConsent.withdrawn_at).is_(None),
            )
        ).all()
    )
    return [
        StudyPublic.model_validate(
            study,
            update={
                "project_ids": scopes[id_of(study)],
                "consented": id_of(study) in consenting
                if study.legal_basis == LegalBasis.consent
                else None,
            },
            from_attributes=True,
        )
        for study in studies
    ]


def project_titles(
    session: Session, *, user: User, studies: Sequence[StudyPublic]
) -> dict[int, str]:
    """Titles of the studies' projects, only of those the user may see."""
    ids = {project_id for study in studies for project_id in study.project_ids}
    if not ids:
        return {}
    query = select(Project.id, Project.title).where(
        col(Project.id).in_(ids), permissions.visible_projects_clause(user)
    )
    return {project_id: title for project_id, title in session.exec(query).all() if project_id}


def _consent_row(session: Session, study: Study, user: User) -> StudyConsent | None:
    query = select(StudyConsent).where(
        StudyConsent.study_id == study.id, StudyConsent.user_id == user.id
    )
    return session.exec(query).first()


def give_consent(session: Session, *, user: User | None, study_id: int) -> Study:
    """Consent to a consent-based study whose period has not ended (again, after withdrawing)."""
    user = permissions.require_user(user)
    study = get_study(session, user=user, study_id=study_id)
    if study.legal_basis != LegalBasis.consent:
        raise Conflict("This study does not ask for consent: it is based on public interest.")
    if study.period_end < date.today():
        raise Conflict("This study has ended and no longer takes consent.")
    row = _consent_row(session, study, user)
    if row is None:
        session.add(StudyConsent(study_id=id_of(study), user_id=id_of(user)))
    elif row.withdrawn_at is not None:
        row.given_at = utcnow()
        row.withdrawn_at = None
        session.add(row)
    session.flush()
    return study


def withdraw_consent(session: Session, *, user: User | None, study_id: int) -> Study:
    """Withdraw consent; later exports leave the user's rows out. Withdrawing twice is harmless."""
    user = permissions.require_user(user)
    study = get_study(session, user=user, study_id=study_id)
    row = _consent_row(session, study, user)
    if row is not None and row.withdrawn_at is None:
        row.withdrawn_at = utcnow()
        session.add(row)
        session.flush()
    return study


# ---- the export ---------------------------------------------------------------------------------


def may_export(user: User, study: Study | StudyPublic) -> bool:
    """Whether the user may export the study: its registering researcher, and admins."""
    return user.role == Role.admin or study.registered_by_id == user.id


def ensure_can_export(session: Session, *, user: User | None, study_id: int) -> Study:
    """Only the researcher who registered the study, and admins, export it."""
    user = permissions.require_user(user)
    study = get_study(session, user=user, study_id=study_id)
    if not may_export(user, study):
        raise Forbidden("Only the researcher who registered the study can export its data.")
    return study


def pseudonym(study: Study, user_id: int) -> str:
    """The participant's pseudonym in this study: HMAC-SHA256 of the user id, keyed per study."""
    key = study.pseudonym_secret.encode()
    return hmac.new(key, f"user:{user_id}".encode(), hashlib.sha256).hexdigest()


@dataclass
class ExportSummary:
    """What an export wrote: rows per table."""

    rows: dict[str, int] = field(default_factory=dict)


Progress = Callable[[str], None]


def _iso(moment: datetime | None) -> str:
    """UTC to the second, e.g. 2025-01-06T08:00:00Z (`isoformat` is several times faster than
    `strftime`, which with its conversions was a sixth of an export)."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    # else: SQLite hands back naive UTC
    return moment.isoformat(timespec="seconds") + "Z"


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


class _Scope:
    """The study's projects and participants, as SQL the export's queries share."""

    def __init__(self, session: Session, study: Study) -> None:
        self.study = study
        self._pseudonyms: dict[int, str] = {}
        registrant = session.get(User, study.registered_by_id)
        projects = select(col(Project.id)).where(permissions.visible_projects_clause(registrant))
        if not study.all_projects:
            projects = projects.where(
                col(Project.id).in_(
                    select(col(StudyProject.project_id)).where(StudyProject.study_id == study.id)
                )
            )
        self.projects = projects
        self.consenting = select(col(StudyConsent.user_id)).where(
            StudyConsent.study_id == study.id, col(StudyConsent.withdrawn_at).is_(None)
        )
        self.anonymous_needs = select(col(Need.id)).where(col(Need.anonymous).is_(True))
        self.period_start = datetime.combine(study.period_start, time.min, UTC)
        self.period_end = datetime.combine(study.period_end + timedelta(days=1), time.min, UTC)
        self.public_orgs = select(col(Organisation.id)).where(
            col(Organisation.kind).in_(PUBLIC_BODIES)
        )

    def anonymous_pseudonym(self, need_id: int) -> str:
        """The pseudonym of an anonymous need's author on that need: links to nothing else."""
        key = self.study.pseudonym_secret.encode()
        subject = f"anonymous-need:{need_id}".encode()
        return hmac.new(key, subject, hashlib.sha256).hexdigest()

    def in_period(self, moment: Any) -> ColumnElement[bool]:
        """Whether a moment falls within the study's period (both days included)."""
        return and_(moment >= self.period_start, moment < self.period_end)

    def anonymous_rows(self, anonymous_need: Any) -> ColumnElement[bool]:
        """Rows to keep of an anonymous need's author on it (`anonymous_need`: the need's id, or
        NULL for everyone else's rows): under consent none, see the module's docstring."""
        if self.study.legal_basis == LegalBasis.consent:
            return anonymous_need.is_(None)
        return true()

    def pseudonym(self, user_id: int | None) -> str:
        """The person's pseudonym in the study (computed once per person), or empty."""
        if user_id is None:
            return ""
        if user_id not in self._pseudonyms:
            self._pseudonyms[user_id] = pseudonym(self.study, user_id)
        return self._pseudonyms[user_id]

    def included(self, person: Any) -> ColumnElement[bool]:
        """Whether a person's rows may be exported under the study's legal basis."""
        if self.study.legal_basis == LegalBasis.consent:
            return person.in_(self.consenting)
        return true()

    def public_org(self, org_id: Any) -> Any:
        return case((org_id.in_(self.public_orgs), org_id), else_=null())

    def events_clause(self) -> ColumnElement[bool]:
        """Events of the study's projects, within its period, that anyone but the projects'
        procurers may see (`permissions`) and the basis allows."""
        e = ParticipationEvent
        return and_(
            col(e.project_id).in_(self.projects),
            self.included(col(e.actor_id)),
            permissions.outsiders_participation_clause(col(e.project_id)),
            self.in_period(permissions.participation_moment(None)),
            self.anonymous_rows(_anonymous_need_of_event()),
        )


def _anonymous_need_of_event() -> Any:
    """The anonymous need an event is its author's own act on (posting it, supporting it, a
    comment under it), in SQL; NULL for every other event."""
    e = ParticipationEvent
    own_need = (
        select(col(Need.id))
        .where(
            col(Need.id) == e.object_id,
            col(Need.anonymous).is_(True),
            col(Need.author_id) == e.actor_id,
        )
        .correlate(e)
        .scalar_subquery()
    )
    own_comment = (
        select(col(Need.id))
        .join(Comment, col(Comment.need_id) == Need.id)
        .where(
            col(Comment.id) == e.object_id,
            col(Need.anonymous).is_(True),
            col(Need.author_id) == e.actor_id,
        )
        .correlate(e)
        .scalar_subquery()
    )
    kind = col(e.object_type)
    return case((kind == "need", own_need), (kind == "comment", own_comment), else_=null())


def _anonymous_need_of_comment() -> Any:
    """The anonymous need a comment is its author's own on, in SQL (with Need joined)."""
    own = and_(col(Need.anonymous).is_(True), col(Need.author_id) == Comment.author_id)
    return case((own, col(Need.id)), else_=null())


def _published_proposal() -> ColumnElement[bool]:
    return and_(
        col(Proposal.summary_published).is_(True), col(Proposal.status) != ProposalStatus.withdrawn
    )


@dataclass(frozen=True)
class Column:
    """One exported field: its name, Table Schema type, description and constraints."""

    name: str
    type: str
    description: str
    constraints: dict[str, Any] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        out["description"] = self.description
        if self.constraints:
            out["constraints"] = self.constraints
        return out


PSEUDONYM = {"pattern": "[0-9a-f]{64}"}
ROLES = {"enum": [r.value for r in Role]}
ORG_KINDS = {"enum": [k.value for k in OrganisationKind]}
REQUIRED = {"required": True}
KEY = {"required": True, "unique": True}


def _ts(name: str, description: str, required: bool = False) -> Column:
    return Column(name, "datetime", description + " (UTC)", REQUIRED if required else {})


@dataclass
class Table:
    """One CSV resource of the package."""

    name: str
    title: str
    description: str
    columns: list[Column]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)
    rows: Iterable[Sequence[Any]] = ()

    def resource(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [c.schema() for c in self.columns],
            "primaryKey": self.primary_key,
            "missingValues": [""],
        }
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return {
            "name": self.name,
            "type": "table",
            "path": f"{self.name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": self.title,
            "description": self.description,
            "schema": schema,
        }


def _project_fk(field_name: str = "project_id") -> dict[str, Any]:
    return {"fields": [field_name], "reference": {"resource": "projects", "fields": ["project_id"]}}


def _rows(session: Session, query: Select[Any], batch: int = 5000) -> Iterator[Any]:
    """The query's rows, fetched `batch` at a time (a server-side cursor on PostgreSQL), so a
    table never sits whole in memory. Run on the session's connection, as plain Core: the rows
    are tuples of columns, and the ORM's per-row loading cost a seventh of an export."""
    yield from session.connection().execute(query.execution_options(yield_per=batch))


def _projects_table(session: Session, scope: _Scope) -> Table:
    owner = aliased(Organisation)
    partners: dict[int, list[str]] = {}
    for project_id, org_id in session.execute(
        select(ProjectPartner.project_id, ProjectPartner.organisation_id)
        .where(col(ProjectPartner.project_id).in_(scope.projects))
        .order_by(col(ProjectPartner.organisation_id))
    ):
        partners.setdefault(project_id, []).append(str(org_id))
    query = (
        columns(
            Project.id,
            Project.title,
            Project.summary,
            Project.service_area,
            Project.innovation_ambition,
            Project.visibility,
            Project.phase,
            Project.owner_org_id,
            owner.kind,
            Project.citizens_may_post,
            Project.created_at,
        )
        .join(owner, col(owner.id) == Project.owner_org_id)
        .where(col(Project.id).in_(scope.projects))
        .order_by(col(Project.id))
    )

    def rows() -> Iterator[list[Any]]:
        for r in _rows(session, query):
            yield [*r[:9], " ".join(partners.get(r[0], [])), _bool(r[9]), _iso(r[10])]

    return Table(
        "projects",
        "Projects",
        "The innovation-procurement projects in the study's scope, as their procurers describe "
        "them (official project information, not personal data). Research question 1 reads the "
        "innovation ambition.",
        [
            Column("project_id", "integer", "The project's id on the platform", KEY),
            Column("title", "string", "The project's title", REQUIRED),
            Column("summary", "string", "The project's summary"),
            Column("service_area", "string", "The service area the project changes"),
            Column(
                "innovation_ambition",
                "string",
                "The intended change in service practice (research question 1)",
            ),
            Column(
                "visibility", "string", "Who may see the project", {"enum": ["public", "internal"]}
            ),
            Column("phase", "string", "The project's phase when exported"),
            Column("owner_org_id", "integer", "The owning public body's organisation id"),
            Column("owner_org_kind", "string", "The owning organisation's kind", ORG_KINDS),
            Column(
                "partner_org_ids",
                "string",
                "Partner organisations in a joint procurement: ids separated by spaces",
            ),
            Column("citizens_may_post", "boolean", "Whether citizens may post needs"),
            _ts("created_at", "When the project was opened", required=True),
        ],
        ["project_id"],
        rows=rows(),
    )


def _events_table(session: Session, scope: _Scope, progress: Progress | None) -> Table:
    e = ParticipationEvent
    verb = col(e.verb)
    object_id = col(e.object_id)
    # A private act (asking, registering, attending) names no actor (`permissions`).
    private = verb.in_(permissions.PRIVATE_ACTOR_VERBS)
    anonymous_need = _anonymous_need_of_event()
    # The addressee of an act on an anonymous need (a status decision, a support) or in its
    # thread (a comment, a reply to the author's own comment) may be its author; the addressee
    # of an answer is the supplier who asked.
    comments_on_anonymous = select(col(Comment.id)).where(
        col(Comment.need_id).in_(scope.anonymous_needs)
    )
    hidden_addressee = or_(
        verb == "answered",
        and_(col(e.object_type) == "need", object_id.in_(scope.anonymous_needs)),
        and_(col(e.object_type) == "comment", object_id.in_(comments_on_anonymous)),
    )
    addressee_shown = and_(
        col(e.addressee_id).is_not(None),
        ~hidden_addressee,
        scope.included(col(e.addressee_id)),
    )
    query = (
        columns(
            e.id,
            permissions.participation_moment(None),
            e.project_id,
            e.phase,
            case((private, null()), else_=col(e.actor_id)),
            e.actor_role,
            e.actor_org_kind,
            case(
                (or_(private, anonymous_need.is_not(None)), null()),
                else_=scope.public_org(col(e.actor_org_id)),
            ),
            e.verb,
            e.object_type,
            e.object_id,
            case((addressee_shown, col(e.addressee_id)), else_=null()),
            e.addressee_role,
            e.addressee_org_kind,
            case((hidden_addressee, null()), else_=scope.public_org(col(e.addressee_org_id))),
            anonymous_need,
        )
        .where(scope.events_clause())
        .order_by(col(e.id))
    )

    def rows() -> Iterator[list[Any]]:
        for n, r in enumerate(_rows(session, query), start=1):
            yield [
                r[0],
                _iso(r[1]),
                r[2],
                r[3],
                scope.anonymous_pseudonym(r[15]) if r[15] is not None else scope.pseudonym(r[4]),
                r[5],
                r[6] or "",
                r[7] if r[7] is not None else "",
                r[8],
                r[9],
                r[10],
                scope.pseudonym(r[11]),
                r[12] or "",
                r[13] or "",
                r[14] if r[14] is not None else "",
            ]
            if progress and n % 10_000 == 0:
                progress(f"participation_events:{n}")

    who = "The participant's pseudonym in this study (HMAC-SHA256 of the user id, keyed per study)"
    return Table(
        "participation_events",
        "Participation events",
        "Every contribution in the study's projects and period that a researcher may see, in "
        "order (bookings, unpublished questions and proposals are left out): who "
        "(pseudonym, role, organisation kind) did what to which object in which phase, and whom "
        "it answers. Research questions 2 and 3.",
        [
            Column("event_id", "integer", "The event's id (order of recording)", KEY),
            _ts(
                "occurred_at",
                "When it happened; a question's asking when the question was published",
                required=True,
            ),
            Column("project_id", "integer", "The project", REQUIRED),
            Column("phase", "string", "The project's phase at the time", REQUIRED),
            Column(
                "participant",
                "string",
                who + "; for an anonymous need's author, on that need, a pseudonym of the need's "
                "own; empty for private acts (asking a question, registering for the market "
                "dialogue or an event, attending one)",
                PSEUDONYM,
            ),
            Column("participant_role", "string", "The participant's role", {**REQUIRED, **ROLES}),
            Column(
                "participant_org_kind", "string", "The participant's organisation kind", ORG_KINDS
            ),
            Column(
                "participant_org_id",
                "integer",
                "The participant's organisation id, for public bodies only",
            ),
            Column(
                "verb", "string", "What the participant did (posted_need, replied, …)", REQUIRED
            ),
            Column("object_type", "string", "The kind of object acted on", REQUIRED),
            Column("object_id", "integer", "The object's id within its kind", REQUIRED),
            Column(
                "addressee",
                "string",
                "Pseudonym of the person the act answers; empty when unknown, not consenting, an "
                "anonymous need's author or a question's asker",
                PSEUDONYM,
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
        [_project_fk()],
        rows=rows(),
    )


def _needs_table(session: Session, scope: _Scope, free_text: bool) -> Table:
    supports = (
        select(func.count())
        .select_from(Support)
        .where(col(Support.need_id) == Need.id, scope.included(col(Support.user_id)))
        .correlate(Need)
        .scalar_subquery()
    )
    comments = (
        select(func.count())
        .select_from(Comment)
        .where(col(Comment.need_id) == Need.id, scope.included(col(Comment.author_id)))
        .correlate(Need)
        .scalar_subquery()
    )
    query = (
        columns(
            Need.id,
            Need.project_id,
            Need.created_at,
            Need.status,
            Need.merged_into_id,
            Need.anonymous,
            case((col(Need.anonymous).is_(True), null()), else_=col(Need.author_id)),
            User.role,
            Organisation.kind,
            case(
                (col(Need.anonymous).is_(True), null()),
                else_=scope.public_org(col(User.organisation_id)),
            ),
            supports,
            comments,
            Need.title if free_text else literal(""),
            Need.problem if free_text else literal(""),
            Need.affected if free_text else literal(""),
        )
        .join(User, col(User.id) == Need.author_id)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(
            col(Need.project_id).in_(scope.projects),
            scope.included(col(Need.author_id)),
            scope.in_period(col(Need.created_at)),
            scope.anonymous_rows(case((col(Need.anonymous).is_(True), Need.id), else_=null())),
        )
        .order_by(col(Need.id))
    )

    def rows() -> Iterator[list[Any]]:
        for r in _rows(session, query):
            yield [
                r[0],
                r[1],
                _iso(r[2]),
                r[3],
                r[4] if r[4] is not None else "",
                _bool(r[5]),
                scope.pseudonym(r[6]),
                r[7],
                r[8] or "",
                r[9] if r[9] is not None else "",
                r[10],
                r[11],
                r[12],
                r[13],
                r[14],
            ]

    text_note = " Free text; empty unless the export includes free text."
    return Table(
        "needs",
        "Needs",
        "Service needs posted in the study's projects, their status and how much support and "
        "discussion they drew. Research question 2 (influence of employees and citizens).",
        [
            Column("need_id", "integer", "The need's id", KEY),
            Column("project_id", "integer", "The project", REQUIRED),
            _ts("created_at", "When the need was posted", required=True),
            Column(
                "status",
                "string",
                "The procurer's decision so far",
                {
                    **REQUIRED,
                    "enum": [
                        "submitted",
                        "under_review",
                        "verified",
                        "merged",
                        "parked",
                        "rejected",
                    ],
                },
            ),
            Column(
                "merged_into_id",
                "integer",
                "The need this one was merged into (that need may be left out with its author)",
            ),
            Column("anonymous", "boolean", "Posted without the author's name", REQUIRED),
            Column(
                "author", "string", "The author's pseudonym; empty for anonymous needs", PSEUDONYM
            ),
            Column("author_role", "string", "The author's role", {**REQUIRED, **ROLES}),
            Column("author_org_kind", "string", "The author's organisation kind", ORG_KINDS),
            Column(
                "author_org_id",
                "integer",
                "The author's organisation id, for public bodies and named needs only",
            ),
            Column(
                "supports",
                "integer",
                "Supports from people whose rows the study may use",
                {"minimum": 0},
            ),
            Column(
                "comments",
                "integer",
                "Comments from people whose rows the study may use",
                {"minimum": 0},
            ),
            Column("title", "string", "The need's title." + text_note),
            Column("problem", "string", "The problem described." + text_note),
            Column("affected", "string", "Who is affected." + text_note),
        ],
        ["need_id"],
        [_project_fk()],
        rows=rows(),
    )


def _comments_table(session: Session, scope: _Scope, free_text: bool) -> Table:
    body = (
        case((col(Comment.hidden).is_(True), literal("")), else_=col(Comment.body))
        if free_text
        else literal("")
    )
    anonymous_need = _anonymous_need_of_comment()
    query = (
        columns(
            Comment.id,
            Comment.need_id,
            Comment.parent_id,
            Comment.created_at,
            Comment.author_id,
            User.role,
            Organisation.kind,
            case(
                (anonymous_need.is_not(None), null()),
                else_=scope.public_org(col(User.organisation_id)),
            ),
            Comment.hidden,
            body,
            anonymous_need,
        )
        .join(Need, col(Need.id) == Comment.need_id)
        .join(User, col(User.id) == Comment.author_id)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(
            col(Need.project_id).in_(scope.projects),
            scope.included(col(Comment.author_id)),
            scope.in_period(col(Comment.created_at)),
            scope.anonymous_rows(anonymous_need),
        )
        .order_by(col(Comment.id))
    )

    def rows() -> Iterator[list[Any]]:
        for r in _rows(session, query):
            yield [
                r[0],
                r[1],
                r[2] if r[2] is not None else "",
                _iso(r[3]),
                scope.anonymous_pseudonym(r[10]) if r[10] is not None else scope.pseudonym(r[4]),
                r[5],
                r[6] or "",
                r[7] if r[7] is not None else "",
                _bool(r[8]),
                r[9],
            ]

    return Table(
        "comments",
        "Comments",
        "Comments and replies on the needs of the study's projects (dialogue quality, research "
        "question 3).",
        [
            Column("comment_id", "integer", "The comment's id", KEY),
            Column(
                "need_id",
                "integer",
                "The need commented on (left out of needs.csv when its author's rows are not used)",
                REQUIRED,
            ),
            Column(
                "parent_id",
                "integer",
                "The comment replied to; empty for a top-level comment (may be left out with "
                "its author)",
            ),
            _ts("created_at", "When the comment was written", required=True),
            Column(
                "author",
                "string",
                "The author's pseudonym; on an anonymous need, its author's comments carry the "
                "need's own pseudonym (as its posting does) and no organisation",
                {**REQUIRED, **PSEUDONYM},
            ),
            Column("author_role", "string", "The author's role", {**REQUIRED, **ROLES}),
            Column("author_org_kind", "string", "The author's organisation kind", ORG_KINDS),
            Column("author_org_id", "integer", "The author's organisation id, public bodies only"),
            Column("hidden", "boolean", "Hidden by a moderator", REQUIRED),
            Column(
                "body",
                "string",
                "The comment's text; empty unless the export includes free text, and always "
                "empty for hidden comments",
            ),
        ],
        ["comment_id"],
        rows=rows(),
    )


def _proposals_table(session: Session, scope: _Scope, free_text: bool) -> Table:
    needs = (
        select(func.count())
        .select_from(ProposalNeed)
        .where(col(ProposalNeed.proposal_id) == Proposal.id)
        .correlate(Proposal)
        .scalar_subquery()
    )
    query = (
        columns(
            Proposal.id,
            Proposal.project_id,
            Proposal.summary_published_at,
            needs,
            Proposal.title if free_text else literal(""),
            Proposal.summary if free_text else literal(""),
        )
        .where(
            col(Proposal.project_id).in_(scope.projects),
            _published_proposal(),
            scope.in_period(col(Proposal.summary_published_at)),
        )
        .order_by(col(Proposal.id))
    )

    def rows() -> Iterator[list[Any]]:
        for r in _rows(session, query):
            yield [r[0], r[1], _iso(r[2]), r[3], r[4], r[5]]

    return Table(
        "proposals",
        "Solution proposals (published summaries only)",
        "Suppliers' solution proposals whose summary the supplier agreed to publish and did not "
        "withdraw. Confidential fields (body, attachments, secrecy claims, assessment) are never "
        "exported.",
        [
            Column("proposal_id", "integer", "The proposal's id", KEY),
            Column("project_id", "integer", "The project", REQUIRED),
            _ts("summary_published_at", "When the summary was published"),
            Column(
                "linked_needs",
                "integer",
                "How many of the project's needs it answers",
                {"minimum": 0},
            ),
            Column("title", "string", "The proposal's title; free text, empty unless included"),
            Column("summary", "string", "The published summary; free text, empty unless included"),
        ],
        ["proposal_id"],
        [_project_fk()],
        rows=rows(),
    )


def _aggregate_table(session: Session, scope: _Scope) -> Table:
    e = ParticipationEvent
    query = (
        columns(
            e.project_id, e.phase, e.actor_role, func.count(func.distinct(e.actor_id)), func.count()
        )
        .where(scope.events_clause())
        .group_by(col(e.project_id), col(e.phase), col(e.actor_role))
        .order_by(col(e.project_id), col(e.phase), col(e.actor_role))
    )

    def rows() -> Iterator[list[Any]]:
        for project_id, phase, role, people, contributions in _rows(session, query):
            if people < MIN_CELL:
                yield [project_id, phase, role, "", "", SUPPRESSED_NOTE]
            else:
                yield [project_id, phase, role, people, contributions, ""]

    return Table(
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
            ),
            Column(
                "contributions",
                "integer",
                f"Participation events; empty when fewer than {MIN_CELL} people",
                {"minimum": 0},
            ),
            Column("note", "string", "Why a cell is empty"),
        ],
        ["project_id", "phase", "participant_role"],
        [_project_fk()],
        rows=rows(),
    )


def _descriptor(study: Study, tables: list[Table], free_text: bool) -> dict[str, Any]:
    settings = get_settings()
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": f"pivotal-study-{study.id}",
        "title": f"Pivotal research export: {study.title}",
        "description": (
            "Pseudonymised participation data from Pivotal, the platform for innovative public "
            "procurement, exported for one registered study. Participants appear only as keyed "
            "pseudonyms (HMAC-SHA256 of the user id with a secret per study that stays on the "
            "platform): stable within this study, not linkable to other studies. "
            + (
                "Only participants who consented to the study (and did not withdraw) are included. "
                if study.legal_basis == LegalBasis.consent
                else "The study's legal basis is public interest (GDPR art. 6(1)(e) with "
                "art. 89 safeguards). "
            )
            + ("Free text is included. " if free_text else "Free text is left out. ")
            + f"Only what happened within the study's period ({study.period_start.isoformat()} "
            f"to {study.period_end.isoformat()}) is included. "
            f"Aggregate cells with fewer than {MIN_CELL} people are suppressed. "
            "Organisation ids are given for public bodies only. Who asked a question, "
            "registered for the market dialogue or an event, or attended one is never given, "
            "bookings and unpublished questions and proposals are left out, and an anonymous "
            "need's author appears on it only under a pseudonym of the need's own."
        ),
        "version": "1.0.0",
        "created": _iso(utcnow()),
        "licenses": [
            {
                "name": "other-closed",
                "title": "Restricted: for the registered study only, under its legal basis and "
                "data-protection reference",
            }
        ],
        "sources": [{"title": "Pivotal", "path": settings.base_url}],
        "contributors": [
            {"title": study.institution, "roles": ["rightsHolder"]},
            {"title": "Pivotal", "roles": ["publisher"]},
        ],
        "keywords": ["innovative public procurement", "participation", "Norway"],
        "study": {
            "id": study.id,
            "title": study.title,
            "institution": study.institution,
            "ethics_reference": study.ethics_reference,
            "legal_basis": study.legal_basis,
            "period_start": study.period_start.isoformat(),
            "period_end": study.period_end.isoformat(),
            "free_text": free_text,
            "pseudonymisation": "HMAC-SHA256(user id, per-study secret), hex",
            "min_cell_size": MIN_CELL,
        },
        "resources": [t.resource() for t in tables],
    }


def export_study(
    session: Session,
    *,
    study: Study,
    out: Path,
    free_text: bool = False,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write the study's Data Package to `out` (a zip), table by table, streaming the rows."""
    if free_text and not study.include_free_text:
        raise Forbidden("This study does not allow free text in its exports.")
    scope = _Scope(session, study)
    summary = ExportSummary()
    builders: list[Callable[[], Table]] = [
        lambda: _projects_table(session, scope),
        lambda: _events_table(session, scope, progress),
        lambda: _needs_table(session, scope, free_text),
        lambda: _comments_table(session, scope, free_text),
        lambda: _proposals_table(session, scope, free_text),
        lambda: _aggregate_table(session, scope),
    ]
    tables: list[Table] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for build in builders:
            table = build()
            if progress:
                progress(table.name)
            with (
                archive.open(f"{table.name}.csv", "w", force_zip64=True) as raw,
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
            ):
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow([c.name for c in table.columns])
                count = 0
                for row in table.rows:
                    writer.writerow(row)
                    count += 1
            summary.rows[table.name] = count
            table.rows = ()
            tables.append(table)
        descriptor = _descriptor(study, tables, free_text)
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=1))
    return summary
