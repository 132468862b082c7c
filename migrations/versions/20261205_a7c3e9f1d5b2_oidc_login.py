"""oidc login: linked identities, logins under way, a session's provider and level, project level

Revision ID: a7c3e9f1d5b2
Revises: fdc2facb2f4f
Create Date: 2026-12-05 13:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a7c3e9f1d5b2"
down_revision: str | None = "fdc2facb2f4f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "linked_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", Text(length=40), nullable=False),
        sa.Column("subject", Text(length=255), nullable=False),
        sa.Column("pid_hash", Text(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "subject"),
    )
    op.create_index("ix_linked_identity_user_id", "linked_identity", ["user_id"])
    op.create_index("ix_linked_identity_pid_hash", "linked_identity", ["pid_hash"])
    op.create_table(
        "oidc_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", Text(length=64), nullable=False),
        sa.Column("provider", Text(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=7), nullable=False),
        sa.Column("nonce", Text(length=100), nullable=False),
        sa.Column("code_verifier", Text(length=128), nullable=False),
        sa.Column("level", sa.String(length=11), nullable=False),
        sa.Column("next", Text(length=2000), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nonce"),
    )
    op.create_index("ix_oidc_login_state_hash", "oidc_login", ["state_hash"], unique=True)
    op.create_index("ix_oidc_login_user_id", "oidc_login", ["user_id"])
    op.add_column(
        "login_session",
        sa.Column("provider", Text(length=40), server_default="", nullable=False),
    )
    op.add_column(
        "login_session",
        sa.Column("level", Text(length=11), server_default="basic", nullable=False),
    )
    op.add_column(
        "project",
        sa.Column("login_level", sa.String(length=11), server_default="basic", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("project", "login_level")
    op.drop_column("login_session", "level")
    op.drop_column("login_session", "provider")
    op.drop_table("oidc_login")
    op.drop_table("linked_identity")
