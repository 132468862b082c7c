"""language and theme: an organisation's målform, accent colour and logo; a project's language

Revision ID: fdc2facb2f4f
Revises: 6ce63ecfba3c
Create Date: 2026-12-05 09:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "fdc2facb2f4f"
down_revision: str | None = "6ce63ecfba3c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Nobody could choose a language for their account before: "nb" was the default, not a choice,
# so it gives way to the browser's language and the organisation's målform ("": not chosen).
UNCHOSEN = "UPDATE \"user\" SET language = '' WHERE language = 'nb'"


def upgrade() -> None:
    op.add_column(
        "organisation",
        sa.Column(
            "default_language",
            sqlmodel.sql.sqltypes.AutoString(length=2),
            server_default="nb",
            nullable=False,
        ),
    )
    op.add_column(
        "organisation",
        sa.Column("accent_colour", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True),
    )
    op.add_column(
        "organisation",
        sa.Column("logo_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "organisation",
        sa.Column("logo_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    )
    op.add_column(
        "project",
        sa.Column(
            "language",
            sqlmodel.sql.sqltypes.AutoString(length=2),
            server_default="nb",
            nullable=False,
        ),
    )
    op.execute(UNCHOSEN)


def downgrade() -> None:
    op.execute("UPDATE \"user\" SET language = 'nb' WHERE language = ''")
    op.drop_column("project", "language")
    op.drop_column("organisation", "logo_type")
    op.drop_column("organisation", "logo_sha256")
    op.drop_column("organisation", "accent_colour")
    op.drop_column("organisation", "default_language")
