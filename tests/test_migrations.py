"""The schema is owned by Alembic: the migrations build exactly the models, and undo cleanly."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.cli import alembic_config
from app.db import make_engine
from app.models.search import is_full_text_part
from tests.conftest import World
from tests.helpers import Api


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> str:
    """The URL of a new, empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'empty.db'}"


def test_migrations_have_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, heads


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """The test database is at head (SQLite, or PostgreSQL when the suite runs on it)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            # The search index's full-text parts (SQLite's FTS5 table and its shadow tables,
            # PostgreSQL's expression GIN index) are built by hand in the migration: no model
            # can describe them, so the comparison leaves them out (their tests are in
            # tests/search).
            opts = {"compare_type": True, "include_name": _not_full_text}
            context = MigrationContext.configure(connection, opts=opts)
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


def _not_full_text(name: str | None, _type: str, _parents: object) -> bool:
    return not is_full_text_part(name)


def test_upgrade_then_downgrade_to_base_leaves_no_tables(empty_sqlite: str) -> None:
    config = alembic_config(empty_sqlite)
    command.upgrade(config, "head")
    engine = make_engine(empty_sqlite)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        command.downgrade(config, "base")
        engine.dispose()
        assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set()
        # and it builds again from there
        command.upgrade(config, "head")
        assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(empty_sqlite: str) -> None:
    engine = make_engine(empty_sqlite)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    finally:
        engine.dispose()


def test_sqlite_enforces_foreign_keys(empty_sqlite: str) -> None:
    command.upgrade(alembic_config(empty_sqlite), "head")
    engine = make_engine(empty_sqlite)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text("INSERT INTO projectpartner (project_id, organisation_id) VALUES (4242, 4242)")
            )
    finally:
        engine.dispose()


def _migration(revision: str) -> ModuleType:
    (path,) = (Path(__file__).parent.parent / "migrations" / "versions").glob(f"*_{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_existing_comments_get_the_thread_root_and_depth_the_service_gives(
    api: Api, world: World, session: Session
) -> None:
    """The backfill of `df9e86b7c8c5` on comments made before it, against what posting sets."""
    need = api.post_need(world.employee, world.public.id)
    first = api.comment(world.citizen, need["id"])
    reply = api.comment(world.employee, need["id"], parent_id=first["id"])
    deeper = api.comment(world.citizen, need["id"], parent_id=reply["id"])
    other = api.comment(world.procurer, need["id"])
    threads = "SELECT id, root_id, depth FROM comment ORDER BY id"
    posted = session.execute(text(threads)).all()
    assert posted == [
        (first["id"], None, 1),
        (reply["id"], first["id"], 2),
        (deeper["id"], first["id"], 3),
        (other["id"], None, 1),
    ]
    session.execute(text("UPDATE comment SET root_id = NULL, depth = 1"))
    session.execute(text(_migration("df9e86b7c8c5").BACKFILL))
    assert session.execute(text(threads)).all() == posted


def test_existing_needs_and_comments_get_the_phase_they_were_posted_in(
    api: Api, world: World, session: Session
) -> None:
    """The backfill of `e4d17a2c9b3f` (editing) from the participation log, against posting."""
    need = api.post_need(world.employee, world.public.id)
    early = api.comment(world.citizen, need["id"])
    assert api.move_phase(world.procurer, world.public.id, "market_dialogue").is_success
    late = api.comment(world.employee, need["id"], parent_id=early["id"])
    phases = "SELECT id, posted_phase FROM comment UNION ALL SELECT -id, posted_phase FROM need"
    posted = sorted(session.execute(text(phases)).all())
    assert posted == sorted(
        [(early["id"], "needs"), (late["id"], "market_dialogue"), (-need["id"], "needs")]
    )
    session.execute(text("UPDATE comment SET posted_phase = ''"))
    session.execute(text("UPDATE need SET posted_phase = ''"))
    migration = _migration("e4d17a2c9b3f")
    session.execute(text(migration.BACKFILL_NEEDS))
    session.execute(text(migration.BACKFILL_COMMENTS))
    assert sorted(session.execute(text(phases)).all()) == posted


def test_an_accounts_language_that_was_only_the_default_is_no_choice(
    world: World, session: Session
) -> None:
    """`fdc2facb2f4f`: "nb" was every account's default, never chosen; a chosen one stays."""
    assert session.execute(text('SELECT DISTINCT language FROM "user"')).all() == [("",)]
    session.execute(text("UPDATE \"user\" SET language = 'nb'"))
    session.execute(
        text("UPDATE \"user\" SET language = 'en' WHERE id = :id"), {"id": world.admin.id}
    )
    session.execute(text(_migration("fdc2facb2f4f").UNCHOSEN))
    rows = dict(session.execute(text('SELECT id, language FROM "user"')).all())
    assert rows.pop(world.admin.id) == "en" and set(rows.values()) == {""}
