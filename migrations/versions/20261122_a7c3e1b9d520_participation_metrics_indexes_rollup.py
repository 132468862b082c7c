"""participation metrics: indexes, and the rollup the figures read

Revision ID: a7c3e1b9d520
Revises: 1664ab6459ae
Create Date: 2026-11-22 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a7c3e1b9d520"
down_revision: str | None = '1664ab6459ae'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('participation_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor_org_id', sa.Integer(), nullable=True),
    sa.Column('actor_org_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('addressee_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('addressee_org_id', sa.Integer(), nullable=True),
    sa.Column('addressee_org_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('answers_other', sa.Boolean(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['actor_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['addressee_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('participation_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_participation_rollup_project_id', ['project_id'], unique=False)

    op.create_table('participation_rollup_mark',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('project_id')
    )
    op.create_index(
        "ix_participation_project_verb", "participation_event", ["project_id", "verb", "actor_role"]
    )
    op.create_index(
        "ix_participation_project_object",
        "participation_event",
        ["project_id", "object_type", "object_id"],
    )


def downgrade() -> None:
    op.drop_table("participation_rollup_mark")
    op.drop_index("ix_participation_rollup_project_id", table_name="participation_rollup")
    op.drop_table("participation_rollup")
    op.drop_index("ix_participation_project_object", table_name="participation_event")
    op.drop_index("ix_participation_project_verb", table_name="participation_event")
