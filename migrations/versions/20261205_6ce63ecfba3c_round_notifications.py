"""round notifications: a notification happens in a project or in a self-assessment round

Revision ID: 6ce63ecfba3c
Revises: c4d8e2a6f1b9
Create Date: 2026-12-05 08:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6ce63ecfba3c"
down_revision: str | None = "c4d8e2a6f1b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On SQLite the batch copies the table into a new one and drops the old; no table refers to
    # notification, so the drop breaks no foreign key.
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("project_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("maturity_round_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_notification_maturity_round_id"), ["maturity_round_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_notification_maturity_round_id_maturity_round",
            "maturity_round",
            ["maturity_round_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            "ck_notification_one_place", "(project_id IS NULL) != (maturity_round_id IS NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE project_id IS NULL")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint("ck_notification_one_place", type_="check")
        batch_op.drop_constraint(
            "fk_notification_maturity_round_id_maturity_round", type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_notification_maturity_round_id"))
        batch_op.drop_column("maturity_round_id")
        batch_op.alter_column("project_id", existing_type=sa.Integer(), nullable=False)
