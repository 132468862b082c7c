"""A project's documents list as it shows on the page and live, for each audience."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Document
from app.models.vocabulary import LiveKind
from app.services import documents, permissions
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.permissions import Audience, ProjectRelation, audience_for
from app.views.templating import render_fragment


def list_context(rel: ProjectRelation, page: documents.DocumentPage) -> dict[str, object]:
    """What a page of the documents list needs, on the page and in a live push alike."""
    return {
        "project": rel.project,
        "documents": page.documents,
        "next_cursor": page.next_cursor,
        "can_manage": rel.is_procurer,
    }


def documents_more_html(session: Session, rel: ProjectRelation, lang: str, cursor: str) -> str:
    """The page of the list after `cursor` and the link to the next (htmx puts them in place of
    the link clicked)."""
    page = documents.list_page(session, rel=rel, cursor=cursor or None)
    return render_fragment("documents/_list.html", lang, more=True, **list_context(rel, page))


def documents_list_html(
    session: Session, rel: ProjectRelation, topic: Topic, audience: Audience
) -> str:
    """The documents list as this audience may see it, to replace the one on the page."""
    context = list_context(rel, documents.list_page(session, rel=rel))
    return render_fragment("documents/_list.html", audience.lang, oob=True, **context)


@renders(
    PageKind.documents,
    LiveKind.document_uploaded,
    LiveKind.document_published,
    LiveKind.document_changed,
)
def document_event_html(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str | None:
    """A fresh documents list for audiences who see the document now, or who may just have
    lost sight of it (another audience, or withdrawn); nothing for anyone else."""
    document = session.get(Document, event.object_id)
    if document is None:
        return None
    if event.kind != LiveKind.document_changed and not permissions.can_see_document(rel, document):
        return None
    return documents_list_html(session, rel, topic, audience)


register_page(LivePage(PageKind.documents, audience=audience_for, resync=documents_list_html))
