"""The capability self-assessment: who may open rounds, answer, see answers, results and actions.

A round belongs to one municipality (or county). Its owners are the person who opened it and the
municipality's procurers; with the municipality's administrators they run the round (invite,
close, actions) and see every answer with the respondent's name. A respondent sees the round and
their own answers, and the results once the round is closed. A researcher sees pseudonymised
answers through a study of theirs that covers the municipality (one of the study's projects is the
municipality's, as owner or partner) and overlaps the round's period. Nobody else sees a round at
all: another municipality's procurer, a citizen, a supplier get 404, as for a round that does not
exist.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, CompoundSelect, and_, case, union
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.i18n import N_
from app.models import (
    MaturityRespondent,
    MaturityRound,
    Membership,
    Organisation,
    Project,
    ProjectPartner,
    Study,
    StudyProject,
    User,
)
from app.models.base import Role, id_of, utcnow
from app.models.membership import MembershipRole, MembershipStatus
from app.services.errors import Conflict, Forbidden, NotFound
from app.services.permissions.organisations import OrganisationRelation, organisation_relation
from app.services.permissions.relation import PUBLIC_SECTOR, require_user, visible_projects_clause

NO_SUCH_ROUND = N_("No such self-assessment round.")
ROUND_CLOSED = N_("The round is closed; its answers can no longer change.")


def round_closes_at(round_: MaturityRound) -> datetime:
    """When the round stops taking answers: closed by hand, or its deadline."""
    if round_.closed_at is not None and round_.closed_at < round_.deadline:
        return round_.closed_at
    return round_.deadline


def round_is_open(round_: MaturityRound, now: datetime | None = None) -> bool:
    """Whether answers may still change (by server time; the deadline itself is closed)."""
    return (now or utcnow()) < round_closes_at(round_)


def may_open_round(rel: OrganisationRelation) -> bool:
    """A public body's procurers and administrators open rounds for it."""
    org = rel.organisation
    if org.kind not in PUBLIC_SECTOR or org.deactivated_at is not None or rel.user is None:
        return False
    return rel.is_org_admin or MembershipRole.procurer in rel.roles


def ensure_can_open_round(rel: OrganisationRelation) -> User:
    """Only a municipality's procurers and administrators open a self-assessment round."""
    user = require_user(rel.user)
    if not may_open_round(rel):
        raise Forbidden(
            "Only the municipality's procurers and administrators can open a self-assessment."
        )
    return user


def may_see_rounds(rel: OrganisationRelation) -> bool:
    """Whether the user sees every round of the organisation (its owners and administrators)."""
    return may_open_round(rel)


@dataclass(frozen=True)
class RoundRelation:
    """How one user stands to one round."""

    user: User
    round: MaturityRound
    org: OrganisationRelation
    respondent: MaturityRespondent | None  # the user's own invitation, once accepted
    study: Study | None  # a study of the user's that covers the round (researchers)

    @property
    def organisation(self) -> Organisation:
        return self.org.organisation

    @property
    def is_owner(self) -> bool:
        """The municipality's procurers, and the round's opener while still its member (one who
        left the municipality no longer sees its answers)."""
        if MembershipRole.procurer in self.org.roles:
            return True
        return self.round.opened_by_id == self.user.id and bool(self.org.roles)

    @property
    def runs_round(self) -> bool:
        """Owners and the municipality's administrators: invite, close, actions, every answer."""
        return self.is_owner or self.org.is_org_admin

    @property
    def is_respondent(self) -> bool:
        return self.respondent is not None

    @property
    def is_researcher(self) -> bool:
        return self.study is not None

    @property
    def sees_names(self) -> bool:
        """Whether answers show who gave them (researchers see pseudonyms only)."""
        return self.runs_round

    @property
    def sees_results(self) -> bool:
        """Owners and administrators at once; respondents and researchers once it is closed."""
        if self.runs_round:
            return True
        return (self.is_respondent or self.is_researcher) and not round_is_open(self.round)

    @property
    def may_answer(self) -> bool:
        """A respondent, while the round is open."""
        return self.is_respondent and round_is_open(self.round)


def covering_study(session: Session, user: User, round_: MaturityRound) -> Study | None:
    """A study the user registered that covers the round's municipality and period, if any."""
    if user.role not in (Role.researcher, Role.admin):
        return None
    start = round_.opened_at.date()
    end = round_closes_at(round_).date()
    studies = session.exec(
        select(Study).where(
            col(Study.registered_by_id) == user.id,
            col(Study.period_start) <= end,
            col(Study.period_end) >= start,
        )
    ).all()
    for study in studies:  # few per researcher
        covered = covered_organisations(study_projects(user, study))
        found = session.exec(
            select(col(Organisation.id)).where(
                col(Organisation.id) == round_.organisation_id, col(Organisation.id).in_(covered)
            )
        ).first()
        if found is not None:
            return study
    return None


