"""The procurers change a project's details: title, summary, ambition, themes, partners,
visibility and the language it is written in.

A change of who may see the project (visibility, partners) closes every socket on its pages, so
each viewer reconnects under the new rules and one who lost access is refused. Making a public
project internal first tells how many people who took part will lose access, and needs the
procurer's confirmation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, delete, func, not_, or_, union
from sqlmodel import Session, col, select

from app.models import Follow, Organisation, ParticipationEvent, Project, ProjectPartner, User
from app.models.base import Role, Visibility, id_of
from app.models.project import ProjectUpdate
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, organisation_look, permissions, projects, themes
from app.services.accounts import PUBLIC_SECTOR
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid
from app.services.live import LiveEvent
from app.services.permissions import ProjectRelation

TEXTS = ("title", "summary", "innovation_ambition")


def people_losing_access(session: Session, *, project: Project, org_ids: set[int]) -> int:
    """How many who took part in or follow the project could not see it if it were internal.

    Everyone but administrators and the employees and procurers of `org_ids` (the owner and
    partners): citizens, suppliers, researchers and other municipalities' staff.
    """
    keeps = or_(
        col(User.role) == Role.admin,
        and_(
            col(User.role).in_((Role.employee, Role.procurer)),
            col(User.organisation_id).in_(org_ids),
        ),
    )
    took_part: Select[Any] = select(col(ParticipationEvent.actor_id).label("person")).where(
        ParticipationEvent.project_id == project.id
    )
    follows: Select[Any] = select(col(Follow.user_id).label("person")).where(
        Follow.project_id == project.id
    )
    people = union(took_part, follows).subquery()
    query = (
        select(func.count(func.distinct(people.c.person)))
        .select_from(people)
        .join(User, col(User.id) == people.c.person)
        .where(not_(keeps))
    )
    return int(session.exec(query).one())


def _partners(session: Session, project: Project, wanted: list[int]) -> list[int]:
    """The partner organisations asked for, checked: municipalities or counties, not the owner."""
    ids = sorted(set(wanted) - {project.owner_org_id})
    if not ids:
        return []
    orgs = session.exec(select(Organisation).where(col(Organisation.id).in_(ids))).all()
    if len(orgs) != len(ids) or any(org.kind not in PUBLIC_SECTOR for org in orgs):
        raise Invalid("Owner and partners must be municipalities or counties.")
    return ids


def _partner_names(session: Session, ids: list[int]) -> str:
    """The partners as the audit log shows them: their names, in order."""
    orgs = projects.organisations_by_id(session, set(ids))
    return ", ".join(sorted(orgs[i].name for i in ids if i in orgs))


def edit_project(session: Session, *, rel: ProjectRelation, data: ProjectUpdate) -> Project:
    """Change the project's details (its procurers); the audit log keeps before and after."""
    permissions.ensure_procurer(rel)
    project = rel.project
    old_partners = projects.partner_ids(session, project_id=id_of(project))
    new_partners = old_partners
    if data.partner_org_ids is not None:
        new_partners = _partners(session, project, data.partner_org_ids)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in TEXTS:
        value = getattr(data, name)
        if value is not None and value != getattr(project, name):
            before[name], after[name] = getattr(project, name), value
    if data.visibility is not None and data.visibility != project.visibility:
        if data.visibility == Visibility.internal and not data.confirm_access_loss:
            orgs = {project.owner_org_id, *new_partners}
            count = people_losing_access(session, project=project, org_ids=orgs)
            raise Conflict(
                "Making the project internal shuts out %(count)s people who took part in it "
                "(citizens, suppliers and staff of other organisations). Confirm to go on.",
                count=count,
            )
        before["visibility"], after["visibility"] = str(project.visibility), str(data.visibility)
    if data.language is not None and data.language != project.language:
        before["language"], after["language"] = project.language, data.language
    if data.login_level is not None and data.login_level != project.login_level:
        before["login_level"], after["login_level"] = str(project.login_level), data.login_level
    if sorted(new_partners) != sorted(old_partners):
        before["partners"] = _partner_names(session, old_partners)
        after["partners"] = _partner_names(session, new_partners)
    old_themes = themes.names_of(session, project_id=id_of(project))
    if data.themes is not None and data.themes != old_themes:
        before["themes"], after["themes"] = ", ".join(old_themes), ", ".join(data.themes)
    if not after:
        return project
    _apply(session, project, after, new_partners if "partners" in after else None)
    if "language" in after:
        organisation_look.forget_written_language(id_of(project))
    if "themes" in after and data.themes is not None:
        themes.replace(session, project_id=id_of(project), names=data.themes)
    contribution.record(
        session,
        rel=rel,
        verb=Verb.edited_project,
        on=project,
        change=Change(AuditAction.project_edited, before=before, after=after),
        push=_pushes(project, access_changed=bool({"visibility", "partners"} & after.keys())),
    )
    return project


def _apply(
    session: Session, project: Project, after: dict[str, Any], partners: list[int] | None
) -> None:
    for name in (*TEXTS, "visibility", "language", "login_level"):
        if name in after:
            setattr(project, name, after[name])
    if partners is not None:
        session.execute(delete(ProjectPartner).where(col(ProjectPartner.project_id) == project.id))
        for org_id in partners:
            session.add(ProjectPartner(project_id=id_of(project), organisation_id=org_id))


def _pushes(project: Project, *, access_changed: bool) -> list[LiveEvent]:
    """The project's pages show the new details; a change of access resyncs every viewer."""
    events = [contribution.live_event(LiveKind.project_edited, project, project)]
    if access_changed:
        project_id = id_of(project)
        events.append(LiveEvent(LiveKind.project_access_changed, project_id, project_id))
    return events
