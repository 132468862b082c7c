"""The OCDS builder: valid packages from projects and the published market dialogue, per phase.

Every package is validated against the official OCDS 1.1.5 schemas with the Enquiries extension
(tests/ocds_schema.py), with zero errors allowed.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session

from app.models import Organisation, Project
from app.models.base import OrganisationKind, Phase
from app.services import ocds
from app.services.ocds import DocumentRef, Enquiry, Milestone
from app.services.permissions import relation
from tests.conftest import World
from tests.ocds_schema import assert_valid_package, validation_errors

BASE_URL = "https://pivotal.example.no"
PREFIX = "ocds-abc123"
CREATED = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)


def _project(**changes: Any) -> Project:
    fields: dict[str, Any] = {
        "id": 7,
        "title": "Digital oppfølging i hjemmetjenesten",
        "summary": "Trondheim og Stjørdal vil finne bedre måter å følge opp hjemmeboende på.",
        "service_area": "Helse og velferd",
        "innovation_ambition": "Fra faste besøk etter liste til oppfølging etter behov.",
        "phase": Phase.market_dialogue,
        "owner_org_id": 1,
        "created_by_id": 1,
        "created_at": CREATED,
        **changes,
    }
    return Project(**fields)


OWNER = Organisation(
    id=1, name="Trondheim kommune", kind=OrganisationKind.municipality, org_number="942110464"
)
PARTNER = Organisation(
    id=2, name="Stjørdal kommune", kind=OrganisationKind.municipality, org_number="938726027"
)
UNNUMBERED = Organisation(id=3, name="Prøvekommune", kind=OrganisationKind.municipality)

ENQUIRIES = [
    Enquiry(
        id="q-2",
        date=datetime(2025, 3, 3, 8, 0, tzinfo=UTC),
        date_answered=datetime(2025, 3, 6, 12, 0, tzinfo=UTC),
        question="Kan løsningen bruke pasientens egen mobiltelefon?",
        answer="Ja, men den må også kunne brukes uten smarttelefon.",
        related_lot="need-4",
    ),
    Enquiry(
        id="q-1",
        date=datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        date_answered=datetime(2025, 3, 5, 14, 0, tzinfo=UTC),
        title="Integrasjon",
        question="Hvilket journalsystem bruker hjemmetjenesten?",
        answer="Begge kommunene bruker samme journalsystem; integrasjon er ønsket.",
    ),
]
MILESTONES = [
    Milestone(
        id="event-2",
        title="Én-til-én-møter",
        description="Like lange møter for alle leverandører som melder seg på.",
        due_date=datetime(2025, 4, 20, 8, 0, tzinfo=UTC),
    ),
    Milestone(
        id="event-1",
        title="Dialogkonferanse",
        description="Åpen konferanse for alle interesserte leverandører.",
        due_date=datetime(2025, 4, 10, 9, 0, tzinfo=UTC),
        date_met=datetime(2025, 4, 10, 15, 0, tzinfo=UTC),
        status="met",
    ),
]
DOCUMENTS = [
    DocumentRef(
        id="doc-needs",
        document_type="needsAssessment",
        title="Behovsbeskrivelse",
        url="/projects/7/documents/needs.pdf",
        date_published=datetime(2025, 2, 1, 9, 0, tzinfo=UTC),
        format="application/pdf",
    ),
    DocumentRef(
        id="doc-pin",
        document_type="tenderNotice",
        title="Veiledende kunngjøring",
        description="Invitasjon til markedsdialog, kunngjort på Doffin.",
        url="https://www.doffin.no/notices/2025-100001",
        date_published=datetime(2025, 2, 10, 9, 0, tzinfo=UTC),
        format="text/html",
    ),
    DocumentRef(
        id="doc-spec",
        document_type="technicalSpecifications",
        title="Utkast til kravspesifikasjon",
        url="/projects/7/documents/spec-draft.pdf",
        date_published=datetime(2025, 5, 2, 9, 0, tzinfo=UTC),
        format="application/pdf",
    ),
    DocumentRef(
        id="doc-qa",
        document_type="clarifications",
        title="Spørsmål og svar fra markedsdialogen",
        url="/projects/7/answers",
        date_published=datetime(2025, 3, 6, 12, 0, tzinfo=UTC),
        format="text/html",
    ),
]


def _build(project: Project | None = None, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "project": project or _project(),
        "owner": OWNER,
        "partners": [PARTNER],
        "enquiries": [],
        "milestones": [],
        "documents": [],
        "published": CREATED,
        "base_url": BASE_URL,
        "ocid_prefix": PREFIX,
        **changes,
    }
    return ocds.build_release_package(**arguments)


def _release(package: dict[str, Any]) -> dict[str, Any]:
    [release] = package["releases"]
    return release


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


# ---- a full package -------------------------------------------------------------------------


def test_package_with_enquiries_milestones_and_documents_validates() -> None:
    package = _build(enquiries=ENQUIRIES, milestones=MILESTONES, documents=DOCUMENTS)
    assert_valid_package(package)


def test_published_answers_are_tender_enquiries_under_the_enquiry_extension() -> None:
    package = _build(enquiries=ENQUIRIES)
    tender = _release(package)["tender"]
    assert package["extensions"] == [ocds.ENQUIRY_EXTENSION]
    assert tender["hasEnquiries"] is True
    assert [e["id"] for e in tender["enquiries"]] == ["q-1", "q-2"]  # in order of answering
    first, second = tender["enquiries"]
    assert first == {
        "id": "q-1",
        "date": "2025-03-01T10:00:00Z",
        "title": "Integrasjon",
        "description": "Hvilket journalsystem bruker hjemmetjenesten?",
        "answer": "Begge kommunene bruker samme journalsystem; integrasjon er ønsket.",
        "dateAnswered": "2025-03-05T14:00:00Z",
    }
    assert second["relatedLot"] == "need-4"


def test_enquiries_never_name_who_asked() -> None:
    # Equal treatment: an answer goes to all suppliers, and the asker stays unknown to them.
    assert not {f.name for f in dataclasses.fields(Enquiry)} & {
        "author",
        "asker",
        "supplier",
        "organisation",
        "user",
    }
    enquiries = _release(_build(enquiries=ENQUIRIES))["tender"]["enquiries"]
    assert all("author" not in e for e in enquiries)


def test_dialogue_events_are_engagement_milestones_of_the_tender() -> None:
    tender = _release(_build(milestones=MILESTONES))["tender"]
    conference, meetings = tender["milestones"]  # in order of due date
    assert conference == {
        "id": "event-1",
        "title": "Dialogkonferanse",
        "type": "engagement",
        "description": "Åpen konferanse for alle interesserte leverandører.",
        "dueDate": "2025-04-10T09:00:00Z",
        "dateMet": "2025-04-10T15:00:00Z",
        "status": "met",
    }
    assert meetings["status"] == "scheduled"
    assert "dateMet" not in meetings


def test_documents_go_to_planning_or_tender_by_document_type() -> None:
    release = _release(_build(documents=DOCUMENTS))
    [needs] = release["planning"]["documents"]
    assert needs["documentType"] == "needsAssessment"
    assert needs["url"] == f"{BASE_URL}/projects/7/documents/needs.pdf"  # site paths made absolute
    assert needs["language"] == "nb"
    assert needs["format"] == "application/pdf"
    tender_docs = release["tender"]["documents"]
    assert [d["documentType"] for d in tender_docs] == [
        "tenderNotice",
        "clarifications",
        "technicalSpecifications",
    ]
    assert tender_docs[0]["url"] == "https://www.doffin.no/notices/2025-100001"


# ---- the release's frame --------------------------------------------------------------------


def test_release_identifies_the_process_and_describes_the_project() -> None:
    package = _build()
    release = _release(package)
    assert package["uri"] == f"{BASE_URL}/api/v1/projects/7/ocds"
    assert package["version"] == "1.1"
    assert package["publisher"] == {"name": "Pivotal", "uri": BASE_URL}
    assert package["publishedDate"] == release["date"] == "2025-01-15T09:30:00Z"
    assert release["ocid"] == "ocds-abc123-7"
    assert release["id"].startswith("ocds-abc123-7-")
    assert release["initiationType"] == "tender"
    assert release["language"] == "nb"
    assert release["planning"] == {
        "rationale": "Fra faste besøk etter liste til oppfølging etter behov."
    }
    tender = release["tender"]
    assert tender["title"] == "Digital oppfølging i hjemmetjenesten"
    assert tender["description"].startswith("Trondheim og Stjørdal")
    assert tender["procuringEntity"] == release["buyer"]


def test_owner_is_buyer_and_procuring_entity_and_partners_are_buyers() -> None:
    release = _release(_build(partners=[PARTNER, OWNER, UNNUMBERED]))
    owner, partner, unnumbered = release["parties"]
    assert owner == {
        "id": "NO-BRC-942110464",
        "name": "Trondheim kommune",
        "identifier": {"scheme": "NO-BRC", "id": "942110464", "legalName": "Trondheim kommune"},
        "roles": ["buyer", "procuringEntity"],
    }
    assert release["buyer"] == {"id": "NO-BRC-942110464", "name": "Trondheim kommune"}
    assert partner["roles"] == ["buyer"]
    assert partner["identifier"]["id"] == "938726027"
    assert unnumbered == {
        "id": "pivotal-organisation-3",
        "name": "Prøvekommune",
        "roles": ["buyer"],
    }
    assert_valid_package(_build(partners=[PARTNER, OWNER, UNNUMBERED]))


def test_empty_parts_are_left_out_rather_than_empty() -> None:
    package = _build()
    release = _release(package)
    assert "documents" not in release["planning"]
    for absent in ("enquiries", "hasEnquiries", "milestones", "documents"):
        assert absent not in release["tender"]
    assert all(s.strip() for s in _strings(package))
    assert None not in _values(package)
    assert_valid_package(package)


def _values(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [v for value in node.values() for v in _values(value)]
    if isinstance(node, list):
        return [v for value in node for v in _values(value)]
    return [node]


def test_release_id_changes_with_the_content_and_only_then() -> None:
    first = _release(_build())["id"]
    assert _release(_build())["id"] == first
    assert _release(_build(_project(summary="En annen oppsummering.")))["id"] != first
    assert _release(_build(_project(phase=Phase.competition)))["id"] != first
    assert _release(_build(enquiries=ENQUIRIES[:1]))["id"] != first
    # The gatherers' order does not matter.
    assert (
        _release(_build(enquiries=ENQUIRIES, documents=DOCUMENTS))["id"]
        == _release(_build(enquiries=ENQUIRIES[::-1], documents=DOCUMENTS[::-1]))["id"]
    )


# ---- phases ---------------------------------------------------------------------------------

EXPECTED_TAG_AND_STATUS = {
    Phase.preparation: ("planning", "planning"),
    Phase.needs: ("planning", "planning"),
    Phase.market_dialogue: ("planning", "planning"),
    Phase.competition: ("tender", "active"),
    Phase.contract_follow_up: ("tenderUpdate", "complete"),
    Phase.benefit_realisation: ("tenderUpdate", "complete"),
    Phase.closed: ("tenderUpdate", "complete"),
    Phase.aborted: ("tenderCancellation", "cancelled"),
}


def test_every_phase_has_a_tag_and_status() -> None:
    assert set(ocds.PHASE_TAG_AND_STATUS) == set(Phase) == set(EXPECTED_TAG_AND_STATUS)


@pytest.mark.parametrize("phase", list(Phase))
def test_tag_and_tender_status_follow_the_phase_and_validate(phase: Phase) -> None:
    package = _build(
        _project(phase=phase), enquiries=ENQUIRIES, milestones=MILESTONES, documents=DOCUMENTS
    )
    release = _release(package)
    assert (release["tag"], release["tender"]["status"]) == (
        [EXPECTED_TAG_AND_STATUS[phase][0]],
        EXPECTED_TAG_AND_STATUS[phase][1],
    )
    assert_valid_package(package)


# ---- the validator can fail -----------------------------------------------------------------


def test_validator_reports_a_release_without_ocid() -> None:
    package = _build()
    del package["releases"][0]["ocid"]
    assert any("'ocid' is a required property" in e for e in validation_errors(package))


@pytest.mark.parametrize(
    ("where", "break_it", "expected"),
    [
        ("tag", lambda r: r.update(tag=["dialogue"]), "releases/0/tag/0"),
        ("date", lambda r: r.update(date="15.01.2025"), "releases/0/date: '15.01.2025' is not"),
        (
            "tender status",
            lambda r: r["tender"].update(status="ongoing"),
            "releases/0/tender/status",
        ),
        (
            "enquiry answered date (checked only through the extension)",
            lambda r: r["tender"]["enquiries"][0].update(dateAnswered="i går"),
            "releases/0/tender/enquiries/0/dateAnswered",
        ),
        (
            "enquiry without id (required only by the extension)",
            lambda r: r["tender"]["enquiries"][0].pop("id"),
            "releases/0/tender/enquiries/0: 'id' is a required property",
        ),
        (
            "repeated milestone id",
            lambda r: r["tender"]["milestones"][1].update(id="event-1"),
            "releases/0/tender/milestones: id 'event-1' repeated",
        ),
    ],
)
def test_validator_reports_broken_fields(where: str, break_it: Any, expected: str) -> None:
    package = copy.deepcopy(_build(enquiries=ENQUIRIES, milestones=MILESTONES))
    assert validation_errors(package) == []
    break_it(package["releases"][0])
    errors = validation_errors(package)
    assert any(e.startswith(expected) for e in errors), (where, errors)


def test_validator_reports_a_package_uri_that_is_not_a_uri() -> None:
    package = _build()
    package["uri"] = "ikke en adresse"
    assert any(e.startswith("uri: ") for e in validation_errors(package))


# ---- gathering from the database ------------------------------------------------------------


def test_gathered_package_uses_the_project_its_organisations_and_the_settings(
    session: Session, world: World
) -> None:
    package = ocds.release_package_for(
        session, rel=relation(session, None, world.public), base_url="http://testserver"
    )
    assert_valid_package(package)
    release = _release(package)
    assert release["ocid"] == f"ocds-pivotal-{world.public.id}"
    assert [p["name"] for p in release["parties"]] == ["Eierkommune", "Partnerkommune"]
    assert release["tender"]["title"] == "Offentlig prosjekt"


def test_gathered_package_places_what_the_gatherers_return(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The gatherers for published Q&A, dialogue events and public documents plug in here.
    monkeypatch.setattr(ocds, "published_enquiries", lambda s, *, project: ENQUIRIES)
    monkeypatch.setattr(ocds, "dialogue_milestones", lambda s, *, project: MILESTONES)
    monkeypatch.setattr(ocds, "public_documents", lambda s, *, project: DOCUMENTS)
    package = ocds.release_package_for(
        session, rel=relation(session, None, world.public), base_url="http://testserver"
    )
    assert_valid_package(package)
    tender = _release(package)["tender"]
    assert len(tender["enquiries"]) == 2
    assert len(tender["milestones"]) == 2
    assert len(tender["documents"]) == 3
    # On demand, the package is dated by its latest published content.
    latest = ocds.last_change(world.public, ENQUIRIES, MILESTONES, DOCUMENTS)
    assert package["publishedDate"] == latest.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_published_date_is_the_latest_published_content() -> None:
    project = _project()
    assert ocds.last_change(project, [], [], []) == CREATED
    assert ocds.last_change(project, ENQUIRIES, [], []) == datetime(2025, 3, 6, 12, tzinfo=UTC)
    assert ocds.last_change(project, [], MILESTONES, []) == datetime(2025, 4, 10, 15, tzinfo=UTC)
    naive = _project(created_at=datetime(2026, 1, 1))  # as SQLite returns it: UTC without tzinfo
    assert ocds.last_change(naive, ENQUIRIES, [], []) == datetime(2026, 1, 1, tzinfo=UTC)


# ---- public documents from the database ---------------------------------------------------------


def _document(
    session: Session,
    world: World,
    title: str,
    kind: str,
    audience: str,
    *,
    publish: bool = True,
    withdraw: bool = False,
) -> int:
    """A document of the public project, uploaded (and published, withdrawn) by its procurer."""
    import io

    from app.models.document import DocumentCreate
    from app.services import documents

    rel = relation(session, world.procurer, world.public)
    data = DocumentCreate.model_validate({"title": title, "kind": kind, "audience": audience})
    document = documents.upload_document(
        session, rel=rel, data=data, stream=io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="a.pdf"
    )
    if publish:
        documents.publish_document(session, rel=rel, document=document)
    if withdraw:
        documents.withdraw_document(session, rel=rel, document=document)
    session.commit()
    assert document.id is not None
    return document.id


def test_public_documents_are_exported_with_their_document_type_and_download_url(
    session: Session, world: World, upload_dir: Any
) -> None:
    needs = _document(session, world, "Behovsbeskrivelse", "needs_description", "public")
    notice = _document(session, world, "Veiledende kunngjøring", "market_notice", "public")
    spec = _document(session, world, "Kravspesifikasjon", "draft_specification", "public")
    minutes = _document(session, world, "Referat", "minutes", "public")
    other = _document(session, world, "Annet", "other", "public")
    package = ocds.release_package_for(
        session, rel=relation(session, None, world.public), base_url="http://testserver"
    )
    assert_valid_package(package)
    release = _release(package)
    planning = {d["id"]: d for d in release["planning"]["documents"]}
    tender = {d["id"]: d for d in release["tender"]["documents"]}
    assert planning[f"document-{needs}"]["documentType"] == "needsAssessment"
    assert planning[f"document-{notice}"]["documentType"] == "plannedProcurementNotice"
    assert tender[f"document-{spec}"]["documentType"] == "technicalSpecifications"
    assert tender[f"document-{minutes}"]["documentType"] == "clarifications"
    assert "documentType" not in tender[f"document-{other}"]  # no guessed type
    exported = planning[f"document-{needs}"]
    assert exported["url"] == f"http://testserver/api/v1/documents/{needs}/file"
    assert exported["format"] == "application/pdf"
    assert exported["title"] == "Behovsbeskrivelse"
    assert exported["datePublished"].endswith("Z")
    assert package["publishedDate"] >= exported["datePublished"]


def test_documents_not_published_to_everyone_never_reach_the_export(
    session: Session, world: World, upload_dir: Any
) -> None:
    _document(session, world, "Utkast til deltakerne", "draft_specification", "participants")
    _document(session, world, "Innkjøpernes notat", "minutes", "procurers")
    _document(session, world, "Ikke publisert ennå", "needs_description", "public", publish=False)
    _document(session, world, "Trukket tilbake", "minutes", "public", withdraw=True)
    package = ocds.release_package_for(
        session, rel=relation(session, world.procurer, world.public), base_url="http://testserver"
    )
    assert_valid_package(package)
    release = _release(package)
    assert "documents" not in release.get("planning", {})
    assert "documents" not in release["tender"]
    text = " ".join(_strings(package))
    for title in ("Utkast til deltakerne", "Innkjøpernes notat", "Ikke publisert", "Trukket"):
        assert title not in text


def test_the_export_api_lists_a_public_document_to_visitors(
    client: Any, session: Session, world: World, upload_dir: Any
) -> None:
    _document(session, world, "Behovsbeskrivelse", "needs_description", "public")
    _document(session, world, "Utkast til deltakerne", "draft_specification", "participants")
    package = client.get(f"/api/v1/projects/{world.public.id}/ocds").json()
    assert_valid_package(package)
    titles = [d["title"] for d in _release(package)["planning"]["documents"]]
    assert titles == ["Behovsbeskrivelse"]
    assert "Utkast til deltakerne" not in str(package)