def study_projects(registrant: User | None, study: Study) -> SelectOfScalar[int | None]:
    """The study's projects (all its registrant may see, or those it names), as SQL."""
    projects = select(col(Project.id)).where(visible_projects_clause(registrant))
    if not study.all_projects:
        projects = projects.where(
            col(Project.id).in_(
                select(col(StudyProject.project_id)).where(StudyProject.study_id == study.id)
            )
        )
    return projects


def covered_organisations(projects: SelectOfScalar[int | None]) -> CompoundSelect:
    """The organisations a study covers, as SQL: those that own or partner one of its projects."""
    return union(
        select(col(Project.owner_org_id)).where(col(Project.id).in_(projects)),
        select(col(ProjectPartner.organisation_id)).where(
            col(ProjectPartner.project_id).in_(projects)
        ),
    )


def closes_at_clause() -> ColumnElement[datetime]:
    """When a round stops taking answers (`round_closes_at`), in SQL."""
    closed_at, deadline = col(MaturityRound.closed_at), col(MaturityRound.deadline)
    return case((and_(closed_at.is_not(None), closed_at < deadline), closed_at), else_=deadline)


def study_period(study: Study) -> tuple[datetime, datetime]:
    """A study's period as moments: from its first day's start to its last day's end."""
    return (
        datetime.combine(study.period_start, time.min, UTC),
        datetime.combine(study.period_end + timedelta(days=1), time.min, UTC),
    )


def round_relation(session: Session, user: User | None, round_id: int) -> RoundRelation:
    """The round and the user's relation to it; 404 for a round the user may not see at all."""
    user = require_user(user)
    round_ = session.get(MaturityRound, round_id)
    if round_ is None:
        raise NotFound(NO_SUCH_ROUND)
    organisation = session.get(Organisation, round_.organisation_id)
    if organisation is None:  # pragma: no cover - the foreign key keeps it
        raise NotFound(NO_SUCH_ROUND)
    org = organisation_relation(session, user, organisation)
    respondent = session.exec(
        select(MaturityRespondent).where(
            MaturityRespondent.round_id == round_.id, MaturityRespondent.user_id == user.id
        )
    ).first()
    rel = RoundRelation(user=user, round=round_, org=org, respondent=respondent, study=None)
    if rel.runs_round or rel.is_respondent:
        return rel
    study = covering_study(session, user, round_)
    if study is None:
        raise NotFound(NO_SUCH_ROUND)
    return RoundRelation(user=user, round=round_, org=org, respondent=None, study=study)


def ensure_runs_round(rel: RoundRelation) -> User:
    """Inviting, closing and actions: the round's owners and the municipality's administrators."""
    if not rel.runs_round:
        raise Forbidden(
            "Only the round's owners and the municipality's administrators can do that."
        )
    return rel.user


def ensure_can_answer(rel: RoundRelation) -> MaturityRespondent:
    """Only the invited respondent answers, and only while the round is open."""
    if rel.respondent is None:
        raise Forbidden("Only people invited to the round can answer it.")
    if not round_is_open(rel.round):
        raise Conflict(ROUND_CLOSED)
    return rel.respondent


def ensure_sees_results(rel: RoundRelation) -> None:
    """Results: owners and administrators; respondents and researchers after the round closed."""
    if not rel.sees_results:
        raise Forbidden("The results are shown when the round has closed.")


def respondent_relations(
    session: Session, user: User, round_ids: Collection[int]
) -> dict[int, RoundRelation]:
    """The user's relations to those of the rounds they are invited to, as `round_relation` gives
    them (a respondent always sees their round), in two queries however many rounds."""
    if user.id is None or not round_ids:
        return {}
    rows = session.exec(
        select(MaturityRespondent, MaturityRound, Organisation)
        .join(MaturityRound, col(MaturityRound.id) == MaturityRespondent.round_id)
        .join(Organisation, col(Organisation.id) == MaturityRound.organisation_id)
        .where(
            MaturityRespondent.user_id == user.id,
            col(MaturityRespondent.round_id).in_(round_ids),
        )
    ).all()
    roles: dict[int, set[MembershipRole]] = {}
    admins: set[int] = set()
    org_ids = {org.id for _, _, org in rows if org.deactivated_at is None}
    if org_ids:
        memberships = session.execute(
            select(
                col(Membership.organisation_id), col(Membership.role), col(Membership.is_org_admin)
            ).where(
                col(Membership.user_id) == user.id,
                col(Membership.organisation_id).in_(org_ids),
                col(Membership.status) == MembershipStatus.active,
            )
        ).all()
        for org_id, role, is_admin in memberships:
            roles.setdefault(org_id, set()).add(MembershipRole(role))
            if is_admin:
                admins.add(org_id)
    return {
        id_of(round_): RoundRelation(
            user=user,
            round=round_,
            org=OrganisationRelation(
                user=user,
                organisation=org,
                roles=frozenset(roles.get(id_of(org), set())),
                is_member_admin=id_of(org) in admins,
            ),
            respondent=respondent,
            study=None,
        )
        for respondent, round_, org in rows
    }
