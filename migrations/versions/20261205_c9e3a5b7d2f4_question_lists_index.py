"""question: an index for the Q&A page's paged lists (by project, status and publishing time)

Revision ID: c9e3a5b7d2f4
Revises: b8d2f4a6c1e3
Create Date: 2026-12-05 21:45:00.000000

"""

from collections.abc import Sequence

from alembic import op

revision: str = "c9e3a5b7d2f4"
down_revision: str | None = "b8d2f4a6c1e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_question_project_status_published",
        "question",
        ["project_id", "status", "published_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_question_project_status_published", table_name="question")
