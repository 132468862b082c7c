"""search index: one document per findable object, full-text indexed per dialect

SQLite: an FTS5 table over the Snowball stems of title and body (FTS5 has no Norwegian
stemmer), kept in step with `search_item` by triggers. PostgreSQL: a generated column
`search_document`, `to_tsvector('norwegian', …)` of title and body, with a GIN index. Existing projects, visible needs, published
answers, published proposal summaries and requirements are indexed here.

Revision ID: b1bfe93d4d08
Revises: b8e2f4a61c3d
Create Date: 2026-12-05 03:30:00.000000
"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from app.services.text.normalise import stem, words

revision: str = "b1bfe93d4d08"
down_revision: str | None = "b8e2f4a61c3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_item_fts USING fts5(title_terms, body_terms, "
    "content='search_item', content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
)
_ADD = (
    "INSERT INTO search_item_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms);"
)
_REMOVE = (
    "INSERT INTO search_item_fts(search_item_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms);"
)
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER search_item_fts_insert AFTER INSERT ON search_item BEGIN {_ADD} END",
    f"CREATE TRIGGER search_item_fts_delete AFTER DELETE ON search_item BEGIN {_REMOVE} END",
    f"CREATE TRIGGER search_item_fts_update AFTER UPDATE ON search_item BEGIN {_REMOVE} {_ADD} END",
)
# PostgreSQL keeps the stemmed document in a generated column (never written by the app, so
# ranking reads it instead of parsing every matching text again) with a GIN index over it.
POSTGRES_DOCUMENT = (
    "ALTER TABLE search_item ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('norwegian'::regconfig, title), 'A') || "
    "to_tsvector('norwegian'::regconfig, body)) STORED"
)
POSTGRES_INDEX = "CREATE INDEX ix_search_item_document ON search_item USING gin (search_document)"

# What is findable today, as the index service reads each object (app/services/search/index.py):
# (kind, audience or a CASE giving it, the object's table and its text columns, which rows).
SOURCES = (
    (
        "SELECT 'project', id, id, 'viewers', title, summary, service_area, innovation_ambition "
        "FROM project"
    ),
    (
        "SELECT 'need', id, project_id, 'viewers', title, problem, affected, '' "
        "FROM need WHERE NOT hidden AND NOT held"
    ),
    (
        "SELECT 'answer', id, project_id, 'viewers', coalesce(public_question, ''), "
        "coalesce(answer, ''), '', '' FROM question WHERE status = 'published'"
    ),
    (
        "SELECT 'proposal', id, project_id, 'viewers', title, summary, '', '' "
        "FROM proposal WHERE summary_published AND status != 'withdrawn'"
    ),
    (
        "SELECT 'requirement', id, project_id, CASE WHEN status = 'final' "
        "THEN 'final_requirement' ELSE 'writers' END, title, text, '', '' FROM requirement"
    ),
)


def terms(text: str) -> str:
    """The Snowball stems of the text's words (as `app.services.search.index.terms`)."""
    return " ".join(stem(word) for word in words(text))


def documents(connection: sa.Connection) -> Iterator[dict[str, object]]:
    """The `search_item` rows of every findable object in the database."""
    for source in SOURCES:
        for kind, object_id, project_id, audience, title, *parts in connection.execute(
            sa.text(source)
        ):
            body = "\n\n".join(part for part in parts if part)
            yield {
                "kind": kind,
                "object_id": object_id,
                "project_id": project_id,
                "audience": audience,
                "title": title,
                "body": body,
                "title_terms": terms(title),
                "body_terms": terms(body),
            }


def backfill(connection: sa.Connection) -> None:
    """Index every findable object (a new index, or one rebuilt after `DELETE FROM search_item`)."""
    insert = sa.text(
        "INSERT INTO search_item (kind, object_id, project_id, audience, title, body, "
        "title_terms, body_terms) VALUES (:kind, :object_id, :project_id, :audience, :title, "
        ":body, :title_terms, :body_terms)"
    )
    batch: list[dict[str, object]] = []
    for document in documents(connection):
        batch.append(document)
        if len(batch) == 1000:
            connection.execute(insert, batch)
            batch = []
    if batch:
        connection.execute(insert, batch)


def upgrade() -> None:
    op.create_table(
        "search_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=11), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=17), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("title_terms", sa.String(), nullable=False),
        sa.Column("body_terms", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "object_id", name="uq_search_item_object"),
    )
    op.create_index("ix_search_item_project_id", "search_item", ["project_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_FTS)
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute(POSTGRES_DOCUMENT)
        op.execute(POSTGRES_INDEX)
    backfill(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER search_item_fts_{name}")
        op.execute("DROP TABLE search_item_fts")
    else:
        op.execute("DROP INDEX ix_search_item_document")
    op.drop_index("ix_search_item_project_id", table_name="search_item")
    op.drop_table("search_item")
