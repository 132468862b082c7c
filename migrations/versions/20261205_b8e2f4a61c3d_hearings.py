"""hearings: a draft specification put out for comment, and the comments on requirements and passages

Revision ID: b8e2f4a61c3d
Revises: b8bc04a61ead
Create Date: 2026-12-05 03:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "b8e2f4a61c3d"
down_revision: str | None = "b8bc04a61ead"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hearing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("for_employees", sa.Boolean(), nullable=False),
        sa.Column("for_citizens", sa.Boolean(), nullable=False),
        sa.Column("for_suppliers", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["opened_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hearing_opened_by_id", "hearing", ["opened_by_id"], unique=False)
    op.create_index("ix_hearing_project_deadline", "hearing", ["project_id", "deadline"], unique=False)
    op.create_table(
        "hearing_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=5000), nullable=False),
        sa.Column("passage_start", sa.Integer(), nullable=True),
        sa.Column("passage_end", sa.Integer(), nullable=True),
        sa.Column("passage_quote", sa.String(length=2000), nullable=True),
        sa.Column("passage_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearing.id"]),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hearing_comment_author_id", "hearing_comment", ["author_id"], unique=False)
    op.create_index(
        "ix_hearing_comment_requirement", "hearing_comment", ["hearing_id", "requirement_id"], unique=False
    )
    op.create_index(
        "ix_hearing_comment_requirement_id", "hearing_comment", ["requirement_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_hearing_comment_requirement_id", table_name="hearing_comment")
    op.drop_index("ix_hearing_comment_requirement", table_name="hearing_comment")
    op.drop_index("ix_hearing_comment_author_id", table_name="hearing_comment")
    op.drop_table("hearing_comment")
    op.drop_index("ix_hearing_project_deadline", table_name="hearing")
    op.drop_index("ix_hearing_opened_by_id", table_name="hearing")
    op.drop_table("hearing")
