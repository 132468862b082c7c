"""The contents of the privacy statement and the accessibility statement, from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.config import Settings
from app.i18n import N_
from app.models import Study
from app.models.research import LegalBasis

# GDPR art. 6(1), by letter: the bases the privacy statement names.
GDPR_BASES = {
    "a": N_("Consent (GDPR art. 6(1)(a))"),
    "b": N_("A contract with you (GDPR art. 6(1)(b))"),
    "c": N_("A legal obligation (GDPR art. 6(1)(c))"),
    "e": N_("A task in the public interest (GDPR art. 6(1)(e))"),
    "f": N_("Legitimate interests (GDPR art. 6(1)(f))"),
}
STUDY_BASES = {LegalBasis.consent: "a", LegalBasis.public_interest: "e"}

# What the automatic checks of every release cover, and what no one has checked yet (WCAG 2.1).
TESTED = (
    N_("axe-core (WCAG 2.1 A and AA rules) in Chromium on every page, in every test run."),
    N_("Every page at 320 CSS pixels wide without sideways scrolling (reflow, 1.4.10)."),
    N_("Forms: every field has a label, and errors stand beside their fields and are announced."),
    N_("Everything works with the keyboard, and without JavaScript for writing."),
)
NOT_TESTED = (
    N_("Manual tests with screen readers (NVDA, JAWS, VoiceOver, TalkBack)."),
    N_("Tests with users with disabilities."),
    N_("A manual check of all 47 success criteria by an expert."),
    N_("Text that users write themselves (needs, comments, documents they upload)."),
)
KNOWN_DEVIATIONS = (
    N_(
        "Documents and attachments that users upload (PDF, office files) are not checked and "
        "may not be accessible (1.1.1, 1.3.1)."
    ),
    N_(
        "Charts on the metrics pages have a table beside them, but the charts themselves have "
        "not been tested with screen readers (1.1.1)."
    ),
    N_(
        "Content that changes live is announced by screen readers only where a status region is "
        "used; this has not been verified with screen readers (4.1.3)."
    ),
)
COMPLAINT_URL = "https://www.uutilsynet.no/"
DISCRIMINATION_TRIBUNAL_URL = "https://www.diskrimineringsnemnda.no/"
DATA_PROTECTION_AUTHORITY_URL = "https://www.datatilsynet.no/"


@dataclass(frozen=True)
class StudyLine:
    """A registered study as the privacy statement lists it."""

    title: str
    institution: str
    ethics_reference: str
    basis: str
    period_start: date
    period_end: date


def studies(session: Session) -> list[StudyLine]:
    """Every registered study with its legal basis (no secrets, nothing about participants)."""
    rows = session.exec(select(Study).order_by(col(Study.period_start), col(Study.id))).all()
    return [
        StudyLine(
            title=s.title,
            institution=s.institution,
            ethics_reference=s.ethics_reference,
            basis=GDPR_BASES[STUDY_BASES[s.legal_basis]],
            period_start=s.period_start,
            period_end=s.period_end,
        )
        for s in rows
    ]


def privacy_context(session: Session, settings: Settings) -> dict[str, object]:
    """What the privacy statement shows."""
    return {
        "settings": settings,
        "bases": GDPR_BASES,
        "studies": studies(session),
        "authority_url": DATA_PROTECTION_AUTHORITY_URL,
    }


def accessibility_context(settings: Settings) -> dict[str, object]:
    """What the accessibility statement shows."""
    return {
        "settings": settings,
        "tested": TESTED,
        "not_tested": NOT_TESTED,
        "deviations": KNOWN_DEVIATIONS,
        "complaint_url": COMPLAINT_URL,
        "tribunal_url": DISCRIMINATION_TRIBUNAL_URL,
    }
