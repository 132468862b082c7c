"""A self-assessment round's answers as CSV or JSON: named for those who run the round,
pseudonymised for a covering study's researcher (`app/services/maturity/export.py`)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse, Response

from app.db import SessionDep
from app.models.base import Id
from app.services import permissions
from app.services.maturity import export
from app.web import CurrentUser, api_router, page_router

pages = page_router()
api = api_router("maturity", prefix="/maturity", csrf=False)

CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


def _export(session: SessionDep, user: CurrentUser, round_id: int) -> export.RoundExport:
    rel = permissions.round_relation(session, user, round_id)
    return export.round_export(session, rel=rel)


def _csv(made: export.RoundExport) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{export.filename(made, "csv")}"'}
    return Response(export.csv_text(made), media_type=export.CSV_MEDIA_TYPE, headers=headers)


def _json(made: export.RoundExport) -> JSONResponse:
    headers = {"Content-Disposition": f'attachment; filename="{export.filename(made, "json")}"'}
    return JSONResponse(export.json_document(made), headers=headers)


@pages.get("/maturity/rounds/{round_id}/export.csv")
def round_csv(session: SessionDep, user: CurrentUser, round_id: Id) -> Response:
    """The round's answers as CSV (its owners; a covering study's researcher, pseudonymised)."""
    return _csv(_export(session, user, round_id))


@pages.get("/maturity/rounds/{round_id}/export.json")
def round_json(session: SessionDep, user: CurrentUser, round_id: Id) -> Response:
    """The round's answers as JSON (its owners; a covering study's researcher, pseudonymised)."""
    return _json(_export(session, user, round_id))


@api.get("/rounds/{round_id}/export.csv", response_class=Response, responses=CSV)
def api_round_csv(session: SessionDep, user: CurrentUser, round_id: Id) -> Response:
    """The round's answers as CSV: one row per respondent and indicator."""
    return _csv(_export(session, user, round_id))


@api.get("/rounds/{round_id}/export.json")
def api_round_json(session: SessionDep, user: CurrentUser, round_id: Id) -> dict[str, Any]:
    """The round's answers as JSON: the round, whether pseudonymised, and the rows."""
    return export.json_document(_export(session, user, round_id))
