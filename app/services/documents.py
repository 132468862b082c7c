"""Project documents: procurers upload, publish, re-target and withdraw; others see what they may.

Every read goes through `permissions.can_see_document`, so the list, the item, the download, the
live push and the OCDS export agree on who sees what. Publishing, audience changes and withdrawals
are decisions on the procurement record and go to the audit log.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Document, User
from app.models.base import id_of, utcnow
from app.models.document import DocumentAudience, DocumentCreate, DocumentPublic
from app.models.vocabulary import AuditAction, LiveKind, Verb
from app.services import contribution, cursors, permissions, uploads
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid
from app.services.permissions import ProjectRelation

NO_SUCH_DOCUMENT = N_("No such document.")
WITHDRAWN = N_("The document has been withdrawn and can no longer be changed.")


def file_url(document_id: int) -> str:
    """Where a document's file is downloaded."""
    return f"/api/v1/documents/{document_id}/file"


def upload_document(
    session: Session,
    *,
    rel: ProjectRelation,
    data: DocumentCreate,
    stream: BinaryIO,
    filename: str | None,
) -> Document:
    """Keep an uploaded file as a draft document of the project (procurers only)."""
    user = permissions.ensure_can_manage_documents(rel)
    stored = uploads.store(stream, filename=filename)
    document = Document(
        project_id=id_of(rel.project),
        kind=data.kind,
        title=data.title,
        description=data.description,
        audience=data.audience,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        filename=stored.filename,
        uploaded_by_id=id_of(user),
    )
    contribution.record(
        session, rel=rel, verb=Verb.uploaded_document, on=document, push=LiveKind.document_uploaded
    )
    return document


def publish_document(session: Session, *, rel: ProjectRelation, document: Document) -> Document:
    """Publish a draft to its audience, all of it at the same moment (equal treatment)."""
    permissions.ensure_can_manage_documents(rel)
    if document.withdrawn_at is not None:
        raise Conflict(WITHDRAWN)
    if document.published_at is not None:
        raise Conflict("The document is already published.")
    before = _state(document)
    document.published_at = utcnow()
    return _decided(
        session,
        rel,
        document,
        before,
        AuditAction.document_published,
        verb=Verb.published_document,
        push=LiveKind.document_published,
    )


def change_audience(
    session: Session, *, rel: ProjectRelation, document: Document, audience: DocumentAudience
) -> Document:
    """Give a document another audience; a published one shows to (or leaves) viewers at once."""
    permissions.ensure_can_manage_documents(rel)
    if document.withdrawn_at is not None:
        raise Conflict(WITHDRAWN)
    if document.audience == audience:
        return document  # nothing decided, nothing recorded
    before = _state(document)
    document.audience = audience
    return _decided(session, rel, document, before, AuditAction.document_audience_changed)


def withdraw_document(session: Session, *, rel: ProjectRelation, document: Document) -> Document:
    """Withdraw a document: nobody but the procurers sees it again; the row and audit remain."""
    permissions.ensure_can_manage_documents(rel)
    if document.withdrawn_at is not None:
        raise Conflict("The document is already withdrawn.")
    before = _state(document)
    document.withdrawn_at = utcnow()
    return _decided(session, rel, document, before, AuditAction.document_withdrawn)


# The order of the list: published first (newest first), then drafts, then withdrawn ones
# that had been published, then withdrawn drafts; within each, newest first. As a keyset:
# (group ascending, moment, uploaded_at and id descending).
_in_group = case(
    (col(Document.withdrawn_at).is_not(None) & col(Document.published_at).is_not(None), 2),
    (col(Document.withdrawn_at).is_not(None), 3),
    (col(Document.published_at).is_(None), 1),
    else_=0,
)
_at_moment = func.coalesce(col(Document.published_at), col(Document.uploaded_at))
LISTED = (_in_group, _at_moment.desc(), col(Document.uploaded_at).desc(), col(Document.id).desc())
PAGE_SIZE = 50  # documents per page of the documents page


def list_documents(session: Session, *, rel: ProjectRelation) -> list[Document]:
    """The project's documents this viewer may see: newest published first, then drafts."""
    query = select(Document).where(permissions.visible_documents_clause(rel)).order_by(*LISTED)
    return list(session.exec(query).all())


