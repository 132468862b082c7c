"""An audit log as its page and its CSV show it: alike for a project's and an organisation's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response
from sqlmodel import Session

from app.models.audit import AuditEntryPublic, AuditFilter
from app.services import audit


def newest_first(before_id: int, size: int) -> audit.AuditPage:
    """One page of the log, newest first, older than `before_id` (0: from the newest)."""
    return audit.AuditPage(before_id=before_id, newest_first=True, limit=size)


def log_context(
    session: Session,
    entries: Sequence[AuditEntryPublic],
    only: AuditFilter,
    *,
    size: int,
    organisation: bool,
) -> dict[str, Any]:
    """The log page's rows, its filter and the link to the older page (when there may be one)."""
    return {
        "rows": audit.readable(session, entries),
        "only": only,
        "choices": audit.filter_choices(organisation=organisation),
        "query": only.query_string(),
        "next_before": entries[-1].id if len(entries) == size else None,
    }


def csv_download(session: Session, entries: Sequence[AuditEntryPublic], filename: str) -> Response:
    """The entries as a CSV file to save."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    text = audit.csv_text(audit.readable(session, entries))
    return Response(text, media_type=audit.CSV_MEDIA_TYPE, headers=headers)
