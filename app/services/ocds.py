"""The OCDS open-data export: a project as an Open Contracting Data Standard 1.1 release package.

Two layers. `build_release_package` is pure: it turns a project, its organisations and the
published parts of the market dialogue (enquiries, dialogue events, documents) into a package.
`release_package_for` gathers those inputs from the database. The builder has no parameter for
anything confidential (who asked a question, proposal bodies, unpublished drafts), so the export
cannot leak them; the gatherers read published records only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import Document, Organisation, Project
from app.models.base import Phase, id_of
from app.models.document import DocumentAudience, DocumentKind
from app.models.event import as_utc
from app.services import documents, events, permissions, projects, questions
from app.services.permissions import ProjectRelation

OCDS_VERSION = "1.1"
LANGUAGE = "nb"
PUBLISHER_NAME = "Pivotal"
PACKAGE_PATH = "/api/v1/projects/{project_id}/ocds"
ENQUIRY_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_enquiry_extension/"
    "master/extension.json"
)
# org-id.guide's code for Enhetsregisteret, the Brønnøysund Register Centre's register of units.
ORG_ID_SCHEME = "NO-BRC"
ENGAGEMENT = "engagement"  # milestoneType for dialogue conferences, one-to-one rounds, hearings

# The phase decides the release tag and the tender status (closed codelists). Before the
# competition the tender is "planning": the process is being considered and its details may still
# be shaped by early engagement, which is exactly what the needs and market dialogue are. There
# are no award or contract sections yet, so later phases update the tender section only.
PHASE_TAG_AND_STATUS: dict[Phase, tuple[str, str]] = {
    Phase.preparation: ("planning", "planning"),
    Phase.needs: ("planning", "planning"),
    Phase.market_dialogue: ("planning", "planning"),
    Phase.competition: ("tender", "active"),
    Phase.contract_follow_up: ("tenderUpdate", "complete"),
    Phase.benefit_realisation: ("tenderUpdate", "complete"),
    Phase.closed: ("tenderUpdate", "complete"),
    Phase.aborted: ("tenderCancellation", "cancelled"),
}

# documentType codes that the codelist places in the planning section; the rest go in tender.
PLANNING_DOCUMENT_TYPES = frozenset(
    {
        "plannedProcurementNotice",
        "procurementPlan",
        "marketStudies",
        "needsAssessment",
        "feasibilityStudy",
        "projectPlan",
        "environmentalImpact",
        "assetAndLiabilityAssessment",
        "riskProvisions",
    }
)

# Our document kinds in the documentType codelist. The needs description documents the buyer's
# needs (needsAssessment). The market notice is the "veiledende kunngjøring" on Doffin inviting
# to dialogue: a prior information notice, which the codelist calls plannedProcurementNotice
# (tenderNotice invites bids, marketStudies are the results of market research). A draft
# specification put on hearing is the technical specification as it stands. Minutes of dialogue
# conferences and meetings, published to all, are clarifications ("including replies to issues
# raised in pre-bid conferences"). Other documents get no type rather than a guessed one.
OCDS_DOCUMENT_TYPES: dict[str, str | None] = {
    DocumentKind.needs_description: "needsAssessment",
    DocumentKind.market_notice: "plannedProcurementNotice",
    DocumentKind.draft_specification: "technicalSpecifications",
    DocumentKind.minutes: "clarifications",
    DocumentKind.other: None,
}

MilestoneStatus = Literal["scheduled", "met", "notMet", "partiallyMet"]


@dataclass(frozen=True)
class Enquiry:
    """A question and its answer as published to all suppliers; never says who asked."""

    id: str
    date: datetime  # when the question was asked
    date_answered: datetime  # when the answer was published to everyone
    question: str  # as anonymised by the procurer before publishing
    answer: str
    title: str | None = None
    related_lot: str | None = None  # the lot (or need, while needs stand in for lots) it concerns


@dataclass(frozen=True)
class Milestone:
    """A dialogue event (conference, one-to-one round, hearing) or another public milestone."""

    id: str
    title: str
    type: str = ENGAGEMENT  # the open milestoneType codelist
    description: str | None = None
    due_date: datetime | None = None
    date_met: datetime | None = None
    status: MilestoneStatus = "scheduled"


@dataclass(frozen=True)
class DocumentRef:
    """A public document: where it is, what it is (documentType codelist), when it was published."""

    id: str
    document_type: str  # e.g. needsAssessment, tenderNotice, technicalSpecifications
    title: str
    url: str  # absolute, or a path on this site (joined to the base URL)
    date_published: datetime
    description: str | None = None
    format: str | None = None  # a media type, e.g. application/pdf
    language: str = LANGUAGE


def build_release_package(
    *,
    project: Project,
    owner: Organisation,
    partners: Sequence[Organisation],
    enquiries: Sequence[Enquiry],
    milestones: Sequence[Milestone],
    documents: Sequence[DocumentRef],
    published: datetime,
    base_url: str,
    ocid_prefix: str,
) -> dict[str, Any]:
    """An OCDS 1.1 release package with one release describing the project as it stands."""
    base = base_url.rstrip("/")
    project_id = id_of(project)
    ocid = f"{ocid_prefix}-{project_id}"
    tag, status = PHASE_TAG_AND_STATUS[project.phase]
    buyer = _organisation_reference(owner)
    docs = sorted(documents, key=lambda d: (_utc(d.date_published), d.id))
    planning_docs = [_document(d, base) for d in docs if _in_planning(d)]
    tender_docs = [_document(d, base) for d in docs if not _in_planning(d)]
    answered = sorted(enquiries, key=lambda e: (_utc(e.date_answered), e.id))
    events = sorted(milestones, key=lambda m: (m.due_date is None, _utc(m.due_date), m.id))
    content = _compact(
        {
            "date": _timestamp(published),
            "tag": [tag],
            "initiationType": "tender",
            "language": LANGUAGE,
            "parties": [
                _party(owner, ["buyer", "procuringEntity"]),
                *(_party(org, ["buyer"]) for org in partners if org.id != owner.id),
            ],
            "buyer": buyer,
            "planning": {"rationale": project.innovation_ambition, "documents": planning_docs},
            "tender": {
                "id": ocid,
                "title": project.title,
                "description": project.summary,
                "status": status,
                "procuringEntity": buyer,
                "hasEnquiries": True if answered else None,
                "enquiries": [_enquiry(e) for e in answered],
                "milestones": [_milestone(m) for m in events],
                "documents": tender_docs,
            },
        }
    )
    release = {"ocid": ocid, "id": _release_id(ocid, content), **content}
    return {
        "uri": base + PACKAGE_PATH.format(project_id=project_id),
        "publishedDate": _timestamp(published),
        "publisher": {"name": PUBLISHER_NAME, "uri": base},
        "version": OCDS_VERSION,
        "extensions": [ENQUIRY_EXTENSION],
        "releases": [release],
    }


def release_package_for(session: Session, *, rel: ProjectRelation, base_url: str) -> dict[str, Any]:
    """The release package of a project the caller may see; the same for every viewer."""
    project = rel.project
    partner_ids = set(projects.partner_ids(session, project_id=id_of(project)))
    orgs = projects.organisations_by_id(session, {project.owner_org_id, *partner_ids})
    enquiries = published_enquiries(session, project=project)
    milestones = dialogue_milestones(session, project=project)
    documents = public_documents(session, project=project)
    return build_release_package(
        project=project,
        owner=orgs[project.owner_org_id],
        partners=[orgs[i] for i in sorted(partner_ids) if i in orgs],
        enquiries=enquiries,
        milestones=milestones,
        documents=documents,
        published=last_change(project, enquiries, milestones, documents),
        base_url=base_url,
        ocid_prefix=get_settings().ocds_prefix,
    )


def published_enquiries(session: Session, *, project: Project) -> list[Enquiry]:
    """Published Q&A: each anonymised question with its answer, as published to all suppliers.

    Only the published texts and dates: never the original wording or who asked.
    """
    return [
        Enquiry(
            id=f"question-{id_of(q)}",
            date=q.asked_at,
            date_answered=q.published_at,
            question=q.public_question,
            answer=q.answer,
        )
        for q in questions.published_questions(session, project_id=id_of(project))
        if q.published_at is not None and q.public_question and q.answer
    ]


def dialogue_milestones(session: Session, *, project: Project) -> list[Milestone]:
    """Dialogue events (conferences, one-to-one rounds, hearings) as engagement milestones.

    An event is met once its minutes are published or it has ended; the minutes themselves are
    not public, so the milestone carries only what the event page shows everyone.
    """
    now = datetime.now(UTC)
    milestones = []
    for event in events.project_events(session, project=project):
        ended = as_utc(event.ends_at) <= now
        published = event.minutes_published_at
        met = published is not None or ended
        milestones.append(
            Milestone(
                id=f"dialogue-event-{id_of(event)}",
                title=event.title,
                description=event.description or None,
                due_date=as_utc(event.starts_at),
                date_met=(as_utc(published) if published else as_utc(event.ends_at))
                if met
                else None,
                status="met" if met else "scheduled",
            )
        )
    return milestones


def public_documents(session: Session, *, project: Project) -> list[DocumentRef]:
    """Documents published to everyone: needs assessment, notices, published minutes, specs."""
    anyone = permissions.relation(session, None, project)
    query = (
        select(Document)
        .where(
            Document.project_id == project.id,
            Document.audience == DocumentAudience.public,
            col(Document.published_at).is_not(None),
            col(Document.withdrawn_at).is_(None),
        )
        .order_by(col(Document.id))
    )
    return [
        DocumentRef(
            id=f"document-{id_of(d)}",
            document_type=OCDS_DOCUMENT_TYPES.get(d.kind) or "",  # blank: left out
            title=d.title,
            url=documents.file_url(id_of(d)),
            date_published=d.published_at,
            description=d.description or None,
            format=d.content_type,
        )
        for d in session.exec(query).all()
        if d.published_at is not None and permissions.can_see_document(anyone, d)
    ]


def last_change(
    project: Project,
    enquiries: Sequence[Enquiry],
    milestones: Sequence[Milestone],
    documents: Sequence[DocumentRef],
) -> datetime:
    """When the published content last changed (an on-demand package's publishedDate)."""
    dates = [
        _utc(project.created_at),
        *(_utc(e.date_answered) for e in enquiries),
        *(_utc(m.date_met) for m in milestones if m.date_met is not None),
        *(_utc(d.date_published) for d in documents),
    ]
    return max(dates)


def _organisation_reference(org: Organisation) -> dict[str, str]:
    return {"id": _party_id(org), "name": org.name}


def _party_id(org: Organisation) -> str:
    if org.org_number:
        return f"{ORG_ID_SCHEME}-{org.org_number}"
    return f"pivotal-organisation-{id_of(org)}"


def _party(org: Organisation, roles: list[str]) -> dict[str, Any]:
    identifier = (
        {"scheme": ORG_ID_SCHEME, "id": org.org_number, "legalName": org.name}
        if org.org_number
        else None
    )
    return _compact(
        {"id": _party_id(org), "name": org.name, "identifier": identifier, "roles": roles}
    )


def _enquiry(enquiry: Enquiry) -> dict[str, Any]:
    return _compact(
        {
            "id": enquiry.id,
            "date": _timestamp(enquiry.date),
            "title": enquiry.title,
            "description": enquiry.question,
            "answer": enquiry.answer,
            "dateAnswered": _timestamp(enquiry.date_answered),
            "relatedLot": enquiry.related_lot,
        }
    )


def _milestone(milestone: Milestone) -> dict[str, Any]:
    return _compact(
        {
            "id": milestone.id,
            "title": milestone.title,
            "type": milestone.type,
            "description": milestone.description,
            "dueDate": _timestamp(milestone.due_date),
            "dateMet": _timestamp(milestone.date_met),
            "status": milestone.status,
        }
    )


def _in_planning(document: DocumentRef) -> bool:
    return document.document_type in PLANNING_DOCUMENT_TYPES


def _document(document: DocumentRef, base: str) -> dict[str, Any]:
    url = base + document.url if document.url.startswith("/") else document.url
    return _compact(
        {
            "id": document.id,
            "documentType": document.document_type,
            "title": document.title,
            "description": document.description,
            "url": url,
            "datePublished": _timestamp(document.date_published),
            "format": document.format,
            "language": document.language,
        }
    )


def _release_id(ocid: str, content: dict[str, Any]) -> str:
    """From the release's content: the same content keeps its id, any change gets a new one."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{ocid}-{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is empty: OCDS prefers an absent field to an empty string or list."""
    result = {}
    for key, value in fields.items():
        if isinstance(value, dict):
            value = _compact(value)
        if value is None or (isinstance(value, str) and not value.strip()) or value in ([], {}):
            continue
        result[key] = value
    return result


def _utc(moment: datetime | None) -> datetime:
    """Timezone-aware UTC; SQLite hands back naive datetimes, which are UTC here."""
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _timestamp(moment: datetime | None) -> str | None:
    """An RFC 3339 date-time in UTC, to the second."""
    if moment is None:
        return None
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
