"""A project's themes (e.g. "Natt", "Legemidler"): the procurers keep the list, a need may have
one of them, and the needs list filters by it.

A theme the procurers remove leaves the needs that had it with none (the audit entry of the
project's edit records the removal); the needs are not refused or lost.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from app.i18n import N_
from app.models import Need, ProjectTheme
from app.services import rows
from app.services.errors import Invalid

THEMES_CHANGED = N_("Someone else changed the themes at the same moment. Reload and try again.")

NOT_A_THEME = N_("Choose one of the project's themes.")


def of_project(session: Session, *, project_id: int) -> list[ProjectTheme]:
    """The project's themes in their order."""
    query = select(ProjectTheme).where(ProjectTheme.project_id == project_id)
    return list(session.exec(query.order_by(col(ProjectTheme.position))).all())


def names_of(session: Session, *, project_id: int) -> list[str]:
    """The names of the project's themes in their order."""
    return [theme.name for theme in of_project(session, project_id=project_id)]


def resolve(session: Session, *, project_id: int, name: str) -> int | None:
    """The id of the project's theme `name` (None for ""); 422 for a theme not of the project."""
    if not name:
        return None
    query = select(ProjectTheme.id).where(
        ProjectTheme.project_id == project_id, ProjectTheme.name == name.strip()
    )
    theme_id = session.exec(query).first()
    if theme_id is None:
        raise Invalid(NOT_A_THEME)
    return theme_id


def names_by_id(session: Session, theme_ids: Iterable[int | None]) -> dict[int, str]:
    """The names of these themes (one query, none for no ids)."""
    ids = {theme_id for theme_id in theme_ids if theme_id is not None}
    if not ids:
        return {}
    query = select(ProjectTheme.id, ProjectTheme.name).where(col(ProjectTheme.id).in_(ids))
    return {theme_id: name for theme_id, name in session.exec(query).all() if theme_id}


def replace(session: Session, *, project_id: int, names: list[str]) -> None:
    """Make `names` the project's themes in that order: a kept theme keeps its needs, a removed
    one leaves its needs with no theme."""
    existing = {theme.name: theme for theme in of_project(session, project_id=project_id)}
    gone = [theme.id for name, theme in existing.items() if name not in names]
    if gone:
        session.execute(update(Need).where(col(Need.theme_id).in_(gone)).values(theme_id=None))
        session.execute(delete(ProjectTheme).where(col(ProjectTheme.id).in_(gone)))
    for position, name in enumerate(names):
        if name in existing:
            existing[name].position = position
            session.add(existing[name])
        else:  # another procurer may add the same theme at the same moment
            new = ProjectTheme(project_id=project_id, name=name, position=position)
            rows.add_unique(session, new, conflict=THEMES_CHANGED)
    session.flush()
