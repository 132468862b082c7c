"""privacy: deleted accounts, erasures, objections to studies, retention of closed projects

A deleted account keeps its row (its contributions still point at it) with `deleted_at` set;
participation events lose the actor's id when the account is deleted or the project passes its
owner's retention time, so their actor columns become nullable.

Revision ID: 8d2e4b6a1c93
Revises: e4d17a2c9b3f
Create Date: 2026-12-04 23:59:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2e4b6a1c93"
down_revision: str | None = "e4d17a2c9b3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_months", sa.Integer(), nullable=True))
    for table in ("participation_event", "participation_rollup"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("actor_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "study_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("objected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["study.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("study_id", "user_id", name="uq_study_objection_user"),
    )
    op.create_index(
        op.f("ix_study_objection_study_id"), "study_objection", ["study_id"], unique=False
    )
    op.create_index(
        op.f("ix_study_objection_user_id"), "study_objection", ["user_id"], unique=False
    )
    op.create_table(
        "erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.String(length=15), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_erasure_project_id"), "erasure", ["project_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_erasure_project_id"), table_name="erasure")
    op.drop_table("erasure")
    op.drop_index(op.f("ix_study_objection_user_id"), table_name="study_objection")
    op.drop_index(op.f("ix_study_objection_study_id"), table_name="study_objection")
    op.drop_table("study_objection")
    for table in ("participation_rollup", "participation_event"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("actor_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("retention_months")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
