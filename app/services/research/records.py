"""The export's tables of records: projects, needs, comments and published proposals, each a
list of declared columns and the query whose named fields they read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, literal, null, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.models import Comment, Need, Organisation, Project, Proposal, ProposalNeed, Support, User
from app.services.research.codebook import (
    KEY,
    ORG_KINDS,
    PSEUDONYM,
    REQUIRED,
    ROLES,
    Column,
    Table,
    flag,
    person,
    project_fk,
    timestamp,
)
from app.services.research.scope import (
    ExportScope,
    anonymous_need_of_comment,
    published_proposal,
    select_columns,
)

TEXT_NOTE = " Free text; empty unless the export includes free text."


def _count(model: Any, of: Any, *where: Any) -> Any:
    """How many rows of `model` belong to each row of `of`, as a correlated subquery."""
    return select(func.count()).select_from(model).where(*where).correlate(of).scalar_subquery()


def _projects(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    owner = aliased(Organisation)
    return (
        select_columns(
            col(Project.id).label("project_id"),
            Project.title,
            Project.summary,
            Project.service_area,
            Project.innovation_ambition,
            Project.visibility,
            Project.phase,
            Project.owner_org_id,
            col(owner.kind).label("owner_org_kind"),
            Project.citizens_may_post,
            Project.created_at,
        )
        .join(owner, col(owner.id) == Project.owner_org_id)
        .where(col(Project.id).in_(scope.projects))
        .order_by(col(Project.id))
    )


PROJECTS = Table(
    "projects",
    "Projects",
    "The innovation-procurement projects in the study's scope, as their procurers describe "
    "them (official project information, not personal data). Research question 1 reads the "
    "innovation ambition.",
    [
        Column("project_id", "integer", "The project's id on the platform", KEY),
        Column("title", "string", "The project's title", REQUIRED),
        Column("summary", "string", "The project's summary"),
        Column("service_area", "string", "The service area the project changes"),
        Column(
            "innovation_ambition",
            "string",
            "The intended change in service practice (research question 1)",
        ),
        Column("visibility", "string", "Who may see the project", {"enum": ["public", "internal"]}),
        Column("phase", "string", "The project's phase when exported"),
        Column("owner_org_id", "integer", "The owning public body's organisation id"),
        Column("owner_org_kind", "string", "The owning organisation's kind", ORG_KINDS),
        Column(
            "partner_org_ids",
            "string",
            "Partner organisations in a joint procurement: ids separated by spaces",
            read=lambda row, scope: scope.partner_ids(row.project_id),
        ),
        Column(
            "citizens_may_post",
            "boolean",
            "Whether citizens may post needs",
            read=flag("citizens_may_post"),
        ),
        timestamp("created_at", "When the project was opened", required=True),
    ],
    ["project_id"],
    _projects,
)


def _need_text(column: Any, free_text: bool) -> Any:
    """A need's text, empty without free text and for a need a moderator hid or holds."""
    if not free_text:
        return literal("")
    moderated = or_(col(Need.hidden).is_(True), col(Need.held).is_(True))
    return case((moderated, literal("")), else_=column)


