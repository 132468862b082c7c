"""comment: the thread's first comment and the depth in it, filled in for existing comments

Revision ID: df9e86b7c8c5
Revises: b81f0c2d4e67
Create Date: 2026-11-22 04:56:47.914059
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "df9e86b7c8c5"
down_revision: str | None = "b81f0c2d4e67"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every reply gets its thread's first comment and its depth, walking down from first comments.
BACKFILL = """
WITH RECURSIVE thread(id, root, depth) AS (
    SELECT id, id, 1 FROM comment WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, thread.root, thread.depth + 1
    FROM comment c JOIN thread ON c.parent_id = thread.id
)
UPDATE comment SET root_id = thread.root, depth = thread.depth
FROM thread WHERE comment.id = thread.id AND thread.depth > 1
"""


def upgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("root_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("depth", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_foreign_key("fk_comment_root_id", "comment", ["root_id"], ["id"])
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_constraint("fk_comment_root_id", type_="foreignkey")
        batch_op.drop_column("depth")
        batch_op.drop_column("root_id")