@dataclass
class DocumentPage:
    """One page of the documents list and where the next one starts."""

    documents: list[Document]
    next_cursor: str | None


def list_page(
    session: Session, *, rel: ProjectRelation, cursor: str | None = None, limit: int = PAGE_SIZE
) -> DocumentPage:
    """A page of the documents this viewer may see, in the list's order, after `cursor` (422
    for a cursor this server did not make): two queries whatever the number of documents."""
    conditions = [permissions.visible_documents_clause(rel)]
    if cursor:
        group, moment, uploaded, after_id = cursors.decode(cursor, 4)
        if type(group) is not int or group not in (0, 1, 2, 3):
            raise Invalid(cursors.NOT_VALID)
        moment, uploaded = cursors.moment(moment), cursors.moment(uploaded)
        after_id = cursors.row_id(after_id)
        conditions.append(
            or_(
                _in_group > group,
                and_(
                    _in_group == group,
                    or_(
                        _at_moment < moment,
                        and_(
                            _at_moment == moment,
                            or_(
                                col(Document.uploaded_at) < uploaded,
                                and_(
                                    col(Document.uploaded_at) == uploaded,
                                    col(Document.id) < after_id,
                                ),
                            ),
                        ),
                    ),
                ),
            )
        )
    query = select(Document).where(*conditions).order_by(*LISTED).limit(limit + 1)
    found = list(session.exec(query).all())
    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = page[-1]
        group = _group_of(last)
        moment = last.published_at if group in (0, 2) and last.published_at else last.uploaded_at
        next_cursor = cursors.encode(group, moment, last.uploaded_at, id_of(last))
    return DocumentPage(documents=page, next_cursor=next_cursor)


def _group_of(document: Document) -> int:
    """The document's group in the list's order (see `_in_group`)."""
    if document.withdrawn_at is not None:
        return 2 if document.published_at is not None else 3
    return 1 if document.published_at is None else 0


def find_document(
    session: Session, *, user: User | None, document_id: int
) -> tuple[ProjectRelation, Document]:
    """A document and the viewer's relation to its project; 404 alike for missing and unseen."""
    document, rel = permissions.find_in_project(
        session,
        user,
        Document,
        document_id,
        missing=NO_SUCH_DOCUMENT,
        can_see=permissions.can_see_document,
    )
    return rel, document


def to_public(document: Document) -> DocumentPublic:
    """The API view of a document."""
    return DocumentPublic.model_validate(document, update={"url": file_url(id_of(document))})


def stored_path(document: Document) -> Path:
    """Where the document's bytes are (404 if they are gone)."""
    return uploads.open_stored(document.sha256)


def download_name(document: Document) -> str:
    """The file name to save as: the uploaded name, with the extension its content shows."""
    return uploads.named_for_type(document.filename, document.content_type)


_NORWEGIAN_LETTERS = str.maketrans({"Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "–": "-"})


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the exact UTF-8 name (RFC 6266/5987)."""
    spelled = filename.translate(_NORWEGIAN_LETTERS)  # Ø and Æ do not decompose; Å does
    ascii_name = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch if ch.isprintable() and ch not in '"\\;' else "_" for ch in ascii_name)
    fallback = fallback.strip() or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def cache_control(document: Document) -> str:
    """Shared caches may keep public documents (revalidating); everything else is private."""
    public = (
        document.published_at is not None
        and document.withdrawn_at is None
        and document.audience == DocumentAudience.public
    )
    return "public, no-cache" if public else "private, no-cache"


def _decided(
    session: Session,
    rel: ProjectRelation,
    document: Document,
    before: dict[str, object],
    action: AuditAction,
    *,
    verb: Verb | None = None,
    push: LiveKind = LiveKind.document_changed,
) -> Document:
    """Record a procurer's decision on a document, with its state before and now."""
    contribution.record(
        session,
        rel=rel,
        on=document,
        verb=verb,
        change=Change(action, before=before, after=_state(document)),
        push=push,
    )
    return document


def _state(document: Document) -> dict[str, Any]:
    """What the audit log keeps of a document's publication."""
    return {
        "title": document.title,
        "audience": str(document.audience),
        "published": document.published_at is not None,
        "withdrawn": document.withdrawn_at is not None,
    }
