"""Probes and metrics for operations: /healthz, /readyz, /metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from app.db import get_engine
from app.observability import metrics_payload
from app.services.live import get_bus, hub

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


def _database_ok() -> bool:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@router.get("/readyz")
async def readyz() -> Response:
    """Ready to serve: the database answers and the live bus is connected."""
    database = await asyncio.to_thread(_database_ok)
    bus = get_bus().healthy
    body = {"database": "ok" if database else "down", "bus": "ok" if bus else "down"}
    return JSONResponse(body, status_code=200 if database and bus else 503)


@router.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics of this process."""
    payload, content_type = metrics_payload(hub.open_sockets, hub.pushes_sent)
    return Response(payload, media_type=content_type)
