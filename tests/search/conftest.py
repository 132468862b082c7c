"""Shared helpers of the search tests: what a reader finds, as the API answers it."""

from __future__ import annotations

from typing import Any

from app.models import User
from tests.helpers import Api


def search(api: Api, reader: User | None, query: str, **params: Any) -> dict[str, Any]:
    """The API's answer to this reader's search (which must be a 200)."""
    response = api.get("/search", reader, params={"q": query, **params})
    assert response.status_code == 200, response.text
    return response.json()


def found(api: Api, reader: User | None, query: str) -> set[tuple[str, int]]:
    """The (kind, id) of every result this reader finds, asserting the count agrees with them."""
    body = search(api, reader, query, limit=50)
    results = {(r["kind"], r["id"]) for r in body["results"]}
    assert body["total"] == len(body["results"]) == len(results), body
    return results
