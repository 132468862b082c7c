"""Project documents through the API and the download: uploads, publication, audiences, refusals.

Who sees which document is one rule (`permissions.can_see_document`); the matrix at the end of
this file checks that the list, the item, the download and the page all follow it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import get_settings
from app.main import STATIC_DIR
from app.models import AuditEntry, Document, ParticipationEvent, User
from app.models.base import OrganisationKind, Phase, Role
from tests.conftest import Factory, World, login
from tests.helpers import EXECUTABLE, PDF, Api, count_rows, published, upload, uploaded

NORWEGIAN_NAME = "Behovsbeskrivelse for omsorgsbolig – Ærlig, Øvre, Åpen.pdf"


def audit_actions(session: Session, project_id: int) -> list[str]:
    session.expire_all()
    query = select(AuditEntry.action).where(AuditEntry.project_id == project_id)
    return list(session.exec(query.order_by(col(AuditEntry.id))).all())


# ---- uploads -----------------------------------------------------------------------------------


def test_procurer_uploads_a_draft_that_only_procurers_see(api: Api, world: World) -> None:
    document = uploaded(api, world.procurer, world.public.id, audience="public")
    assert document["published_at"] is None
    assert document["content_type"] == "application/pdf"
    assert document["size"] == len(PDF)
    assert document["url"] == f"/api/v1/documents/{document['id']}/file"
    assert [
        d["id"] for d in api.get(f"/projects/{world.public.id}/documents", world.procurer).json()
    ] == [document["id"]]
    assert api.get(f"/projects/{world.public.id}/documents", world.citizen).json() == []
    assert api.get(f"/documents/{document['id']}", None).status_code == 404


def test_partner_municipalitys_procurer_may_upload(api: Api, world: World) -> None:
    assert upload(api, world.partner_procurer, world.public.id).status_code == 201


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        (None, 401, "You need to log in to do this."),
        ("citizen", 403, "Only the project's procurers can upload and publish documents."),
        ("employee", 403, "Only the project's procurers can upload and publish documents."),
        ("supplier", 403, "Only the project's procurers can upload and publish documents."),
        ("other_procurer", 403, "Only the project's procurers can upload and publish documents."),
        ("researcher", 403, "Only the project's procurers can upload and publish documents."),
    ],
)
def test_only_the_projects_procurers_upload(
    api: Api,
    world: World,
    session: Session,
    upload_dir: Path,
    who: str | None,
    status: int,
    message: str,
) -> None:
    user = getattr(world, who) if who else None
    response = upload(api, user, world.public.id)
    assert response.status_code == status
    assert response.json()["detail"] == message
    assert count_rows(session, Document) == 0
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))


def test_outsider_gets_404_for_an_internal_projects_documents(api: Api, world: World) -> None:
    for user in (None, world.other_procurer, world.citizen, world.supplier):
        assert upload(api, user, world.internal.id).status_code == 404
        response = api.get(f"/projects/{world.internal.id}/documents", user)
        assert response.status_code == 404
        assert response.json()["detail"] == "No such project."


def test_a_pdf_named_docx_is_stored_and_served_as_a_pdf(api: Api, world: World) -> None:
    document = published(api, world.procurer, world.public.id, filename="notat.docx")
    assert document["content_type"] == "application/pdf"
    assert document["filename"] == "notat.pdf"  # stored under the extension its content shows
    response = api.get(f"/documents/{document['id']}/file", world.procurer)
    assert response.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''notat.pdf" in response.headers["content-disposition"]


def test_a_word_file_named_pdf_is_stored_as_word(api: Api, world: World) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    document = uploaded(api, world.procurer, world.public.id, content=buffer.getvalue())
    assert document["content_type"].endswith("wordprocessingml.document")


def test_an_executable_named_pdf_is_refused_and_nothing_is_kept(
    api: Api, world: World, session: Session, upload_dir: Path
) -> None:
    response = upload(api, world.procurer, world.public.id, content=EXECUTABLE)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("This kind of file is not accepted. Accepted: PDF")
    assert count_rows(session, Document) == 0
    assert count_rows(session, ParticipationEvent) == 0
    assert not any(p.is_file() for p in upload_dir.rglob("*"))


def test_a_file_over_the_size_limit_is_refused(
    api: Api, world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_bytes", 100)
    response = upload(api, world.procurer, world.public.id)
    assert response.status_code == 422
    assert response.json()["detail"] == "The file is larger than 0.0001 MB."
    assert count_rows(session, Document) == 0


def test_an_empty_file_is_refused(api: Api, world: World) -> None:
    response = upload(api, world.procurer, world.public.id, content=b"")
    assert response.status_code == 422
    assert response.json()["detail"] == "The file is empty."


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Title is required."),
        ({"title": "   "}, "The title cannot be blank."),
        ({"kind": "contract"}, "Kind of document is not valid."),
        ({"audience": "everyone"}, "Who may see it is not valid."),
        ({"title": "x" * 201}, "Title can be at most 200 characters."),
    ],
)
def test_invalid_fields_are_refused_with_a_message(
    api: Api, world: World, session: Session, fields: dict[str, str], message: str
) -> None:
    response = upload(api, world.procurer, world.public.id, **fields)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert count_rows(session, Document) == 0


def test_an_upload_without_a_file_is_refused(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/documents", world.procurer, data={"title": "Uten fil"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "File is required."


def test_an_upload_is_a_participation_event(api: Api, world: World, session: Session) -> None:
    document = uploaded(api, world.procurer, world.public.id)
    session.expire_all()
    [event] = session.exec(select(ParticipationEvent)).all()
    assert (event.verb, event.object_type, event.object_id) == (
        "uploaded_document",
        "document",
        document["id"],
    )


# ---- publishing, audiences, withdrawal ---------------------------------------------------------


def test_publishing_is_audited_and_logged_as_participation(
    api: Api, world: World, session: Session
) -> None:
    document = published(api, world.procurer, world.public.id, audience="public")
    assert document["published_at"] is not None
    session.expire_all()
    entry = session.exec(select(AuditEntry).where(col(AuditEntry.project_id).is_not(None))).one()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "document_published",
        "document",
        document["id"],
    )
    assert entry.before == {
        "title": "Behovsbeskrivelse",
        "audience": "public",
        "published": False,
        "withdrawn": False,
    }
    assert entry.after is not None and entry.after["published"] is True
    verbs = session.exec(select(ParticipationEvent.verb).order_by(col(ParticipationEvent.id)))
    assert list(verbs.all()) == ["uploaded_document", "published_document"]


def test_a_document_is_published_once(api: Api, world: World, session: Session) -> None:
    document = published(api, world.procurer, world.public.id)
    again = api.post(f"/documents/{document['id']}/publish", world.procurer)
    assert again.status_code == 409
    assert again.json()["detail"] == "The document is already published."
    assert audit_actions(session, world.public.id) == ["document_published"]


def test_who_sees_a_document_may_still_not_publish_or_change_it(api: Api, world: World) -> None:
    document = published(api, world.procurer, world.public.id, audience="public")
    message = "Only the project's procurers can upload and publish documents."
    for user in (world.citizen, world.employee, world.other_procurer):
        response = api.put(
            f"/documents/{document['id']}/audience", user, json={"audience": "procurers"}
        )
        assert (response.status_code, response.json()["detail"]) == (403, message)
        response = api.delete(f"/documents/{document['id']}", user)
        assert (response.status_code, response.json()["detail"]) == (403, message)
    assert api.delete(f"/documents/{document['id']}", None).status_code == 401


def test_who_cannot_see_a_draft_gets_404_for_every_action(api: Api, world: World) -> None:
    draft = uploaded(api, world.procurer, world.public.id)
    for user in (None, world.citizen, world.other_procurer, world.employee):
        for response in (
            api.post(f"/documents/{draft['id']}/publish", user),
            api.put(f"/documents/{draft['id']}/audience", user, json={"audience": "public"}),
            api.delete(f"/documents/{draft['id']}", user),
            api.get(f"/documents/{draft['id']}", user),
            api.get(f"/documents/{draft['id']}/file", user),
        ):
            assert response.status_code == 404
            assert response.json()["detail"] == "No such document."


def test_changing_the_audience_is_audited_with_before_and_after(
    api: Api, world: World, session: Session
) -> None:
    document = published(api, world.procurer, world.public.id, audience="participants")
    response = api.put(
        f"/documents/{document['id']}/audience", world.procurer, json={"audience": "public"}
    )
    assert response.status_code == 200
    assert response.json()["audience"] == "public"
    assert api.get(f"/documents/{document['id']}", None).status_code == 200
    session.expire_all()
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "document_audience_changed")
    ).one()
    assert entry.before is not None and entry.before["audience"] == "participants"
    assert entry.after is not None and entry.after["audience"] == "public"


def test_the_same_audience_again_records_nothing(api: Api, world: World, session: Session) -> None:
    document = uploaded(api, world.procurer, world.public.id, audience="public")
    response = api.put(
        f"/documents/{document['id']}/audience", world.procurer, json={"audience": "public"}
    )
    assert response.status_code == 200
    assert audit_actions(session, world.public.id) == []


def test_an_unknown_audience_is_refused(api: Api, world: World) -> None:
    document = uploaded(api, world.procurer, world.public.id)
    response = api.put(
        f"/documents/{document['id']}/audience", world.procurer, json={"audience": "all"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Who may see it is not valid."


def test_withdrawing_hides_the_document_but_keeps_the_record(
    api: Api, world: World, session: Session
) -> None:
    document = published(api, world.procurer, world.public.id, audience="public")
    assert api.get(f"/documents/{document['id']}/file", None).status_code == 200
    assert api.delete(f"/documents/{document['id']}", world.procurer).status_code == 204
    assert api.get(f"/documents/{document['id']}", None).status_code == 404
    assert api.get(f"/documents/{document['id']}/file", None).status_code == 404
    assert api.get(f"/projects/{world.public.id}/documents", None).json() == []
    kept = api.get(f"/documents/{document['id']}", world.procurer).json()
    assert kept["withdrawn_at"] is not None
    assert audit_actions(session, world.public.id) == ["document_published", "document_withdrawn"]


def test_a_withdrawn_document_cannot_be_changed_again(api: Api, world: World) -> None:
    document = uploaded(api, world.procurer, world.public.id)
    assert api.delete(f"/documents/{document['id']}", world.procurer).status_code == 204
    again = api.delete(f"/documents/{document['id']}", world.procurer)
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "The document is already withdrawn.",
    )
    message = "The document has been withdrawn and can no longer be changed."
    publish = api.post(f"/documents/{document['id']}/publish", world.procurer)
    assert (publish.status_code, publish.json()["detail"]) == (409, message)
    audience = api.put(
        f"/documents/{document['id']}/audience", world.procurer, json={"audience": "public"}
    )
    assert (audience.status_code, audience.json()["detail"]) == (409, message)


def test_an_impossible_document_id_is_invalid_input(api: Api, world: World) -> None:
    assert api.get(f"/documents/{2**63}", world.procurer).status_code == 422
    assert api.get("/documents/987654", world.procurer).status_code == 404


# ---- the download ------------------------------------------------------------------------------


def test_download_sends_the_bytes_as_an_attachment_with_the_norwegian_name(
    api: Api, world: World
) -> None:
    document = published(
        api, world.procurer, world.public.id, audience="public", filename=NORWEGIAN_NAME
    )
    response = api.get(f"/documents/{document['id']}/file", None)
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith(f"; filename*=UTF-8''{quote(NORWEGIAN_NAME, safe='')}")
    assert "%C3%86rlig" in disposition and "%C3%98vre" in disposition and "%C3%85pen" in disposition
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and fallback.endswith(".pdf")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"].startswith("public")


def test_a_name_with_folders_and_separators_cannot_break_the_header(api: Api, world: World) -> None:
    document = published(api, world.procurer, world.public.id, filename="..\\mappe\\x;y.pdf")
    response = api.get(f"/documents/{document['id']}/file", world.procurer)
    disposition = response.headers["content-disposition"]
    assert disposition == "attachment; filename=\"x_y.pdf\"; filename*=UTF-8''x%3By.pdf"


def test_documents_not_for_everyone_are_cached_privately(api: Api, world: World) -> None:
    participants = published(api, world.procurer, world.public.id, audience="participants")
    draft = uploaded(api, world.procurer, world.public.id, audience="public")
    for document in (participants, draft):
        response = api.get(f"/documents/{document['id']}/file", world.procurer)
        assert response.headers["cache-control"].startswith("private")


def test_stored_files_are_not_reachable_by_any_other_path(
    api: Api, world: World, client: TestClient, upload_dir: Path
) -> None:
    published(api, world.procurer, world.public.id, audience="public")
    [stored] = [p for p in upload_dir.rglob("*") if p.is_file()]
    relative = stored.relative_to(upload_dir).as_posix()
    for path in (
        f"/static/{relative}",
        f"/static/{stored.name}",
        f"/static/uploads/{relative}",
        f"/uploads/{relative}",
        f"/static/../../{stored.relative_to(upload_dir.parent).as_posix()}",
        f"/static/%2e%2e/%2e%2e/uploads/{relative}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert PDF not in response.content
    default = type(get_settings())().upload_dir.resolve()
    assert STATIC_DIR.resolve() not in (default, *default.parents)


# ---- who sees what -----------------------------------------------------------------------------

VIEWERS = [
    "procurer",
    "other_procurer",
    "registered_supplier",
    "unregistered_supplier",
    "employee",
    "citizen",
    "researcher",
    "anonymous",
]
# Which of the four documents each viewer sees.
SEES: dict[str, set[str]] = {
    "procurer": {"public", "participants", "procurers", "draft"},
    "other_procurer": {"public"},
    "registered_supplier": {"public", "participants"},
    "unregistered_supplier": {"public"},
    "employee": {"public", "participants"},
    "citizen": {"public"},
    "researcher": {"public"},
    "anonymous": {"public"},
}


class Cast:
    """The world's people and the documents of the public project, one per audience and a draft."""

    def __init__(self, api: Api, world: World, factory: Factory) -> None:
        project_id = world.public.id
        api.advance(world.procurer, project_id, Phase.market_dialogue)
        response = api.post(f"/projects/{project_id}/suppliers", world.supplier)
        assert response.status_code == 201, response.text
        other_company = factory.org(OrganisationKind.supplier, name="Annen leverandør AS")
        self.users: dict[str, User | None] = {
            "procurer": world.procurer,
            "other_procurer": world.other_procurer,
            "registered_supplier": world.supplier,
            "unregistered_supplier": factory.user(Role.supplier, other_company),
            "employee": world.employee,
            "citizen": world.citizen,
            "researcher": world.researcher,
            "anonymous": None,
        }
        self.documents: dict[str, int] = {}
        for audience in ("public", "participants", "procurers"):
            document = published(
                api, world.procurer, project_id, audience=audience, title=f"Dok {audience}"
            )
            self.documents[audience] = document["id"]
        draft = uploaded(api, world.procurer, project_id, audience="public", title="Dok draft")
        self.documents["draft"] = draft["id"]
        self.project_id = project_id


