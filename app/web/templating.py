"""The Jinja environment every page and fragment is rendered with, and how to render."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from app import i18n
from app.config import get_settings
from app.db import new_session
from app.models import Organisation, Project, User
from app.models.account import ApiTokenCreate, NewPassword
from app.models.base import NeedStatus, OrganisationKind, Phase, Role
from app.models.document import DocumentAudience, DocumentCreate, DocumentKind
from app.models.event import DialogueEventCreate, MinutesWrite
from app.models.identity import LOGIN_LEVEL_LABELS
from app.models.membership import MembershipRole, MembershipStatus
from app.models.moderation import Decision, ReportCreate, ReportDecision, ReportKind
from app.models.need import CommentCreate, CommentUpdate, NeedCreate, NeedStatusChange, NeedUpdate
from app.models.organisation import OrganisationCreate
from app.models.project import ProjectCreate
from app.models.proposal import ClaimCreate, ClaimDecision, ProposalCreate, ProposalStatus
from app.models.requirement import (
    RequirementCreate,
    RequirementKind,
    RequirementStatus,
    RequirementUpdate,
)
from app.models.research import StudyCreate
from app.models.trace import TraceLinkCreate, TraceRelation, TraceSource
from app.models.user import Registration
from app.models.vocabulary import AuditField, label_for
from app.services import organisation_look
from app.services.markdown import render_markdown
from app.services.notifications import inbox
from app.services.uploads import describe as describe_file
from app.web.csrf import csrf_token
from app.web.forms import limits

log = logging.getLogger("pivotal.web")

templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
        extensions=["jinja2.ext.i18n"],
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a new release, except while developing: looking up each
        # template file's time on every render was 7 % of a logged-in page's time.
        auto_reload=get_settings().environment == "development",
    )
)
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.env.filters["markdown"] = render_markdown
templates.env.filters["datetime"] = i18n.format_time
templates.env.filters["date"] = i18n.format_day
templates.env.filters["week"] = i18n.format_week
templates.env.filters["machine_time"] = i18n.machine_time


def unread_notifications(user: User) -> int:
    """The header's unread count for the logged-in person (read in a session of its own, so an
    error page rendered after a rollback shows it too)."""
    try:
        with new_session() as session:
            return inbox.unread_count(session, user=user)
    except SQLAlchemyError:  # the page (maybe the database's own error page) shows without it
        log.warning("the unread count could not be read", exc_info=True)
        return 0


templates.env.globals.update(
    unread_notifications=unread_notifications,
    NeedStatus=NeedStatus,
    Phase=Phase,
    Role=Role,
    LANGUAGES=i18n.LANGUAGES,
    current_language=i18n.current_language,
    live_socket_url=i18n.live_socket_url,
    period=i18n.format_period,
    file_description=describe_file,
)
# Every enum's label comes from the one registry (app/models/vocabulary.py): `label(Enum, value)`,
# or one of the short names the templates use.
templates.env.globals.update(
    label=label_for,
    role_label=partial(label_for, Role),
    phase_label=partial(label_for, Phase),
    status_label=partial(label_for, NeedStatus),
    organisation_kind_label=partial(label_for, OrganisationKind),
    document_kind_label=partial(label_for, DocumentKind),
    document_audience_label=partial(label_for, DocumentAudience),
    membership_role_label=partial(label_for, MembershipRole),
    membership_status_label=partial(label_for, MembershipStatus),
    proposal_status_label=partial(label_for, ProposalStatus),
    claim_decision_label=partial(label_for, ClaimDecision),
    audit_field_label=partial(label_for, AuditField),
    report_kind_label=partial(label_for, ReportKind),
    decision_label=partial(label_for, Decision),
    requirement_kind_label=partial(label_for, RequirementKind),
    requirement_status_label=partial(label_for, RequirementStatus),
    trace_source_label=partial(label_for, TraceSource),
    trace_relation_label=partial(label_for, TraceRelation),
)
# A form takes its lengths from the schema it is parsed into: `limits(NeedCreate, "title")`.
templates.env.globals.update(
    limits=limits,
    ApiTokenCreate=ApiTokenCreate,
    ClaimCreate=ClaimCreate,
    CommentCreate=CommentCreate,
    DialogueEventCreate=DialogueEventCreate,
    DocumentCreate=DocumentCreate,
    MinutesWrite=MinutesWrite,
    NeedCreate=NeedCreate,
    NeedUpdate=NeedUpdate,
    CommentUpdate=CommentUpdate,
    NeedStatusChange=NeedStatusChange,
    NewPassword=NewPassword,
    OrganisationCreate=OrganisationCreate,
    ProjectCreate=ProjectCreate,
    ProposalCreate=ProposalCreate,
    ReportCreate=ReportCreate,
    ReportDecision=ReportDecision,
    Registration=Registration,
    RequirementCreate=RequirementCreate,
    RequirementUpdate=RequirementUpdate,
    StudyCreate=StudyCreate,
    TraceLinkCreate=TraceLinkCreate,
)


def page_theme(context: dict[str, Any]) -> tuple[int, str] | None:
    """The organisation whose accent colour the page wears (its project's owner, or the
    organisation it is about) with the colour as the stylesheet's version; None: the platform's."""
    project, org = context.get("project"), context.get("org")
    owner = (
        project.owner_org_id
        if isinstance(project, Project)
        else org.id
        if isinstance(org, Organisation)
        else None
    )
    accent = organisation_look.look_of(owner).accent if owner is not None else None
    return (owner, accent.removeprefix("#")) if owner is not None and accent else None


def written_lang(subject: object) -> Markup:
    """` lang="…"` for an element holding what people wrote in a project (its title, a need, a
    comment, an answer…): the project's language, so screen readers read it right under any
    interface language. `subject`: the project, its id, or anything with a `project_id`."""
    if isinstance(subject, Project):
        language: str | None = subject.language
    elif isinstance(subject, dict):
        language = subject.get("language")
    else:
        project_id = subject if isinstance(subject, int) else getattr(subject, "project_id", None)
        language = organisation_look.written_language(project_id)
    return Markup(f' lang="{language}"') if language in i18n.LANGUAGES else Markup("")


templates.env.globals["written_lang"] = written_lang

# In a page shared by an audience, where each `own` slot goes: the slot's number between these.
OWN_SLOT = "\x00own-slot:"
OWN_SLOT_END = ":own-slot\x00"


def owns_something(context: Any, args: dict[str, Any]) -> bool:
    """False when the part has `only_for=(name, key)` and the person's `name` (a dict or set in
    the context) lacks `key`: an item of a long list they have nothing of their own in, which is
    then not rendered at all (a list of 50 events, the person registered for one)."""
    gate = args.get("only_for")
    return gate is None or gate[1] in (context.get(gate[0]) or ())


@pass_context
def own_part(context: Context, name: str, **args: Any) -> Markup:
    """The person's own part of a page (the header with their name, their follow button, their
    own comments): the template `name` rendered with the page's context and `args`.

    In a page rendered once for an audience (app/web/shared_pages.py) it is a slot instead,
    filled per request for the person asking; `args` must then be the same for everyone
    (`only_for`: see `owns_something`).
    """
    slots = context.get("own_slots")
    if isinstance(slots, list):
        slots.append((name, tuple(sorted(args.items()))))
        return Markup(f"{OWN_SLOT}{len(slots) - 1}{OWN_SLOT_END}")
    if not owns_something(context, args):
        return Markup("")
    template = context.environment.get_template(name)
    return Markup(template.render({**context.get_all(), **args}))


templates.env.globals["own_part"] = own_part
templates.env.globals["organisation_look"] = organisation_look.look_of


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a template with the request's user, CSRF token and language."""
    ctx = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    ctx.setdefault("org_theme", page_theme(ctx))
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def render_fragment(name: str, lang: str, **context: Any) -> str:
    """Render a template outside a request (live pushes), in the given language."""
    with i18n.use_language(lang):
        return templates.get_template(name).render(**context)


def render_block(name: str, block: str, context: dict[str, Any]) -> str:
    """Render one block of a template (the same markup the full template draws)."""
    template = templates.get_template(name)
    return "".join(template.blocks[block](template.new_context(context)))


templates.env.globals["login_level_labels"] = LOGIN_LEVEL_LABELS
