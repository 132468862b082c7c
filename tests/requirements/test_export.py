"""The specification exported for the tender: a PDF and a DOCX that real parsers open, holding
every requirement by kind with the weights and an appendix of sources, and nothing confidential."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from app.models import (
    DialogueEvent,
    Hearing,
    HearingComment,
    Need,
    Organisation,
    Proposal,
    Question,
)
from app.models.base import OrganisationKind, id_of, utcnow
from app.models.question import QuestionStatus
from app.models.trace import TraceLink, TraceRelation, TraceSource
from app.services import documents
from app.services.spec_export import blocks
from tests.conftest import World
from tests.helpers import Api, docx_text, pdf_text
from tests.requirements.conftest import drafted, patch

# Planted where only the confidential side keeps them: none may reach an exported file.
SECRET_BODY = "HEMMELIGKROPP7731"
SECRET_SUMMARY = "HEMMELIGSAMMENDRAG4410"
SECRET_TITLE = "HEMMELIGTITTEL2290"
SECRET_SUPPLIER = "Skjultleverandør AS"
SECRET_RATIONALE = "HEMMELIGBEGRUNNELSE5512"
# A hearing comment's own words: for those heard, never in a file attached to the tender.
HEARING_SAID = "HØRINGSORD6627"
FORMATS = ("pdf", "docx")
REFINED = "Sensorene gjorde kravet mer presist."
MOTIVATED = "Et forslag viste at kvalitet kan måles."


def exported_text(response: Any, fmt: str) -> str:
    """The text of an exported file, asserting it came as that format, named for saving."""
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f".{fmt}\"; filename*=UTF-8''" in disposition
    if fmt == "pdf":
        assert response.headers["content-type"] == "application/pdf"
        return pdf_text(response.content)
    assert "wordprocessingml" in response.headers["content-type"]
    return docx_text(response.content)


def export(api: Api, user: Any, project_id: int, fmt: str, **kwargs: Any) -> Any:
    """Ask for the specification in a format as this user (the response)."""
    return api.get(f"/projects/{project_id}/specification.{fmt}", user, **kwargs)


def link(session: Session, world: World, requirement_id: int, source: TraceSource, **kw: Any):
    """A trace link from the requirement to a source (written as the ledger's service would)."""
    row = TraceLink(
        project_id=id_of(world.public),
        requirement_id=requirement_id,
        source_type=source,
        created_by_id=id_of(world.procurer),
        **({"relation": TraceRelation.derived_from, "rationale": "Fordi."} | kw),
    )
    session.add(row)
    session.commit()
    return row


def hearing_comment(session: Session, world: World, requirement_id: int) -> int:
    """A supplier's comment on the requirement in a hearing of the project (its id)."""
    hearing = Hearing(
        project_id=id_of(world.public),
        opened_by_id=id_of(world.procurer),
        deadline=utcnow(),
        for_suppliers=True,
    )
    session.add(hearing)
    session.flush()
    said = HearingComment(
        hearing_id=id_of(hearing),
        requirement_id=requirement_id,
        author_id=id_of(world.supplier),
        body=f"Vi i Leverandør AS mener: {HEARING_SAID}",
    )
    session.add(said)
    session.commit()
    return id_of(said)


def sources(session: Session, world: World) -> dict[str, int]:
    """A need, a published and an unpublished proposal, a published answer and minutes."""
    hidden_supplier = Organisation(name=SECRET_SUPPLIER, kind=OrganisationKind.supplier)
    session.add(hidden_supplier)
    session.flush()
    project_id, procurer = id_of(world.public), id_of(world.procurer)
    need = Need(
        project_id=project_id,
        author_id=id_of(world.employee),
        title="Trygg natt hjemme",
        problem="Brukere faller om natten og ligger lenge før noen kommer.",
    )
    published = Proposal(
        project_id=project_id,
        organisation_id=id_of(world.supplier_org),
        submitted_by_id=id_of(world.supplier),
        title="Sensor i gulvet",
        summary="Sensorer som merker fall.",
        body="Detaljer om prisingen.",
        summary_published=True,
        summary_published_at=utcnow(),
    )
    unpublished = Proposal(
        project_id=project_id,
        organisation_id=id_of(hidden_supplier),
        submitted_by_id=id_of(world.supplier),
        title=SECRET_TITLE,
        summary=f"Et sammendrag {SECRET_SUMMARY}.",
        body=f"Konfidensielt: {SECRET_BODY}",
    )
    question = Question(
        project_id=project_id,
        body="Hvem er Leverandør AS sin kontakt?",
        asked_by_id=id_of(world.supplier),
        organisation_id=id_of(world.supplier_org),
        status=QuestionStatus.published,
        public_question="Må løsningen virke uten nett?",
        answer="Ja.",
        published_at=utcnow(),
    )
    now = utcnow()
    event = DialogueEvent(
        project_id=project_id,
        created_by_id=procurer,
        kind="conference",
        title="Dialogkonferanse i rådhuset",
        starts_at=now,
        ends_at=now,
        minutes="Referat.",
        minutes_published_at=now,
    )
    session.add_all([need, published, unpublished, question, event])
    session.commit()
    names = ("need", "published", "unpublished", "question", "event")
    rows = (need, published, unpublished, question, event)
    return {name: id_of(row) for name, row in zip(names, rows, strict=True)}


@pytest.fixture
def final_spec(api: Api, world: World, spec: int, session: Session) -> dict[str, Any]:
    """A final specification of four kinds, traced to public and confidential sources."""
    text = "Løsningen skal **varsle** pårørende.\n\n- om natten\n- i helgene\n\nSe *også* 2."
    alarm = drafted(api, world.procurer, spec, title="Varsling ved fall", text=text)
    price = drafted(api, world.procurer, spec, kind="award_criterion", title="Pris", weight=60)
    quality = drafted(
        api, world.procurer, spec, kind="award_criterion", title="Kvalitet", weight=40
    )
    term = drafted(api, world.procurer, spec, kind="contract_term", title="Åpne grensesnitt")
    made = [alarm, price, quality, term]
    ids = sources(session, world)
    refined, motivated = TraceRelation.refined_by, TraceRelation.motivated_by
    ledger: list[tuple[dict[str, Any], TraceSource, int, dict[str, Any]]] = [
        (alarm, TraceSource.need, ids["need"], {}),
        (
            alarm,
            TraceSource.proposal,
            ids["published"],
            {"relation": refined, "rationale": REFINED},
        ),
        (
            quality,
            TraceSource.proposal,
            ids["unpublished"],
            {"relation": motivated, "rationale": MOTIVATED},
        ),
        (
            term,
            TraceSource.proposal,
            ids["unpublished"],
            {"confidential": True, "rationale": SECRET_RATIONALE},
        ),
        (term, TraceSource.answer, ids["question"], {}),
        (price, TraceSource.event_minutes, ids["event"], {}),
        (price, TraceSource.hearing_comment, hearing_comment(session, world, price["id"]), {}),
    ]
    for requirement, source, source_id, fields in ledger:
        link(session, world, requirement["id"], source, source_id=source_id, **fields)
    for body in made:
        assert patch(api, world.procurer, body["id"], status="final").status_code == 200
    response = api.post(f"/projects/{spec}/specification/final", world.procurer)
    assert response.status_code == 200, response.text
    return {"project_id": spec, "requirements": made}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_export_holds_every_final_requirement_by_kind_with_weights_and_total(
    api: Api, world: World, final_spec: dict[str, Any], fmt: str
) -> None:
    text = exported_text(export(api, world.procurer, final_spec["project_id"], fmt), fmt)
    for title in ("Varsling ved fall", "Pris", "Kvalitet", "Åpne grensesnitt"):
        assert title in text
    order = [text.index(h) for h in ("Functional requirements", "Award criteria", "Contract")]
    assert order == sorted(order)  # the kinds in RequirementKind's order
    assert "Weight: 60 %" in text and "Weight: 40 %" in text
    assert "Sum of the weights: 100 % of 100 %" in text
    assert "Status: Final" in text and "DRAFT" not in text
    assert "Offentlig prosjekt" in text and "Eierkommune" in text
    # Markdown reads as text: no stars, the list items and the emphasis kept as words.
    assert "Løsningen skal varsle pårørende." in text and "**" not in text
    assert "om natten" in text and "i helgene" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_appendix_traces_requirements_to_their_public_sources(
    api: Api, world: World, final_spec: dict[str, Any], fmt: str
) -> None:
    text = exported_text(export(api, world.procurer, final_spec["project_id"], fmt), fmt)
    appendix = text[text.index("Appendix: Traceability") :]
    assert "Derived from · Need: Trygg natt hjemme" in appendix
    assert "Refined by · Proposal: Sensor i gulvet (Leverandør AS)" in appendix
    assert "Sensorene gjorde kravet mer presist." in appendix
    assert "Published answer: Må løsningen virke uten nett?" in appendix
    assert "Minutes of a dialogue event: Dialogkonferanse i rådhuset" in appendix
    assert "Hearing comment (not public)" in appendix
    # The unpublished proposal counts, by its kind only, with the procurer's rationale.
    assert "Motivated by · Proposal (not public) — Et forslag viste at kvalitet" in appendix


@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_confidential_reaches_the_export(
    api: Api, world: World, final_spec: dict[str, Any], fmt: str
) -> None:
    for reader in (world.procurer, world.citizen, None):
        text = exported_text(export(api, reader, final_spec["project_id"], fmt), fmt)
        for secret in (SECRET_BODY, SECRET_SUMMARY, SECRET_TITLE, SECRET_SUPPLIER):
            assert secret not in text
        assert SECRET_RATIONALE not in text  # the confidential link is left out whole


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_hearing_comment_shows_by_its_kind_alone_never_its_words_or_writer(
    api: Api, world: World, final_spec: dict[str, Any], fmt: str
) -> None:
    nb = {"Accept-Language": "nb"}
    for reader in (world.procurer, world.citizen, None):
        response = export(api, reader, final_spec["project_id"], fmt, headers=nb)
        text = exported_text(response, fmt)
        appendix = text[text.index("Vedlegg: Sporbarhet") :]
        assert "Høringsinnspill" in appendix
        assert HEARING_SAID not in text and "mener:" not in text
        assert world.supplier.display_name not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_export_is_in_bokmal_with_norwegian_letters_intact(
    api: Api, world: World, final_spec: dict[str, Any], fmt: str
) -> None:
    nb = {"Accept-Language": "nb"}
    response = export(api, world.procurer, final_spec["project_id"], fmt, headers=nb)
    text = exported_text(response, fmt)
    for heading in ("Kravspesifikasjon", "Funksjonelle krav", "Tildelingskriterier"):
        assert heading in text
    assert "Vedlegg: Sporbarhet" in text and "Kontraktsvilkår" in text
    assert "Åpne grensesnitt" in text and "pårørende" in text and "rådhuset" in text
    disposition = response.headers["content-disposition"]
    assert "Kravspesifikasjon%20-%20Offentlig%20prosjekt" in disposition
    assert disposition.isascii()


def test_the_pdf_embeds_its_font(api: Api, world: World, final_spec: dict[str, Any]) -> None:
    response = export(api, world.procurer, final_spec["project_id"], "pdf")
    reader = PdfReader(BytesIO(response.content))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not the reader's own


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_draft_is_marked_as_a_draft_with_each_requirements_status(
    api: Api, world: World, spec: int, fmt: str
) -> None:
    drafted(api, world.procurer, spec, title="Varsling ved fall")
    settled = drafted(api, world.procurer, spec, title="Logg over hendelser")
    patch(api, world.procurer, settled["id"], status="final")
    response = export(api, world.procurer, spec, fmt)
    text = exported_text(response, fmt)
    assert "DRAFT – not final" in text
    assert "Status: Draft" in text and "Status: Final" in text
    assert "DRAFT" in response.headers["content-disposition"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_those_who_may_open_the_workspace_may_export(
    api: Api, world: World, spec: int, fmt: str
) -> None:
    drafted(api, world.procurer, spec)
    for writer in (world.procurer, world.partner_procurer):
        assert export(api, writer, spec, fmt).status_code == 200
    # A draft is the procurers' and co-authors': everyone else meets the workspace's 404.
    for outsider in (world.employee, world.citizen, world.supplier, world.researcher, None):
        assert export(api, outsider, spec, fmt).status_code == 404
    assert export(api, world.procurer, 999_999, fmt).status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_specification_exports_with_a_note(
    api: Api, world: World, spec: int, fmt: str
) -> None:
    text = exported_text(export(api, world.procurer, spec, fmt), fmt)
    assert "The specification has no requirements yet." in text


def test_markdown_becomes_paragraphs_lists_and_emphasis() -> None:
    parsed = blocks.to_blocks("Først **fet** og *skrå*.\n\n1. en\n2. to\n   - under\n\n> sitat")
    kinds = [(b.kind, b.marker, b.level, b.text) for b in parsed]
    assert kinds == [
        ("paragraph", "", 0, "Først fet og skrå."),
        ("item", "1.", 0, "en"),
        ("item", "2.", 0, "to"),
        ("item", "•", 1, "under"),
        ("quote", "", 0, "sitat"),
    ]
    runs = parsed[0].runs
    assert [r.text for r in runs if r.bold] == ["fet"]
    assert [r.text for r in runs if r.italic] == ["skrå"]


def test_the_file_name_falls_back_to_ascii_spelled_as_norwegians_would() -> None:
    name = "Kravspesifikasjon - Sjøbad på Ærø – UTKAST.pdf"
    header = documents.content_disposition(name)
    fallback = 'filename="Kravspesifikasjon - Sjobad pa AEro - UTKAST.pdf"'
    assert header == f"attachment; {fallback}; filename*=UTF-8''{quote(name, safe='')}"


def test_hidden_unpublished_and_other_projects_sources_are_named_by_kind_only(
    api: Api, world: World, spec: int, session: Session
) -> None:
    body = drafted(api, world.procurer, spec, title="Varsling ved fall")
    author = id_of(world.employee)
    hidden = Need(
        project_id=spec, author_id=author, title="SKJULTBEHOV", problem="x" * 20, hidden=True
    )
    elsewhere = Need(
        project_id=id_of(world.internal), author_id=author, title="ANNETPROSJEKT", problem="x" * 20
    )
    unanswered = Question(
        project_id=spec,
        body="UBESVART spørsmål",
        asked_by_id=id_of(world.supplier),
        organisation_id=id_of(world.supplier_org),
        public_question="UBESVARTPUBLISERING",
    )
    session.add_all([hidden, elsewhere, unanswered])
    session.commit()
    link(session, world, body["id"], TraceSource.need, source_id=id_of(hidden))
    link(session, world, body["id"], TraceSource.answer, source_id=id_of(unanswered))
    session.add(
        TraceLink(
            project_id=spec,
            requirement_id=body["id"],
            source_type=TraceSource.need,
            source_id=id_of(elsewhere),
            relation=TraceRelation.motivated_by,
            rationale="Fra et annet prosjekt.",
            created_by_id=id_of(world.procurer),
        )
    )
    session.commit()
    text = exported_text(export(api, world.procurer, spec, "pdf"), "pdf")
    for secret in ("SKJULTBEHOV", "ANNETPROSJEKT", "UBESVART"):
        assert secret not in text
    assert text.count("Need (not public)") == 2
    assert "Published answer (not public)" in text
