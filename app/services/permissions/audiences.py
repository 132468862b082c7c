"""Audiences: viewers who may receive the very same pushed HTML, decided beside the policy.

A live push is rendered once per audience, so an audience's key must hold every fact of the
`ProjectRelation` that a renderer reads (tests/services/test_audience_keys.py checks it).
`representative_id` names one viewer of the audience, whose permissions are re-checked at render
time; it is not part of the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app import i18n
from app.models import User
from app.models.base import Role, id_of
from app.services.errors import Forbidden
from app.services.permissions.login_level import level_that_matters
from app.services.permissions.projects import ensure_can_comment
from app.services.permissions.proposals import proposals_seen_as
from app.services.permissions.relation import ProjectRelation, allows


def representative_of(rel: ProjectRelation) -> int | None:
    """The user an audience is re-checked as (not part of its key); none for the stand-in of a
    page shared by an audience (app/web/shared_pages.py), which is nobody in particular."""
    return rel.user.id if isinstance(rel.user, User) else None


@dataclass(frozen=True)
class Audience:
    """Viewers who see a project's content exactly alike; live pushes render once per audience.

    Two users with equal audiences get byte-identical fragments, so the hub renders once for
    both and the render cache shares the HTML.
    """

    project_id: int
    is_procurer: bool
    can_comment: bool
    lang: str
    representative_id: int | None = field(default=None, compare=False, hash=False)
    # Sees documents published to the project's participants (see ProjectRelation).
    is_participant: bool = False
    # Sees hidden and held content, and the moderation queue (see ProjectRelation).
    is_moderator: bool = False
    can_report: bool = False  # logged in: may report what they see
    # The login's level, where the project or an action asks for more than any login (it
    # decides which forms show); "basic" everywhere else, so logins share their renders.
    login_level: str = "basic"


def audience_for(rel: ProjectRelation, lang: str | None = None) -> Audience:
    """The audience of this user for this project, in the current (or given) language."""
    return Audience(
        project_id=id_of(rel.project),
        is_procurer=rel.is_procurer,
        can_comment=allows(ensure_can_comment, rel),
        lang=lang or i18n.current_language(),
        representative_id=representative_of(rel),
        is_participant=rel.is_participant,
        is_moderator=rel.is_moderator,
        can_report=rel.user is not None,
        login_level=level_that_matters(rel.project),
    )


@dataclass(frozen=True)
class QaAudience(Audience):
    """Viewers of a Q&A page who see it alike: procurers, one supplier company, or the rest.

    A supplier's company is part of it, since it sees its own pending questions, so no two
    companies ever share a render.
    """

    organisation_id: int | None = None  # a supplier's company (it sees its own pending questions)


def qa_audience(rel: ProjectRelation, lang: str | None = None) -> QaAudience:
    """The Q&A audience of this user for this project."""
    base = audience_for(rel, lang)
    user = rel.user
    supplier = user is not None and user.role == Role.supplier and not rel.is_procurer
    return QaAudience(
        project_id=base.project_id,
        is_procurer=base.is_procurer,
        can_comment=False,
        lang=base.lang,
        representative_id=base.representative_id,
        organisation_id=user.organisation_id if supplier and user else None,
    )


@dataclass(frozen=True)
class MetricsAudience:
    """Viewers of a project's dashboard who get the very same figures (see `metrics.view_of`).

    Which proposals the reader sees decides what the figures count, so it is part of the
    identity (`proposals_seen_as`); the representative is re-checked at render time.
    """

    project_id: int
    view: str
    proposals: tuple[bool, int | None]
    lang: str
    representative_id: int | None = field(default=None, compare=False, hash=False)


def metrics_audience(rel: ProjectRelation, lang: str) -> MetricsAudience:
    """The dashboard audience of this reader (403 for staff who may not read the metrics)."""
    # The metrics service imports this package, so its rule is looked up when it is asked.
    from app.services.metrics import view_of

    return MetricsAudience(
        project_id=id_of(rel.project),
        view=view_of(rel),
        proposals=proposals_seen_as(rel),
        lang=lang,
        representative_id=representative_of(rel),
    )


def metrics_audience_or_none(rel: ProjectRelation, lang: str) -> MetricsAudience | None:
    """The reader's dashboard audience now; None if they may no longer read the metrics."""
    try:
        return metrics_audience(rel, lang)
    except Forbidden:
        return None


@dataclass(frozen=True)
class PersonAudience:
    """The one viewer of a person's own channel (their unread count): never shared."""

    user_id: int
    lang: str
    representative_id: int | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class ReaderAudience:
    """One reader of a page that differs reader by reader (a requirement's trace links: which
    inputs each may see, and whether they may write): never shared by two people; visitors,
    who all see alike, share one."""

    project_id: int
    user_id: int | None
    lang: str
    representative_id: int | None = field(default=None, compare=False, hash=False)


def reader_audience(rel: ProjectRelation, lang: str) -> ReaderAudience:
    """The audience of one reader alone."""
    return ReaderAudience(
        project_id=id_of(rel.project),
        user_id=rel.user.id if rel.user else None,
        lang=lang,
        representative_id=representative_of(rel),
    )


AnyAudience = Audience | MetricsAudience | ReaderAudience
