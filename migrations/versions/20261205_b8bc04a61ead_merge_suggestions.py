"""merge suggestions: the need whose page a suggestion was shown on

Revision ID: b8bc04a61ead
Revises: 94abcd2e207f
Create Date: 2026-12-05 03:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "b8bc04a61ead"
down_revision: str | None = "94abcd2e207f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The reference inline: SQLite then adds the column in place instead of copying the table.
    op.add_column(
        "suggestion",
        sa.Column("shown_on_need_id", sa.Integer(), sa.ForeignKey("need.id"), nullable=True),
        inline_references=True,
    )
    # A need's page asks which needs were called "not the same" as it, either way round.
    op.create_index(
        "ix_suggestion_shown_on_need_id", "suggestion", ["shown_on_need_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_suggestion_shown_on_need_id", table_name="suggestion")
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.drop_column("shown_on_need_id")
