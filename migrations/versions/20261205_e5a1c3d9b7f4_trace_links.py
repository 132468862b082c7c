"""trace links: the influence ledger from requirements to the input that shaped them

Revision ID: e5a1c3d9b7f4
Revises: d7e3b9a1c5f2
Create Date: 2026-12-05 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "e5a1c3d9b7f4"
down_revision: str | None = "d7e3b9a1c5f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trace_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(length=15), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=14), nullable=False),
        sa.Column("rationale", sa.String(length=2000), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("requirement_id", "source_type", "source_id", name="uq_trace_link_source"),
    )
    op.create_index("ix_trace_link_created_by_id", "trace_link", ["created_by_id"], unique=False)
    op.create_index("ix_trace_link_project_id", "trace_link", ["project_id"], unique=False)
    op.create_index("ix_trace_link_requirement_id", "trace_link", ["requirement_id"], unique=False)
    op.create_index("ix_trace_link_source", "trace_link", ["source_type", "source_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_trace_link_source", table_name="trace_link")
    op.drop_index("ix_trace_link_requirement_id", table_name="trace_link")
    op.drop_index("ix_trace_link_project_id", table_name="trace_link")
    op.drop_index("ix_trace_link_created_by_id", table_name="trace_link")
    op.drop_table("trace_link")
