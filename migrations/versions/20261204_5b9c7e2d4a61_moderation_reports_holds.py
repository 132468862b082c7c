"""moderation: reports, hidden and held needs, held comments, platform moderators

Revision ID: 5b9c7e2d4a61
Revises: 8d4b2e6f1a3c
Create Date: 2026-12-05 00:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "5b9c7e2d4a61"
down_revision: str | None = "8d4b2e6f1a3c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _flag(name: str) -> sa.Column[bool]:
    # A literal default: SQLite then adds the column in place (an expression default would make
    # batch mode copy the table, which foreign keys pointing at it refuse); '0' reads as false
    # on PostgreSQL too.
    return sa.Column(name, sa.Boolean(), nullable=False, server_default="0")


def upgrade() -> None:
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.add_column(_flag("hidden"))
        batch_op.add_column(
            sa.Column("hidden_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(_flag("held"))
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(_flag("held"))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(_flag("is_moderator"))
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(_flag("hold_first_contributions"))
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("object_type", sa.String(length=7), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=7), nullable=False),
        sa.Column("decision", sa.String(length=7), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["reporter_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_project_state", "report", ["project_id", "state"], unique=False)
    op.create_index(op.f("ix_report_need_id"), "report", ["need_id"], unique=False)
    op.create_index(op.f("ix_report_reporter_id"), "report", ["reporter_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_report_reporter_id"), table_name="report")
    op.drop_index(op.f("ix_report_need_id"), table_name="report")
    op.drop_index("ix_report_project_state", table_name="report")
    op.drop_table("report")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("hold_first_contributions")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("is_moderator")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("held")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_column("held")
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("hidden")
