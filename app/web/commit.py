"""One way a write is committed: the route commits the request's session when the endpoint returns.

A write sent with an Idempotency-Key keeps its answer in the same commit (see `idempotent`).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.params import Depends as DependsParam
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.db import SessionDep, get_session
from app.models import IdempotentRequest
from app.models.base import id_of
from app.services import idempotency
from app.web.auth import CurrentUser
from app.web.csrf import UNSAFE_METHODS

IDEMPOTENCY = "idempotency"


def session_parameter(endpoint: Callable[..., Any]) -> str | None:
    """The name of the endpoint's parameter that receives the request's session (`SessionDep`)."""
    hints = typing.get_type_hints(endpoint, include_extras=True)
    for name in inspect.signature(endpoint).parameters:
        extras = getattr(hints.get(name), "__metadata__", ())
        if any(
            isinstance(extra, DependsParam) and extra.dependency is get_session for extra in extras
        ):
            return name
    return None


class CommittingRoute(APIRoute):
    """A route whose sync endpoint commits the request's session in its own thread on return.

    A write holds SQLite's write lock (or PostgreSQL's row locks) from its first flush to the
    commit. Left to the session dependency, the commit would come two thread hops later, after
    the response is validated; under load each hop waits for the GIL, and every other writer
    waits behind it. An endpoint that raises commits nothing: the dependency rolls back.
    The session is found by its type (`SessionDep`), whatever the parameter is called; an
    endpoint without one (or an async one) is committed by the session dependency itself.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        name = session_parameter(endpoint)
        self.commits_on_return = name is not None and not inspect.iscoroutinefunction(endpoint)
        if name is not None and self.commits_on_return:
            endpoint = _commit_on_return(endpoint, self, name)
        super().__init__(path, endpoint, **kwargs)
        model = self.response_model
        self.answer_adapter = TypeAdapter(model) if model is not None else None


def _commit_on_return(
    endpoint: Callable[..., Any], route: CommittingRoute, name: str
) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def committing(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        session: Session = kwargs[name]
        claim = session.info.pop(IDEMPOTENCY, None)
        if claim is not None and (answer := _answer(route, result)) is not None:
            idempotency.remember(session, claim=claim, **answer)
        session.commit()
        return result

    return committing


def _answer(route: CommittingRoute, result: Any) -> dict[str, Any] | None:
    """The answer FastAPI is about to send for `result`, to keep for a retry (None: not kept)."""
    if isinstance(result, Response):
        if isinstance(result, StreamingResponse):
            return None  # a file: nothing a retry would write twice
        return {
            "status_code": result.status_code,
            "media_type": result.media_type or "",
            "body": bytes(result.body),
        }
    status = route.status_code or 200
    if (result is None and route.answer_adapter is None) or status == 204:
        return {"status_code": status, "media_type": "", "body": b""}
    if route.answer_adapter is not None:
        content = route.answer_adapter.dump_python(
            route.answer_adapter.validate_python(result, from_attributes=True), mode="json"
        )
    else:
        content = jsonable_encoder(result)
    return {
        "status_code": status,
        "media_type": "application/json",
        "body": JSONResponse(content).body,
    }


class Replay(Exception):
    """A retried write: send its first answer again."""

    def __init__(self, stored: IdempotentRequest) -> None:
        super().__init__(stored.route)
        # Copied: the request's session is rolled back (and its objects expired) before sending.
        self.answer = Response(
            stored.body,
            status_code=stored.status_code,
            media_type=stored.media_type or None,
            headers={"Idempotent-Replayed": "true"},
        )


async def replay_handler(request: Request, exc: Exception) -> Response:
    """The first answer to a write, sent again for its retry."""
    assert isinstance(exc, Replay)
    return exc.answer


async def idempotent(request: Request, session: SessionDep, user: CurrentUser) -> None:
    """An API write with an Idempotency-Key: a retry (same user, route and body) gets the first
    answer again; the same key with another body is refused (409)."""
    key = request.headers.get("idempotency-key")
    if key is None or request.method not in UNSAFE_METHODS or user is None:
        return
    claim = idempotency.claim(
        user_id=id_of(user),
        key=key,
        route=f"{request.method} {request.url.path}",
        body=await request.body(),
    )
    stored = await run_in_threadpool(idempotency.stored_answer, session, claim=claim)
    if stored is not None:
        raise Replay(stored)
    session.info[IDEMPOTENCY] = claim


Idempotent = Depends(idempotent)
