"""maturity self-assessment: rounds, respondents, answers with evidence documents, and actions

Revision ID: c4d8e2a6f1b9
Revises: b1bfe93d4d08
Create Date: 2026-12-05 06:21:43.717215
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "c4d8e2a6f1b9"
down_revision: str | None = "b1bfe93d4d08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maturity_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_maturity_round_opened_by_id", "maturity_round", ["opened_by_id"], unique=False
    )
    op.create_index(
        "ix_maturity_round_org_opened",
        "maturity_round",
        ["organisation_id", "opened_at"],
        unique=False,
    )

    op.create_table(
        "maturity_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("dimension_key", sa.String(length=64), nullable=False),
        sa.Column("indicator_key", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=11), nullable=False),
        sa.Column("outcome", sa.String(length=4000), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["maturity_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_maturity_action_organisation_id", "maturity_action", ["organisation_id"], unique=False
    )
    op.create_index("ix_maturity_action_owner_id", "maturity_action", ["owner_id"], unique=False)
    op.create_index("ix_maturity_action_round_id", "maturity_action", ["round_id"], unique=False)

    op.create_table(
        "maturity_respondent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("unit", sa.String(length=12), nullable=False),
        sa.Column("unit_detail", sa.String(length=120), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["maturity_round.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "email", name="uq_maturity_respondent_email"),
        sa.UniqueConstraint("round_id", "user_id", name="uq_maturity_respondent_user"),
    )
    op.create_index(
        "ix_maturity_respondent_round_id", "maturity_respondent", ["round_id"], unique=False
    )
    op.create_index(
        "ix_maturity_respondent_user_id", "maturity_respondent", ["user_id"], unique=False
    )

    op.create_table(
        "maturity_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("indicator_key", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("dont_know", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.String(length=4000), nullable=True),
        sa.Column("comment", sa.String(length=4000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(level IS NULL) OR (level BETWEEN 1 AND 5)", name="ck_maturity_answer_level"
        ),
        sa.CheckConstraint(
            "NOT (dont_know AND level IS NOT NULL)", name="ck_maturity_answer_dont_know"
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["maturity_respondent.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("respondent_id", "indicator_key", name="uq_maturity_answer_indicator"),
    )
    op.create_table(
        "maturity_answer_document",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["maturity_answer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("answer_id", "document_id"),
    )
    op.create_index(
        "ix_maturity_answer_document_document_id",
        "maturity_answer_document",
        ["document_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_maturity_answer_document_document_id", table_name="maturity_answer_document")

    op.drop_table("maturity_answer_document")
    op.drop_table("maturity_answer")
    op.drop_index("ix_maturity_respondent_user_id", table_name="maturity_respondent")
    op.drop_index("ix_maturity_respondent_round_id", table_name="maturity_respondent")

    op.drop_table("maturity_respondent")
    op.drop_index("ix_maturity_action_round_id", table_name="maturity_action")
    op.drop_index("ix_maturity_action_owner_id", table_name="maturity_action")
    op.drop_index("ix_maturity_action_organisation_id", table_name="maturity_action")

    op.drop_table("maturity_action")
    op.drop_index("ix_maturity_round_org_opened", table_name="maturity_round")
    op.drop_index("ix_maturity_round_opened_by_id", table_name="maturity_round")

    op.drop_table("maturity_round")
