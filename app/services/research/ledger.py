"""The export's trace-link table: which input shaped which final requirement, with the link's
author and the input's author as pseudonyms (research question 2).

What it holds, and why:

- only links of final requirements of a specification marked final: until then the
  requirements are the drafting room of the procurers and co-authors;
- never a confidential link (to a proposal's confidential content), and only links to inputs
  anyone who may see the project may open (`SourceKind.published`: a posted need, a published
  proposal summary or answer, published minutes; never a hearing comment, which only those
  heard in its hearing read);
- never the rationale: it is the procurers' free text about the input, and may quote a
  proposal's confidential content even on a link that is not marked confidential; no export
  setting can tell, so it is always left out;
- rows of link authors whose rows the study may use (`ExportScope.included`), within the
  study's period; the input's author is given only when the study may use their rows too,
  and an anonymous need's author only as the need's own pseudonym (never under consent).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, null
from sqlmodel import Session, col

from app.models import Project, Requirement
from app.models.requirement import RequirementKind, RequirementStatus
from app.models.research import LegalBasis
from app.models.trace import TraceRelation, TraceSource
from app.services.influence.sources import links_union
from app.services.research.codebook import (
    KEY,
    ORG_KINDS,
    PSEUDONYM,
    REQUIRED,
    ROLES,
    Column,
    Table,
    person,
    project_fk,
    timestamp,
)
from app.services.research.scope import ExportScope, select_columns


def _trace_links(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    links = links_union(project_ids=scope.projects, rel=None, full=False)
    included = scope.included(links.c.author_id)
    anonymous = links.c.anonymous.is_(True)
    public_interest = scope.study.legal_basis == LegalBasis.public_interest
    named = and_(included, ~anonymous)
    shown = and_(included, ~anonymous) if not public_interest else included
    return (
        select_columns(
            links.c.link_id,
            links.c.project_id,
            links.c.requirement_id,
            col(Requirement.kind).label("requirement_kind"),
            col(Requirement.status).label("requirement_status"),
            links.c.source_type,
            links.c.source_id,
            links.c.relation,
            links.c.created_at,
            links.c.created_by_id,
            case((named, links.c.author_id), else_=null()).label("source_author_id"),
            case((and_(anonymous, shown), links.c.source_id), else_=null()).label("anonymous_need"),
            case((shown, links.c.author_role), else_=null()).label("source_author_role"),
            case((shown, links.c.author_org_kind), else_=null()).label("source_author_org_kind"),
        )
        .join(Requirement, col(Requirement.id) == links.c.requirement_id)
        .join(Project, col(Project.id) == links.c.project_id)
        .where(
            col(Requirement.status) == RequirementStatus.final,
            col(Project.specification_final).is_(True),
            scope.included(links.c.created_by_id),
            scope.in_period(links.c.created_at),
        )
        .order_by(links.c.link_id)
    )


TRACE_LINKS = Table(
    "trace_links",
    "Trace links (the influence ledger)",
    "Which input (need, published proposal summary, published answer, published minutes) "
    "shaped which final requirement, and how. Research question 2 (influence). Links to a "
    "proposal's confidential content and every rationale are never exported; only links of "
    "specifications marked final.",
    [
        Column("link_id", "integer", "The trace link's id", KEY),
        Column("project_id", "integer", "The project", REQUIRED),
        Column("requirement_id", "integer", "The requirement", REQUIRED),
        Column(
            "requirement_kind",
            "string",
            "The requirement's kind",
            {**REQUIRED, "enum": [k.value for k in RequirementKind]},
        ),
        Column(
            "requirement_status",
            "string",
            "The requirement's status (final)",
            {**REQUIRED, "enum": [s.value for s in RequirementStatus]},
        ),
        Column(
            "source_type",
            "string",
            "The kind of input",
            {**REQUIRED, "enum": [s.value for s in TraceSource]},
        ),
        Column("source_id", "integer", "The input's id (a need_id or proposal_id here)", REQUIRED),
        Column(
            "relation",
            "string",
            "How the input shaped the requirement (rejected_input: considered, not followed)",
            {**REQUIRED, "enum": [r.value for r in TraceRelation]},
        ),
        timestamp("created_at", "When the link was made", required=True),
        Column(
            "link_author",
            "string",
            "The pseudonym of whoever made the link",
            {**REQUIRED, **PSEUDONYM},
            read=person("created_by_id"),
        ),
        Column(
            "source_author",
            "string",
            "The input's author's pseudonym (an anonymous need's own pseudonym); empty where "
            "the study may not use the author's rows",
            PSEUDONYM,
            read=person("source_author_id", "anonymous_need"),
        ),
        Column("source_author_role", "string", "The input's author's role", ROLES),
        Column(
            "source_author_org_kind", "string", "The input's author's organisation kind", ORG_KINDS
        ),
    ],
    ["link_id"],
    _trace_links,
    [project_fk()],
)
