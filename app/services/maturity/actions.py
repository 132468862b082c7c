"""Development actions a municipality takes from a round's results, and what came of them.

(A stub until the actions are built: the results page already shows what these return.)
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from app.models import MaturityAction
from app.services.permissions import RoundRelation


def actions_of_round(session: Session, *, rel: RoundRelation) -> Sequence[MaturityAction]:
    """The actions chosen from this round's results (none yet)."""
    return []


def earlier_actions(session: Session, *, rel: RoundRelation) -> Sequence[MaturityAction]:
    """The actions from the municipality's earlier rounds, shown beside this one (none yet)."""
    return []
