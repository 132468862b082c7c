"""Evidence from the platform beside the self-assessment: figures computed from what the
municipality did on Pivotal in the round's period, each tied to the indicator it speaks to.

(A stub until the evidence is built: the results page already shows what this returns.)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.services.permissions import RoundRelation


@dataclass(frozen=True)
class EvidenceFigure:
    """One figure from the platform, and what it says beside the self-assessed level."""

    key: str  # stable name, e.g. "market_dialogue_share"
    label: str  # translated
    value: float | None  # None: nothing to compute from yet
    shown: str  # the value as the page shows it, e.g. "3 of 4 projects (75 %)"
    indicator_key: str | None  # the model's indicator it speaks to
    finding: str | None  # a plain sentence when the self-assessed level and the figure disagree


def platform_evidence(session: Session, *, rel: RoundRelation) -> list[EvidenceFigure]:
    """The round's evidence figures (none yet)."""
    return []
