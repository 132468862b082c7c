"""The participation log, for the project's procurers and for researchers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.db import SessionDep
from app.models.base import Cursor, Id
from app.models.participation import ParticipationEventPublic
from app.services import participation, permissions, projects
from app.web import CurrentUser, api_router

api = api_router("participation", csrf=False)


@api.get("/projects/{project_id}/participation-events")
def list_events(
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[ParticipationEventPublic]:
    """The project's participation events in order; page with `after_id` = the last id seen."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    permissions.ensure_can_read_participation(rel)
    events = participation.list_for_project(session, rel=rel, after_id=after_id, limit=limit)
    return participation.present(session, rel=rel, events=events)
