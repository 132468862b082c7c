"""participation rollup: recount without questions and bookings (they are counted live)

Questions and bookings are now kept out of the rollup and counted live through the reader's
visibility clause (an unpublished question or a booking must not move anyone's figures but the
procurers'). Rollup rows made before counted them; emptying the rollup and its watermarks lets
the keeper count every event again by the new rule. Nothing is lost: the rollup is derived from
the participation log.

Revision ID: 7c3e1a9b5d20
Revises: 5f07e32fa60f
Create Date: 2026-12-04 18:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c3e1a9b5d20"
down_revision: str | None = "5f07e32fa60f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM participation_rollup")
    op.execute("DELETE FROM participation_rollup_mark")


def downgrade() -> None:
    # The older rule counted questions and bookings into the rollup: recount from the log.
    op.execute("DELETE FROM participation_rollup")
    op.execute("DELETE FROM participation_rollup_mark")
