"""Alembic environment: the database comes from PIVOTAL_DATABASE_URL (or the caller's config)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.config import get_settings
from app.db import make_engine
from app.models.search import is_full_text_part

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    """Run online against the configured database (SQLite uses batch mode for ALTERs)."""
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
        # The search index's full-text parts are built by hand (see app/models/search.py).
        include_name=lambda name, _type, _parents: not is_full_text_part(name),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
