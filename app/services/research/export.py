"""The research export: the study's Data Package, a zip of CSV tables and `datapackage.json`,
written table by table from the tables' declarations."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.config import get_settings
from app.models import Study
from app.models.base import utcnow
from app.models.research import LegalBasis
from app.services.errors import Forbidden
from app.services.research.activity import BY_ROLE_AND_PHASE, EVENTS, MIN_CELL
from app.services.research.codebook import Table, iso
from app.services.research.ledger import TRACE_LINKS
from app.services.research.maturity import MATURITY_ANSWERS, MATURITY_ROUNDS
from app.services.research.records import COMMENTS, NEEDS, PROJECTS, PROPOSALS
from app.services.research.scope import ExportScope, rows_of

# The package's tables, in the order they are written.
EXPORT_TABLES = (
    PROJECTS,
    EVENTS,
    NEEDS,
    COMMENTS,
    PROPOSALS,
    TRACE_LINKS,
    BY_ROLE_AND_PHASE,
    MATURITY_ROUNDS,
    MATURITY_ANSWERS,
)
TABLES = tuple(table.name for table in EXPORT_TABLES)

Progress = Callable[[str], None]


@dataclass
class ExportSummary:
    """What an export wrote: rows per table."""

    rows: dict[str, int] = field(default_factory=dict)


def cells(
    session: Session,
    table: Table,
    scope: ExportScope,
    free_text: bool,
    progress: Progress | None = None,
) -> Iterator[list[Any]]:
    """The table's rows as CSV cells, each column read from the query's named fields."""
    columns = table.columns
    every = table.progress_every
    query = table.query(session, scope, free_text)
    for n, row in enumerate(rows_of(session, query), start=1):
        yield [column.value(row, scope) for column in columns]
        if progress and every and n % every == 0:
            progress(f"{table.name}:{n}")


def _descriptor(study: Study, tables: list[Table], free_text: bool) -> dict[str, Any]:
    settings = get_settings()
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": f"pivotal-study-{study.id}",
        "title": f"Pivotal research export: {study.title}",
        "description": (
            "Pseudonymised participation data from Pivotal, the platform for innovative public "
            "procurement, exported for one registered study. Participants appear only as keyed "
            "pseudonyms (HMAC-SHA256 of the user id with a secret per study that stays on the "
            "platform): stable within this study, not linkable to other studies. "
            + (
                "Only participants who consented to the study (and did not withdraw) are included. "
                if study.legal_basis == LegalBasis.consent
                else "The study's legal basis is public interest (GDPR art. 6(1)(e) with "
                "art. 89 safeguards); people who objected (art. 21) are left out. "
            )
            + "Deleted accounts are left out (under public interest the events they made stay, "
            "without anyone's pseudonym). "
            + ("Free text is included. " if free_text else "Free text is left out. ")
            + f"Only what happened within the study's period ({study.period_start.isoformat()} "
            f"to {study.period_end.isoformat()}) is included. "
            f"Aggregate cells with fewer than {MIN_CELL} people are suppressed. "
            "Organisation ids are given for public bodies only. Who asked a question, "
            "registered for the market dialogue or an event, or attended one is never given, "
            "bookings and unpublished questions and proposals are left out, and an anonymous "
            "need's author appears on it only under a pseudonym of the need's own. Trace links "
            "to confidential content, and every link's rationale, are left out. Self-assessment "
            "rounds are those of the municipalities the study covers that overlap its period "
            "and have closed; their respondents appear as pseudonyms with their unit."
        ),
        "version": "1.0.0",
        "created": iso(utcnow()),
        "licenses": [
            {
                "name": "other-closed",
                "title": "Restricted: for the registered study only, under its legal basis and "
                "data-protection reference",
            }
        ],
        "sources": [{"title": "Pivotal", "path": settings.base_url}],
        "contributors": [
            {"title": study.institution, "roles": ["rightsHolder"]},
            {"title": "Pivotal", "roles": ["publisher"]},
        ],
        "keywords": ["innovative public procurement", "participation", "Norway"],
        "study": {
            "id": study.id,
            "title": study.title,
            "institution": study.institution,
            "ethics_reference": study.ethics_reference,
            "legal_basis": study.legal_basis,
            "period_start": study.period_start.isoformat(),
            "period_end": study.period_end.isoformat(),
            "free_text": free_text,
            "pseudonymisation": "HMAC-SHA256(user id, per-study secret), hex",
            "min_cell_size": MIN_CELL,
        },
        "resources": [t.resource() for t in tables],
    }


def export_study(
    session: Session,
    *,
    study: Study,
    out: Path,
    free_text: bool = False,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write the study's Data Package to `out` (a zip), table by table, streaming the rows."""
    if free_text and not study.include_free_text:
        raise Forbidden("This study does not allow free text in its exports.")
    scope = ExportScope(session, study)
    summary = ExportSummary()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in EXPORT_TABLES:
            if progress:
                progress(table.name)
            with (
                archive.open(f"{table.name}.csv", "w", force_zip64=True) as raw,
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
            ):
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow([c.name for c in table.columns])
                count = 0
                for row in cells(session, table, scope, free_text, progress):
                    writer.writerow(row)
                    count += 1
            summary.rows[table.name] = count
        descriptor = _descriptor(study, list(EXPORT_TABLES), free_text)
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=1))
    return summary
