"""participation metrics indexes

Revision ID: a7c3e1b9d520
Revises: f4d4a451e4f3
Create Date: 2026-11-22 02:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a7c3e1b9d520"
down_revision: str | None = "f4d4a451e4f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_participation_project_verb", "participation_event", ["project_id", "verb", "actor_role"]
    )
    op.create_index(
        "ix_participation_project_object",
        "participation_event",
        ["project_id", "object_type", "object_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_participation_project_object", table_name="participation_event")
    op.drop_index("ix_participation_project_verb", table_name="participation_event")
