"""needs list keyset indexes; when a person last looked at their contributions

Revision ID: 8e2b4d6f1a93
Revises: 8d2e4b6a1c93
Create Date: 2026-12-04 23:59:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e2b4d6f1a93"
down_revision: str | None = "8d2e4b6a1c93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The needs list sorts newest first and pages by (created_at, id) within a project,
    # optionally within one status.
    op.create_index(
        "ix_need_project_created", "need", ["project_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_need_project_status", "need", ["project_id", "status", "created_at"], unique=False
    )
    # "What happened since I last looked": the acts addressed to a person after a moment.
    op.create_index(
        "ix_participation_addressee_time",
        "participation_event",
        ["addressee_id", "occurred_at"],
        unique=False,
    )
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("contributions_seen_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("contributions_seen_at")
    op.drop_index("ix_participation_addressee_time", table_name="participation_event")
    op.drop_index("ix_need_project_status", table_name="need")
    op.drop_index("ix_need_project_created", table_name="need")
