"""notifications, per-kind e-mail preferences and follows

Revision ID: 8d4b2e6f1a3c
Revises: 8e2b4d6f1a93
Create Date: 2026-12-05 00:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8d4b2e6f1a3c"
down_revision: str | None = "8e2b4d6f1a93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=21), nullable=False),
        sa.Column("verb", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("extra", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery", sa.String(length=9), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["recipient_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_notification_recipient_id_id", "notification", ["recipient_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_notification_project_id"), "notification", ["project_id"], unique=False
    )
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=21), nullable=False),
        sa.Column("delivery", sa.String(length=9), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_pref"),
    )
    op.create_index(
        op.f("ix_notification_preference_user_id"),
        "notification_preference",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "object_type", "object_id", name="uq_follow_user_object"),
    )
    op.create_index(op.f("ix_follow_user_id"), "follow", ["user_id"], unique=False)
    op.create_index("ix_follow_object", "follow", ["object_type", "object_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_follow_object", table_name="follow")
    op.drop_index(op.f("ix_follow_user_id"), table_name="follow")
    op.drop_table("follow")
    op.drop_index(
        op.f("ix_notification_preference_user_id"), table_name="notification_preference"
    )
    op.drop_table("notification_preference")
    op.drop_index(op.f("ix_notification_project_id"), table_name="notification")
    op.drop_index("ix_notification_recipient_id_id", table_name="notification")
    op.drop_table("notification")
