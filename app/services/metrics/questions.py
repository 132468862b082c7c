"""The PIVOTAL project's research questions (DESIGN.md §1), which every figure serves one of.

Stated once, here, so that wherever a figure cites its question the question is given in full.
"""

from __future__ import annotations

from app.i18n import N_
from app.i18n import gettext as _

RESEARCH_QUESTIONS: dict[int, str] = {
    1: N_(
        "How does the ambition to change service practice show in innovative procurement projects?"
    ),
    2: N_(
        "How can procurement processes raise participation and influence of service employees "
        "and citizens, and does that build competence across organisations?"
    ),
    3: N_(
        "Which properties of digital tools promote dialogue and co-creation; how can they "
        "improve; what can be automated?"
    ),
}


def research_question(number: int) -> str:
    """The research question in full, in the current language."""
    return _(RESEARCH_QUESTIONS[number])
