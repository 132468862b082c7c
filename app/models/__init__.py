"""All tables, imported here so metadata (and Alembic) sees every one."""

from app.models.need import Comment, Need, Support
from app.models.organisation import Organisation
from app.models.participation import ParticipationEvent
from app.models.project import Project, ProjectPartner
from app.models.user import User

__all__ = [
    "Comment",
    "Need",
    "Organisation",
    "ParticipationEvent",
    "Project",
    "ProjectPartner",
    "Support",
    "User",
]
