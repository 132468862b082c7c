"""The study's scope in the export: its projects, period and participants as SQL, and the
participants' keyed pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, null, or_, true, union
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.models import (
    Comment,
    Need,
    Organisation,
    ParticipationEvent,
    ProjectPartner,
    Proposal,
    Study,
    StudyConsent,
    StudyObjection,
    User,
)
from app.models.base import OrganisationKind
from app.models.proposal import ProposalStatus
from app.models.research import LegalBasis
from app.models.vocabulary import ObjectType
from app.services import permissions

PUBLIC_BODIES = (OrganisationKind.municipality, OrganisationKind.county)


def select_columns(*items: Any) -> Select[Any]:
    """A SELECT of many columns (typed loosely: model attributes read as Python values)."""
    return sa_select(*items)


def pseudonym(study: Study, user_id: int) -> str:
    """The participant's pseudonym in this study: HMAC-SHA256 of the user id, keyed per study."""
    key = study.pseudonym_secret.encode()
    return hmac.new(key, f"user:{user_id}".encode(), hashlib.sha256).hexdigest()


class ExportScope:
    """The study's projects and participants, as SQL the export's queries share."""

    def __init__(self, session: Session, study: Study) -> None:
        self.session = session
        self.study = study
        self._pseudonyms: dict[int, str] = {}
        self._partners: dict[int, list[str]] | None = None
        registrant = session.get(User, study.registered_by_id)
        self.projects = permissions.study_projects(registrant, study)
        self.consenting = select(col(StudyConsent.user_id)).where(
            StudyConsent.study_id == study.id, col(StudyConsent.withdrawn_at).is_(None)
        )
        # Under public interest: those who objected (GDPR art. 21) and deleted accounts.
        self.left_out: Any = union(
            select(col(StudyObjection.user_id)).where(StudyObjection.study_id == study.id),
            select(col(User.id)).where(col(User.deleted_at).is_not(None)),
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
            return person.in_(self.consenting)  # a deleted account's consent went with it
        # A NULL person is a deleted account's act: its row stays, tied to nobody.
        return or_(person.is_(None), person.not_in(self.left_out))

    def public_org(self, org_id: Any) -> Any:
        """The organisation id in SQL when it is a public body's, else NULL."""
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
            self.anonymous_rows(anonymous_need_of_event()),
        )

    def partner_ids(self, project_id: int) -> str:
        """A project's partner organisations' ids, separated by spaces (read once per export)."""
        if self._partners is None:
            self._partners = {}
            for partner_project, org_id in self.session.execute(
                select(ProjectPartner.project_id, ProjectPartner.organisation_id)
                .where(col(ProjectPartner.project_id).in_(self.projects))
                .order_by(col(ProjectPartner.organisation_id))
            ):
                self._partners.setdefault(partner_project, []).append(str(org_id))
        return " ".join(self._partners.get(project_id, []))


def anonymous_need_of_event() -> Any:
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
    return case(
        (kind == ObjectType.need, own_need), (kind == ObjectType.comment, own_comment), else_=null()
    )


def anonymous_need_of_comment() -> Any:
    """The anonymous need a comment is its author's own on, in SQL (with Need joined)."""
    own = and_(col(Need.anonymous).is_(True), col(Need.author_id) == Comment.author_id)
    return case((own, col(Need.id)), else_=null())


def published_proposal() -> ColumnElement[bool]:
    """Proposals whose summary is published and that were not withdrawn, in SQL."""
    return and_(
        col(Proposal.summary_published).is_(True), col(Proposal.status) != ProposalStatus.withdrawn
    )


def rows_of(session: Session, query: Select[Any], batch: int = 5000) -> Iterator[Any]:
    """The query's rows, fetched `batch` at a time (a server-side cursor on PostgreSQL), so a
    table never sits whole in memory. Run on the session's connection, as plain Core: the rows
    are tuples of columns, and the ORM's per-row loading cost a seventh of an export."""
    yield from session.connection().execute(query.execution_options(yield_per=batch))
