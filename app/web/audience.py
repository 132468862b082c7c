"""Who sees a project's content alike: the audience a live push is rendered for."""

from __future__ import annotations

from dataclasses import dataclass, field

from app import i18n
from app.models.base import id_of
from app.services import permissions
from app.services.permissions import ProjectRelation


@dataclass(frozen=True)
class Audience:
    """Viewers who see a project's content exactly alike; live pushes render once per audience.

    Two users with equal audiences get byte-identical fragments, so the hub renders once for
    both and the render cache shares the HTML. `representative_id` names one of them, whose
    permissions are re-checked at render time; it is not part of the audience's identity.
    """

    project_id: int
    is_procurer: bool
    can_comment: bool
    lang: str
    representative_id: int | None = field(default=None, compare=False, hash=False)
    # Sees documents published to the project's participants (see ProjectRelation).
    is_participant: bool = False


def audience_for(rel: ProjectRelation, lang: str | None = None) -> Audience:
    """The audience of this user for this project, in the current (or given) language."""
    return Audience(
        project_id=id_of(rel.project),
        is_procurer=rel.is_procurer,
        can_comment=permissions.allows(permissions.ensure_can_comment, rel),
        lang=lang or i18n.current_language(),
        representative_id=rel.user.id if rel.user else None,
        is_participant=rel.is_participant,
    )
