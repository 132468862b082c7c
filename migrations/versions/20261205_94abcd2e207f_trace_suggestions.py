"""trace suggestions: a suggestion may name a requirement and the need or proposal to link

Revision ID: 94abcd2e207f
Revises: e5a1c3d9b7f4
Create Date: 2026-12-05 03:30:00.000000

The suggestion table is referenced by no other table, so a batch alter (a copy of the table on
SQLite) is safe: it makes `need_id` optional and widens `kind` for "trace_proposal".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "94abcd2e207f"
down_revision: str | None = "e5a1c3d9b7f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=12), type_=sa.String(length=14)
        )
        batch_op.alter_column("need_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("requirement_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_suggestion_requirement_id_requirement", "requirement", ["requirement_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_suggestion_proposal_id_proposal", "proposal", ["proposal_id"], ["id"]
        )
        batch_op.create_index("ix_suggestion_requirement_id", ["requirement_id"], unique=False)
        batch_op.create_index("ix_suggestion_proposal_id", ["proposal_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM suggestion WHERE need_id IS NULL")
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestion_proposal_id")
        batch_op.drop_index("ix_suggestion_requirement_id")
        batch_op.drop_constraint("fk_suggestion_proposal_id_proposal", type_="foreignkey")
        batch_op.drop_constraint("fk_suggestion_requirement_id_requirement", type_="foreignkey")
        batch_op.drop_column("proposal_id")
        batch_op.drop_column("requirement_id")
        batch_op.alter_column("need_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=14), type_=sa.String(length=12)
        )