@pytest.fixture
def cast(api: Api, world: World, factory: Factory) -> Cast:
    return Cast(api, world, factory)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_each_viewer_sees_exactly_their_documents_in_list_item_and_download(
    api: Api, cast: Cast, viewer: str
) -> None:
    user = cast.users[viewer]
    listed = api.get(f"/projects/{cast.project_id}/documents", user)
    assert listed.status_code == 200
    names = {
        name for name, id_ in cast.documents.items() if id_ in {d["id"] for d in listed.json()}
    }
    assert names == SEES[viewer]
    for name, document_id in cast.documents.items():
        item = api.get(f"/documents/{document_id}", user)
        download = api.get(f"/documents/{document_id}/file", user)
        if name in SEES[viewer]:
            assert item.status_code == 200 and download.status_code == 200
            assert download.content == PDF
        else:
            assert item.status_code == download.status_code == 404
            assert (
                item.json()
                == download.json()
                == {
                    "detail": "No such document.",
                    "code": "not_found",
                }
            )


@pytest.mark.parametrize("viewer", VIEWERS)
def test_each_viewer_sees_exactly_their_documents_on_the_page(
    client: TestClient, cast: Cast, viewer: str
) -> None:
    user = cast.users[viewer]
    if user is not None:
        login(client, user)
    page = client.get(f"/projects/{cast.project_id}/documents")
    assert page.status_code == 200
    shown = {name for name in cast.documents if f"Dok {name}" in page.text}
    assert shown == SEES[viewer]
    assert ('id="document-form"' in page.text) == (viewer == "procurer")
