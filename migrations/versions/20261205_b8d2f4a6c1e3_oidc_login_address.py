"""oidc login: the hash of the client address that started it, to limit starts per address

Revision ID: b8d2f4a6c1e3
Revises: a7c3e9f1d5b2
Create Date: 2026-12-05 21:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b8d2f4a6c1e3"
down_revision: str | None = "a7c3e9f1d5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("oidc_login") as batch:
        batch.add_column(
            sa.Column("address_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.create_index("ix_oidc_login_address_hash", ["address_hash"])


def downgrade() -> None:
    with op.batch_alter_table("oidc_login") as batch:
        batch.drop_index("ix_oidc_login_address_hash")
        batch.drop_column("address_hash")
