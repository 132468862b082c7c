"""Operations: request ids, JSON logs, Prometheus metrics, and the health and readiness probes."""

from __future__ import annotations

import json
import logging
import time
import uuid
from contextvars import ContextVar
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: ContextVar[str] = ContextVar("pivotal_request_id", default="-")
access_log = logging.getLogger("pivotal.access")

REQUESTS = Counter("pivotal_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "pivotal_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OPEN_SOCKETS = Gauge("pivotal_websockets_open", "Open live-view WebSockets in this process")
PUSHES = Gauge("pivotal_live_pushes_sent_total", "Live fragments queued to viewers by this process")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the request being served."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """Send the app's logs to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("pivotal")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for name in ("app",):
        logging.getLogger(name).handlers[:] = [handler]
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).propagate = False


class ObservabilityMiddleware:
    """Give each request an id (kept from X-Request-ID when sent), time it, count it, log it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming if incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            if route not in ("/healthz", "/metrics", "/static"):
                access_log.info(
                    "%s %s %s",
                    method,
                    scope["path"],
                    status,
                    extra={
                        "fields": {
                            "status": status,
                            "path": scope["path"],
                            "ms": round(elapsed * 1000, 1),
                        }
                    },
                )
            request_id_var.reset(token)


def metrics_payload(open_sockets: int, pushes_sent: int) -> tuple[bytes, str]:
    """The Prometheus exposition of this process."""
    OPEN_SOCKETS.set(open_sockets)
    PUSHES.set(pushes_sent)
    return generate_latest(), CONTENT_TYPE_LATEST
