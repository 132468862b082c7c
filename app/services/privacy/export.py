"""The person's own data, everything the platform holds about them, as one JSON document."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlmodel import Session, SQLModel

from app.models import User
from app.models.base import utcnow
from app.services import permissions
from app.services.privacy.personal_data import PERSONAL_DATA, Held


def _plain(row: SQLModel, held: Held) -> dict[str, Any]:
    """A row's columns as JSON values, without the columns the export leaves out."""
    columns = row.__table__.columns  # type: ignore[attr-defined]
    return {
        c.name: jsonable_encoder(getattr(row, c.name))
        for c in columns
        if c.name not in held.hidden and not isinstance(getattr(row, c.name), bytes)
    }


def export_person(session: Session, *, user: User | None) -> dict[str, Any]:
    """Everything about the caller, table by table (GDPR art. 15 and 20); never secrets."""
    me = permissions.require_user(user)
    tables: dict[str, list[dict[str, Any]]] = {}
    for held in PERSONAL_DATA:
        query = held.of(me)
        if query is None:
            continue
        rows = session.execute(query).scalars().all()
        tables[held.table] = [_plain(row, held) for row in rows]
    return {
        "format": "pivotal-personal-data/1",
        "exported_at": jsonable_encoder(utcnow()),
        "user_id": me.id,
        "tables": tables,
    }
