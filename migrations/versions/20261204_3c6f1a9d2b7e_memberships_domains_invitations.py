"""memberships, organisation domains and invitations; organisation-scoped audit entries

Every existing user with an organisation gets an active membership in it (vouched by the
operator), so a database from before keeps working: the user's role and organisation are now
derived from that membership.

Revision ID: 3c6f1a9d2b7e
Revises: 3c1d9e7a5b20
Create Date: 2026-12-04 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3c6f1a9d2b7e"
down_revision: str | None = "3c1d9e7a5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_MEMBERSHIPS = """
INSERT INTO membership
    (user_id, organisation_id, role, is_org_admin, status, vouched_by, requested_at, decided_at)
SELECT id, organisation_id, role, false, 'active', 'cli_or_demo', created_at, created_at
FROM "user"
WHERE organisation_id IS NOT NULL
  AND role IN ('employee', 'procurer', 'supplier', 'researcher')
"""


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("org_number_verified_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("is_org_admin", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=7), nullable=False),
        sa.Column("vouched_by", sa.String(length=20), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_membership_user_id"), "membership", ["user_id"], unique=False)
    op.create_index(
        op.f("ix_membership_organisation_id"), "membership", ["organisation_id"], unique=False
    )
    op.create_table(
        "organisation_domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(length=253), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domain"),
    )
    op.create_index(
        op.f("ix_organisation_domain_organisation_id"),
        "organisation_domain",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("membership_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["membership_id"], ["membership.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_invitation_organisation_id"), "invitation", ["organisation_id"], unique=False
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("project_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "as_platform_admin", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entry_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_audit_entry_organisation_id", "organisation", ["organisation_id"], ["id"]
        )
    op.execute("UPDATE audit_entry SET as_platform_admin = (actor_role = 'admin')")
    op.execute(BACKFILL_MEMBERSHIPS)


def downgrade() -> None:
    op.execute("DELETE FROM audit_entry WHERE project_id IS NULL")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_entry_organisation_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audit_entry_organisation_id"))
        batch_op.drop_column("as_platform_admin")
        batch_op.drop_column("organisation_id")
        batch_op.alter_column("project_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f("ix_invitation_organisation_id"), table_name="invitation")
    op.drop_table("invitation")
    op.drop_index(op.f("ix_organisation_domain_organisation_id"), table_name="organisation_domain")
    op.drop_table("organisation_domain")
    op.drop_index(op.f("ix_membership_organisation_id"), table_name="membership")
    op.drop_index(op.f("ix_membership_user_id"), table_name="membership")
    op.drop_table("membership")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("org_number_verified_at")