def _needs(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    supports = _count(
        Support, Need, col(Support.need_id) == Need.id, scope.included(col(Support.user_id))
    )
    comments = _count(
        Comment, Need, col(Comment.need_id) == Need.id, scope.included(col(Comment.author_id))
    )
    anonymous = col(Need.anonymous).is_(True)
    return (
        select_columns(
            col(Need.id).label("need_id"),
            Need.project_id,
            Need.created_at,
            Need.status,
            Need.merged_into_id,
            Need.anonymous,
            case((anonymous, null()), else_=col(Need.author_id)).label("author_id"),
            col(User.role).label("author_role"),
            col(Organisation.kind).label("author_org_kind"),
            case((anonymous, null()), else_=scope.public_org(col(User.organisation_id))).label(
                "author_org_id"
            ),
            supports.label("supports"),
            comments.label("comments"),
            _need_text(col(Need.title), free_text).label("title"),
            _need_text(col(Need.problem), free_text).label("problem"),
            _need_text(col(Need.affected), free_text).label("affected"),
        )
        .join(User, col(User.id) == Need.author_id)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(
            col(Need.project_id).in_(scope.projects),
            scope.included(col(Need.author_id)),
            scope.in_period(col(Need.created_at)),
            scope.anonymous_rows(case((anonymous, Need.id), else_=null())),
        )
        .order_by(col(Need.id))
    )


NEED_STATUSES = ["submitted", "under_review", "verified", "merged", "parked", "rejected"]

NEEDS = Table(
    "needs",
    "Needs",
    "Service needs posted in the study's projects, their status and how much support and "
    "discussion they drew. Research question 2 (influence of employees and citizens).",
    [
        Column("need_id", "integer", "The need's id", KEY),
        Column("project_id", "integer", "The project", REQUIRED),
        timestamp("created_at", "When the need was posted", required=True),
        Column(
            "status",
            "string",
            "The procurer's decision so far",
            {**REQUIRED, "enum": NEED_STATUSES},
        ),
        Column(
            "merged_into_id",
            "integer",
            "The need this one was merged into (that need may be left out with its author)",
        ),
        Column(
            "anonymous",
            "boolean",
            "Posted without the author's name",
            REQUIRED,
            read=flag("anonymous"),
        ),
        Column(
            "author",
            "string",
            "The author's pseudonym; empty for anonymous needs",
            PSEUDONYM,
            read=person("author_id"),
        ),
        Column("author_role", "string", "The author's role", {**REQUIRED, **ROLES}),
        Column("author_org_kind", "string", "The author's organisation kind", ORG_KINDS),
        Column(
            "author_org_id",
            "integer",
            "The author's organisation id, for public bodies and named needs only",
        ),
        Column(
            "supports",
            "integer",
            "Supports from people whose rows the study may use",
            {"minimum": 0},
        ),
        Column(
            "comments",
            "integer",
            "Comments from people whose rows the study may use",
            {"minimum": 0},
        ),
        Column("title", "string", "The need's title." + TEXT_NOTE),
        Column("problem", "string", "The problem described." + TEXT_NOTE),
        Column("affected", "string", "Who is affected." + TEXT_NOTE),
    ],
    ["need_id"],
    _needs,
    [project_fk()],
)


def _comments(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    body = (
        case(
            (or_(col(Comment.hidden).is_(True), col(Comment.held).is_(True)), literal("")),
            else_=col(Comment.body),
        )
        if free_text
        else literal("")
    )
    anonymous_need = anonymous_need_of_comment()
    return (
        select_columns(
            col(Comment.id).label("comment_id"),
            Comment.need_id,
            Comment.parent_id,
            Comment.created_at,
            Comment.author_id,
            col(User.role).label("author_role"),
            col(Organisation.kind).label("author_org_kind"),
            case(
                (anonymous_need.is_not(None), null()),
                else_=scope.public_org(col(User.organisation_id)),
            ).label("author_org_id"),
            Comment.hidden,
            body.label("body"),
            anonymous_need.label("anonymous_need"),
        )
        .join(Need, col(Need.id) == Comment.need_id)
        .join(User, col(User.id) == Comment.author_id)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(
            col(Need.project_id).in_(scope.projects),
            scope.included(col(Comment.author_id)),
            scope.in_period(col(Comment.created_at)),
            scope.anonymous_rows(anonymous_need),
        )
        .order_by(col(Comment.id))
    )


COMMENTS = Table(
    "comments",
    "Comments",
    "Comments and replies on the needs of the study's projects (dialogue quality, research "
    "question 3).",
    [
        Column("comment_id", "integer", "The comment's id", KEY),
        Column(
            "need_id",
            "integer",
            "The need commented on (left out of needs.csv when its author's rows are not used)",
            REQUIRED,
        ),
        Column(
            "parent_id",
            "integer",
            "The comment replied to; empty for a top-level comment (may be left out with "
            "its author)",
        ),
        timestamp("created_at", "When the comment was written", required=True),
        Column(
            "author",
            "string",
            "The author's pseudonym; on an anonymous need, its author's comments carry the "
            "need's own pseudonym (as its posting does) and no organisation",
            {**REQUIRED, **PSEUDONYM},
            read=person("author_id", "anonymous_need"),
        ),
        Column("author_role", "string", "The author's role", {**REQUIRED, **ROLES}),
        Column("author_org_kind", "string", "The author's organisation kind", ORG_KINDS),
        Column("author_org_id", "integer", "The author's organisation id, public bodies only"),
        Column("hidden", "boolean", "Hidden by a moderator", REQUIRED, read=flag("hidden")),
        Column(
            "body",
            "string",
            "The comment's text; empty unless the export includes free text, and always "
            "empty for hidden comments",
        ),
    ],
    ["comment_id"],
    _comments,
)


def _proposals(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    needs = _count(ProposalNeed, Proposal, col(ProposalNeed.proposal_id) == Proposal.id)
    return (
        select_columns(
            col(Proposal.id).label("proposal_id"),
            Proposal.project_id,
            Proposal.summary_published_at,
            needs.label("linked_needs"),
            (col(Proposal.title) if free_text else literal("")).label("title"),
            (col(Proposal.summary) if free_text else literal("")).label("summary"),
        )
        .where(
            col(Proposal.project_id).in_(scope.projects),
            published_proposal(),
            scope.in_period(col(Proposal.summary_published_at)),
        )
        .order_by(col(Proposal.id))
    )


PROPOSALS = Table(
    "proposals",
    "Solution proposals (published summaries only)",
    "Suppliers' solution proposals whose summary the supplier agreed to publish and did not "
    "withdraw. Confidential fields (body, attachments, secrecy claims, assessment) are never "
    "exported.",
    [
        Column("proposal_id", "integer", "The proposal's id", KEY),
        Column("project_id", "integer", "The project", REQUIRED),
        timestamp("summary_published_at", "When the summary was published"),
        Column(
            "linked_needs",
            "integer",
            "How many of the project's needs it answers",
            {"minimum": 0},
        ),
        Column("title", "string", "The proposal's title; free text, empty unless included"),
        Column("summary", "string", "The published summary; free text, empty unless included"),
    ],
    ["proposal_id"],
    _proposals,
    [project_fk()],
)
