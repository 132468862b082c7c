"""Research studies and participants' consent: who registers, sees, consents to and exports a
study."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, or_, true
from sqlmodel import Session, col, select

from app.models import (
    ParticipationEvent,
    Project,
    Study,
    StudyConsent,
    StudyObjection,
    StudyProject,
    User,
)
from app.models.base import Role, id_of, utcnow
from app.models.research import LegalBasis, StudyCreate, StudyPublic
from app.services import permissions, rows
from app.services.errors import Conflict, Forbidden, NotFound


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
    """Researchers and admins see every study; others those they can consent to, and those
    that cover a project they took part in (where they may object)."""
    if _sees_all_studies(user):
        return true()
    mine = select(col(ParticipationEvent.project_id)).where(
        col(ParticipationEvent.actor_id) == user.id
    )
    covering = or_(
        and_(col(Study.all_projects).is_(True), exists(mine)),
        col(Study.id).in_(
            select(col(StudyProject.study_id)).where(col(StudyProject.project_id).in_(mine))
        ),
    )
    return or_(col(Study.legal_basis) == LegalBasis.consent, covering)


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
    scopes = rows.linked_ids(session, StudyProject.study_id, StudyProject.project_id, ids)
    consenting = set(
        session.exec(
            select(StudyConsent.study_id).where(
                col(StudyConsent.study_id).in_(ids),
                StudyConsent.user_id == user.id,
                col(StudyConsent.withdrawn_at).is_(None),
            )
        ).all()
    )
    objecting = set(
        session.exec(
            select(StudyObjection.study_id).where(
                col(StudyObjection.study_id).in_(ids), StudyObjection.user_id == user.id
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
                "objected": id_of(study) in objecting
                if study.legal_basis == LegalBasis.public_interest
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


def object_to(session: Session, *, user: User | None, study_id: int) -> Study:
    """Object to a study based on public interest (GDPR art. 21): later exports leave the
    person out. Objecting twice is harmless; a consent-based study is left by withdrawing."""
    user = permissions.require_user(user)
    study = get_study(session, user=user, study_id=study_id)
    if study.legal_basis != LegalBasis.public_interest:
        raise Conflict("This study is based on consent: withdraw your consent instead.")
    if _objection(session, study, user) is None:
        session.add(StudyObjection(study_id=id_of(study), user_id=id_of(user)))
        session.flush()
    return study


def take_back_objection(session: Session, *, user: User | None, study_id: int) -> Study:
    """Take back an objection: later exports may use the person's rows again."""
    user = permissions.require_user(user)
    study = get_study(session, user=user, study_id=study_id)
    row = _objection(session, study, user)
    if row is not None:
        session.delete(row)
        session.flush()
    return study


def _objection(session: Session, study: Study, user: User) -> StudyObjection | None:
    query = select(StudyObjection).where(
        StudyObjection.study_id == study.id, StudyObjection.user_id == user.id
    )
    return session.exec(query).first()


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
