"""Project documents: the documents page with its upload form, the API, and the download."""

from __future__ import annotations

from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlmodel import Session

from app import i18n
from app.config import get_settings
from app.db import SessionDep
from app.i18n import N_
from app.models.base import Id
from app.models.document import (
    DocumentAudience,
    DocumentAudienceChange,
    DocumentCreate,
    DocumentKind,
    DocumentPublic,
)
from app.services import documents, permissions, project_tabs, projects, uploads
from app.services.errors import Invalid
from app.services.permissions import ProjectRelation, audience_for
from app.services.project_tabs import Section
from app.views.documents import documents_more_html, list_context
from app.web import (
    NOTHING_OWN,
    CurrentUser,
    FormView,
    api_router,
    page_router,
    parse,
    project_view_page,
    redirect,
    templates,
)

pages = page_router()
api = api_router("documents")
CONFIRM_WITHDRAW = N_("Tick the box to confirm that the document should be withdrawn for good.")


def max_upload_mb() -> str:
    """The upload limit in megabytes, for the form's hint."""
    limit = get_settings().max_upload_bytes / 1_000_000
    return format_decimal(limit, "#,##0.##", locale=i18n.current_language())


templates.env.globals.update(
    document_url=documents.file_url,
    DocumentKind=DocumentKind,
    DocumentAudience=DocumentAudience,
)


# ---- pages ---------------------------------------------------------------------------------


@pages.get("/projects/{project_id}/documents")
async def documents_page(request: Request, project_id: Id, cursor: str = "") -> Response:
    """The project's documents as this viewer may see them (paged; `cursor` from "Show more"
    without JavaScript), and the upload form for procurers; for visitors from the render cache
    while the project's version stands."""
    return await project_view_page(
        request,
        project_id,
        "documents/page.html",
        lambda session, rel: _documents_context(session, rel, cursor or None),
        NOTHING_OWN,
    )


def _documents_context(
    session: Session, rel: ProjectRelation, cursor: str | None
) -> dict[str, Any]:
    page = documents.list_page(session, rel=rel, cursor=cursor)
    return {
        **list_context(rel, page),
        "rel": rel,
        "tabs": project_tabs.tabs_for(session, rel=rel, current=Section.documents),
        "audience": audience_for(rel),
        "accepted": uploads.ACCEPTED_LABEL,
        "max_mb": max_upload_mb(),
    }


@pages.get("/projects/{project_id}/documents/more")
def documents_more(
    session: SessionDep, user: CurrentUser, project_id: Id, cursor: str = ""
) -> Response:
    """The next page of the documents list and its "Show more" link (htmx puts it in place of
    the link clicked; without htmx the link goes to the documents page)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return HTMLResponse(documents_more_html(session, rel, i18n.current_language(), cursor))


@pages.post("/projects/{project_id}/documents")
def upload_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = DocumentKind.other,
    audience: Annotated[str, Form()] = DocumentAudience.participants,
    description: Annotated[str, Form()] = "",
) -> Response:
    """A procurer uploads a document from the documents page (a plain multipart form)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    permissions.ensure_can_manage_documents(rel)
    view = FormView("documents/page.html", {"project": rel.project})
    fields = {"title": title, "kind": kind, "audience": audience, "description": description}
    data = parse(DocumentCreate, view, **fields)
    if file is None or not file.filename:
        raise Invalid("Choose a file to upload.")
    documents.upload_document(session, rel=rel, data=data, stream=file.file, filename=file.filename)
    return redirect(request, f"/projects/{project_id}/documents")


@pages.post("/documents/{document_id}/publish")
def publish_form(
    request: Request, session: SessionDep, user: CurrentUser, document_id: Id
) -> Response:
    """Publish a draft from the documents page."""
    rel, document = documents.find_document(session, user=user, document_id=document_id)
    documents.publish_document(session, rel=rel, document=document)
    return redirect(request, f"/projects/{document.project_id}/documents")


