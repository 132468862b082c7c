"""Open data: a project as an Open Contracting Data Standard (OCDS) release package."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.config import get_settings
from app.db import SessionDep
from app.models.base import Id
from app.services import ocds, projects
from app.web import CurrentUser

api = APIRouter(tags=["open data"])

DESCRIPTION = """\
The project as an [Open Contracting Data Standard](https://standard.open-contracting.org/1.1/)
1.1 release package with one release, using the
[Enquiries extension](https://extensions.open-contracting.org/en/extensions/enquiries/).

The release's `ocid` is the deployment's OCID prefix and the project id; its `id` changes whenever
the content does. The tag and `tender.status` follow the project's phase: `planning` until the
competition is announced, then `tender`/`active`, `tenderUpdate`/`complete` after it, and
`tenderCancellation`/`cancelled` for an aborted project. The owner municipality is buyer and
procuring entity, partner municipalities are buyers, identified by their organisation number
(scheme `NO-BRC`). The innovation ambition is the planning rationale.

Only published content is included: answered questions as published to all suppliers (never who
asked), dialogue events as `engagement` milestones, and public documents. Open to anyone who may
view the project, without logging in on a public project; 404 otherwise, as for the project.
"""

PACKAGE_SCHEMA = {
    "type": "object",
    "description": "An OCDS 1.1 release package (release-package-schema.json).",
    "required": ["uri", "publisher", "publishedDate", "releases", "version"],
    "properties": {
        "uri": {"type": "string", "format": "uri"},
        "publishedDate": {"type": "string", "format": "date-time"},
        "publisher": {"type": "object"},
        "version": {"type": "string", "example": "1.1"},
        "extensions": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "releases": {"type": "array", "items": {"type": "object"}, "minItems": 1},
    },
}


@api.get(
    "/projects/{project_id}/ocds",
    response_class=JSONResponse,
    summary="The project as an OCDS release package",
    description=DESCRIPTION,
    response_description="An OCDS 1.1 release package",
    responses={
        200: {"content": {"application/json": {"schema": PACKAGE_SCHEMA}}},
        404: {"description": "No such project, or one the caller may not see"},
    },
)
def read_release_package(session: SessionDep, user: CurrentUser, project_id: Id) -> JSONResponse:
    """The project's OCDS release package, for anyone who may view the project."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    package = ocds.release_package_for(session, rel=rel, base_url=get_settings().base_url)
    return JSONResponse(package)
