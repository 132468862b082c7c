"""participation: an index on (project_id, id) for the events after a rollup watermark

Revision ID: b81f0c2d4e67
Revises: a7c3e1b9d520
Create Date: 2026-11-22 04:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b81f0c2d4e67"
down_revision: str | None = "a7c3e1b9d520"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_participation_project_id", "participation_event", ["project_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_participation_project_id", table_name="participation_event")
