"""editing and withdrawing: the phase a need or comment was posted in, edit marks, revisions

Existing needs and comments get the phase their participation event recorded when they were
posted (the project's phase now for one without an event), so the edit window holds for them too.

Revision ID: e4d17a2c9b3f
Revises: 3c6f1a9d2b7e
Create Date: 2026-12-04 23:59:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e4d17a2c9b3f"
down_revision: str | None = "3c6f1a9d2b7e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTED_PHASE = """
UPDATE {table} SET posted_phase = COALESCE(
    (SELECT MIN(e.phase) FROM participation_event e
      WHERE e.object_type = '{table}' AND e.object_id = {table}.id AND e.verb IN ({verbs})),
    (SELECT p.phase FROM project p WHERE p.id = {project}),
    ''
)
"""
BACKFILL_NEEDS = POSTED_PHASE.format(
    table="need", verbs="'posted_need'", project="need.project_id"
)
BACKFILL_COMMENTS = POSTED_PHASE.format(
    table="comment",
    verbs="'commented', 'replied'",
    project="(SELECT n.project_id FROM need n WHERE n.id = comment.need_id)",
)


def upgrade() -> None:
    for table in ("need", "comment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "posted_phase",
                    sqlmodel.sql.sqltypes.AutoString(length=32),
                    server_default="",
                    nullable=False,
                )
            )
            batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL_NEEDS)
    op.execute(BACKFILL_COMMENTS)
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["edited_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_revision_project_id"), "revision", ["project_id"], unique=False)
    op.create_index("ix_revision_object", "revision", ["object_type", "object_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_revision_object", table_name="revision")
    op.drop_index(op.f("ix_revision_project_id"), table_name="revision")
    op.drop_table("revision")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("edited_at")
        batch_op.drop_column("posted_phase")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_column("edited_at")
        batch_op.drop_column("posted_phase")
