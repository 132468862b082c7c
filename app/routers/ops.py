"""Probes and metrics for operations: /healthz, /readyz, /metrics."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from app.config import get_settings
from app.db import get_engine
from app.observability import metrics_payload
from app.services.errors import Forbidden
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


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def _may_read_metrics(request: Request) -> bool:
    """The local machine (a sidecar scraper), or whoever holds the metrics token."""
    if request.client is not None and request.client.host in LOOPBACK:
        return True
    token = get_settings().metrics_token
    sent = request.headers.get("authorization", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus metrics of this process (the local machine, or with the metrics token)."""
    if not _may_read_metrics(request):
        raise Forbidden("The metrics are served to the local machine or with the metrics token.")
    payload, content_type = metrics_payload(hub.open_sockets, hub.pushes_sent)
    return Response(payload, media_type=content_type)
