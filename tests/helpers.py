"""Helpers shared by the test modules: the API as any user, the usual writes, live sockets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

import anyio
from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import event
from sqlmodel import Session, func, select
from starlette.websockets import WebSocketDisconnect

from app import db
from app.models import User
from app.models.base import Phase
from app.services.projects import PHASE_ORDER
from tests.conftest import CSRF_RE, bearer

EN = {"Accept-Language": "en"}
HTMX_NEED_FORM = {"HX-Request": "true", "HX-Trigger": "need-form"}
RATIONALE = "Behovene er verifisert, og vi er klare for neste steg."
NEED = {
    "title": "Trygge nattbesøk",
    "problem": "Brukerne våkner av tilsynet om natten og blir urolige.",
}


class Api:
    """The JSON API as different users: one bearer token per user, English messages."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._headers: dict[int, dict[str, str]] = {}

    def headers(self, user: User | None) -> dict[str, str]:
        """Headers that make a request as this user (anonymous for None)."""
        if user is None:
            return dict(EN)
        if user.id not in self._headers:
            self._headers[user.id] = {**bearer(self.client, user), **EN}  # type: ignore[index]
        return self._headers[user.id]  # type: ignore[index]

    def request(
        self,
        method: str,
        url: str,
        user: User | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ):
        """A request to /api/v1 + url as this user."""
        headers = {**self.headers(user), **(headers or {})}
        return self.client.request(method, f"/api/v1{url}", headers=headers, **kwargs)

    def get(self, url: str, user: User | None = None, **kwargs: Any):
        return self.request("GET", url, user, **kwargs)

    def post(self, url: str, user: User | None = None, **kwargs: Any):
        return self.request("POST", url, user, **kwargs)

    def put(self, url: str, user: User | None = None, **kwargs: Any):
        return self.request("PUT", url, user, **kwargs)

    def delete(self, url: str, user: User | None = None, **kwargs: Any):
        return self.request("DELETE", url, user, **kwargs)

    def post_need(self, user: User, project_id: int, **fields: Any) -> dict[str, Any]:
        """Post a need that must be accepted; returns its JSON."""
        response = self.post(f"/projects/{project_id}/needs", user, json={**NEED, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def comment(
        self, user: User, need_id: int, body: str = "Godt poeng.", parent_id: int | None = None
    ) -> dict[str, Any]:
        """Comment (or reply) that must be accepted; returns its JSON."""
        response = self.post(
            f"/needs/{need_id}/comments", user, json={"body": body, "parent_id": parent_id}
        )
        assert response.status_code == 201, response.text
        return response.json()

    def set_status(self, user: User, need_id: int, **change: Any):
        return self.put(f"/needs/{need_id}/status", user, json=change)

    def events(self, reader: User, project_id: int) -> list[dict[str, Any]]:
        """The project's participation log, read by someone allowed to."""
        response = self.get(f"/projects/{project_id}/participation-events", reader)
        assert response.status_code == 200, response.text
        return response.json()

    def needs(self, reader: User | None, project_id: int) -> list[dict[str, Any]]:
        """The project's needs as this reader sees them."""
        response = self.get(f"/projects/{project_id}/needs", reader)
        assert response.status_code == 200, response.text
        return response.json()

    def move_phase(
        self, user: User | None, project_id: int, to_phase: str, rationale: str = RATIONALE
    ):
        """Ask for a gate decision as this user (the response, accepted or not)."""
        body = {"to_phase": to_phase, "rationale": rationale}
        return self.post(f"/projects/{project_id}/phase", user, json=body)

    def advance(self, procurer: User, project_id: int, to_phase: Phase) -> dict[str, Any]:
        """Move the project phase by phase until it reaches `to_phase`; returns the last body."""
        body = self.get(f"/projects/{project_id}/phase", procurer).json()
        if to_phase == Phase.aborted:
            response = self.move_phase(procurer, project_id, Phase.aborted)
            assert response.status_code == 200, response.text
            return response.json()
        while body["phase"] != to_phase:
            following = PHASE_ORDER[PHASE_ORDER.index(Phase(body["phase"])) + 1]
            response = self.move_phase(procurer, project_id, following)
            assert response.status_code == 200, response.text
            body = response.json()
        return body


NEW_PASSWORD = "et langt og godt passord"


def register(client: TestClient, **fields: object):
    """Post the registration form as a browser would."""
    data = {
        "email": "ny@example.org",
        "display_name": "Nina Ny",
        "password": NEW_PASSWORD,
        "role": "citizen",
        "organisation_id": "",
        **fields,
    }
    page = client.get("/register")
    data["csrf_token"] = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    return client.post("/register", data=data, headers=EN, follow_redirects=False)


def count_rows(session: Session, model: type[Any]) -> int:
    """How many rows the model's table holds now (what the requests committed included)."""
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def without_javascript(client: TestClient) -> TestClient:
    """The client as a browser without JavaScript: no CSRF header, only the form field."""
    client.headers.pop("X-CSRF-Token", None)
    return client


def stored_user(session: Session, email: str) -> User | None:
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).first()


# ---- documents -----------------------------------------------------------------------------------

# A minimal but valid one-page PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload(
    api: Api,
    user: User | None,
    project_id: int,
    *,
    content: bytes = PDF,
    filename: str = "behov.pdf",
    **fields: Any,
):
    """Upload a document as this user (the response, accepted or not)."""
    data = {"title": "Behovsbeskrivelse", "kind": "needs_description", **fields}
    files = {"file": (filename, content, "application/octet-stream")}
    return api.post(f"/projects/{project_id}/documents", user, data=data, files=files)


