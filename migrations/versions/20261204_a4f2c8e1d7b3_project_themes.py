"""project themes; a need's theme, and the needs list's index to filter by it

Revision ID: a4f2c8e1d7b3
Revises: 5b9c7e2d4a61
Create Date: 2026-12-05 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4f2c8e1d7b3"
down_revision: str | None = "5b9c7e2d4a61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "name", name="uq_project_theme_name"),
    )
    op.create_index("ix_project_theme_project_id", "project_theme", ["project_id"], unique=False)
    # The reference inline: SQLite then adds the column in place (it cannot ALTER a constraint
    # in, and copying `need` is refused, other tables' foreign keys point at it).
    op.add_column(
        "need",
        sa.Column("theme_id", sa.Integer(), sa.ForeignKey("project_theme.id"), nullable=True),
        inline_references=True,
    )
    op.create_index(
        "ix_need_project_theme", "need", ["project_id", "theme_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_need_project_theme", table_name="need")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_column("theme_id")
    op.drop_index("ix_project_theme_project_id", table_name="project_theme")
    op.drop_table("project_theme")
