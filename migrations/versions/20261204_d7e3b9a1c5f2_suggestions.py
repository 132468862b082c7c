"""suggestions the platform made (similar needs), and what came of each

Revision ID: d7e3b9a1c5f2
Revises: c7d1e5a9b3f2
Create Date: 2026-12-05 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "d7e3b9a1c5f2"
down_revision: str | None = "c7d1e5a9b3f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=9), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suggestion_need_id", "suggestion", ["need_id"], unique=False)
    op.create_index("ix_suggestion_project_id", "suggestion", ["project_id"], unique=False)
    op.create_index("ix_suggestion_user_id", "suggestion", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_suggestion_user_id", table_name="suggestion")
    op.drop_index("ix_suggestion_project_id", table_name="suggestion")
    op.drop_index("ix_suggestion_need_id", table_name="suggestion")
    op.drop_table("suggestion")