def uploaded(api: Api, user: User, project_id: int, **fields: Any) -> dict[str, Any]:
    """Upload a document that must be accepted; returns its JSON."""
    response = upload(api, user, project_id, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def published(api: Api, user: User, project_id: int, **fields: Any) -> dict[str, Any]:
    """Upload and publish a document; returns its JSON."""
    document = uploaded(api, user, project_id, **fields)
    response = api.post(f"/documents/{document['id']}/publish", user)
    assert response.status_code == 200, response.text
    return response.json()


# ---- live sockets (the TestClient's WebSockets) --------------------------------------------------

ORIGIN = {"origin": "http://testserver"}


def close_codes(ws: Any, timeout: float = 10) -> list[int]:
    """The code the server closes an open socket with (empty if it stays open for `timeout`)."""
    codes: list[int] = []

    def closed() -> None:
        try:
            for _ in range(5):
                ws.receive_text()
        except WebSocketDisconnect as disconnect:
            codes.append(disconnect.code)

    reader = threading.Thread(target=closed, daemon=True)
    reader.start()
    reader.join(timeout=timeout)
    return codes


PUSH_TIMEOUT = 5.0


def next_message(ws: Any, timeout: float = PUSH_TIMEOUT) -> dict[str, Any]:
    """The socket's next ASGI message, failing (not hanging) if none comes in time."""

    async def receive() -> dict[str, Any]:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()  # the test session's outbox (no public timeout)

    return ws.portal.call(receive)


def push(ws: Any, needle: str, timeout: float = PUSH_TIMEOUT) -> str:
    """The next message containing `needle`, failing (not hanging) if none comes in time."""
    for _ in range(20):
        message = next_message(ws, timeout)
        if message["type"] == "websocket.close":
            raise AssertionError(f"socket closed before {needle!r} arrived")
        if needle in message.get("text", ""):
            return message["text"]
    raise AssertionError(f"{needle!r} not received in 20 messages")


def receive_until(ws: Any, needle: str, limit: int = 6) -> str:
    """The first of the next `limit` messages that contains `needle`."""
    for _ in range(limit):
        message = ws.receive_text()
        if needle in message:
            return message
    raise AssertionError(f"{needle!r} not received in {limit} messages")


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def pdf_text(data: bytes) -> str:
    """All text of a PDF as a real reader extracts it (pypdf), its whitespace folded."""
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def docx_text(data: bytes) -> str:
    """All text of a Word document (body and page headers), its whitespace folded."""
    document = Document(BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [p.text for section in document.sections for p in section.header.paragraphs]
    return " ".join(" ".join(parts).split())