@pages.post("/documents/{document_id}/audience")
def audience_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    document_id: Id,
    audience: Annotated[str, Form()] = "",
) -> Response:
    """Change who sees a document, from the documents page."""
    rel, document = documents.find_document(session, user=user, document_id=document_id)
    change = parse(DocumentAudienceChange, audience=audience)
    documents.change_audience(session, rel=rel, document=document, audience=change.audience)
    return redirect(request, f"/projects/{document.project_id}/documents")


@pages.post("/documents/{document_id}/withdraw")
def withdraw_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    document_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Withdraw a document from the documents page, once confirmed."""
    rel, document = documents.find_document(session, user=user, document_id=document_id)
    if confirm != "yes":
        permissions.ensure_can_manage_documents(rel)  # says who may before asking to confirm
        raise Invalid(CONFIRM_WITHDRAW)
    documents.withdraw_document(session, rel=rel, document=document)
    return redirect(request, f"/projects/{document.project_id}/documents")


# ---- API -----------------------------------------------------------------------------------


@api.get("/projects/{project_id}/documents")
def list_documents(session: SessionDep, user: CurrentUser, project_id: Id) -> list[DocumentPublic]:
    """The project's documents the caller may see (drafts and withdrawn ones: procurers only)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return [documents.to_public(d) for d in documents.list_documents(session, rel=rel)]


@api.post("/projects/{project_id}/documents", status_code=201)
def upload_document(
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    file: Annotated[UploadFile, File(description="The file; its type is read from its content")],
    title: Annotated[str, Form()],
    kind: Annotated[str, Form()] = DocumentKind.other,
    audience: Annotated[str, Form()] = DocumentAudience.participants,
    description: Annotated[str, Form()] = "",
) -> DocumentPublic:
    """Upload a document as a draft (the project's procurers); publish it separately."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    permissions.ensure_can_manage_documents(rel)
    data = parse(DocumentCreate, title=title, kind=kind, audience=audience, description=description)
    document = documents.upload_document(
        session, rel=rel, data=data, stream=file.file, filename=file.filename
    )
    return documents.to_public(document)


@api.get("/documents/{document_id}")
def read_document(session: SessionDep, user: CurrentUser, document_id: Id) -> DocumentPublic:
    """One document, if the caller may see it (404 otherwise, as for a missing one)."""
    _rel, document = documents.find_document(session, user=user, document_id=document_id)
    return documents.to_public(document)


@api.get(
    "/documents/{document_id}/file",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(session: SessionDep, user: CurrentUser, document_id: Id) -> FileResponse:
    """The document's file, with the type read from its content, as an attachment."""
    _rel, document = documents.find_document(session, user=user, document_id=document_id)
    return FileResponse(
        documents.stored_path(document),
        media_type=document.content_type,
        headers={
            "Content-Disposition": documents.content_disposition(documents.download_name(document)),
            "Cache-Control": documents.cache_control(document),
        },
    )


@api.post("/documents/{document_id}/publish")
def publish(session: SessionDep, user: CurrentUser, document_id: Id) -> DocumentPublic:
    """Publish a draft to its audience (the project's procurers)."""
    rel, document = documents.find_document(session, user=user, document_id=document_id)
    return documents.to_public(documents.publish_document(session, rel=rel, document=document))


@api.put("/documents/{document_id}/audience")
def set_audience(
    session: SessionDep, user: CurrentUser, document_id: Id, change: DocumentAudienceChange
) -> DocumentPublic:
    """Change who sees the document (the project's procurers)."""
    rel, document = documents.find_document(session, user=user, document_id=document_id)
    document = documents.change_audience(
        session, rel=rel, document=document, audience=change.audience
    )
    return documents.to_public(document)


@api.delete("/documents/{document_id}", status_code=204)
def withdraw(session: SessionDep, user: CurrentUser, document_id: Id) -> Response:
    """Withdraw the document: hidden from all but the procurers; the record stays."""
    rel, document = documents.find_document(session, user=user, document_id=document_id)
    documents.withdraw_document(session, rel=rel, document=document)
    return Response(status_code=204)
