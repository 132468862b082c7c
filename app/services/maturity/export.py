"""A round's answers as one table, for CSV and JSON: a row per respondent and indicator.

Who gets what (`docs/maturity-export.md`):

- those who run the round (`permissions.ensure_runs_round`) get every respondent, invited by
  account or by e-mail, with name and e-mail address, and every answer as written;
- a researcher, through a study of theirs that covers the round (`RoundRelation.study`) and
  once the round has closed, gets the respondents the study's legal basis lets in (under
  consent those whose consent stands; under public interest everyone but those who objected
  and deleted accounts) as the study's keyed pseudonym (`research.pseudonym`), never a name or
  an address; free text (evidence, comment, unit detail) only when the study includes free text.
  Someone invited by e-mail who never accepted has no account and no answers: not a row.

Three queries whatever the round's size: respondents, answers, evidence documents.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.maturity.model import Model, load_model
from app.models import MaturityAnswer, MaturityRespondent, MaturityRound, Study, User
from app.models.base import id_of
from app.services import permissions
from app.services.maturity.rounds import documents_of
from app.services.permissions import RoundRelation
from app.services.research.codebook import iso
from app.services.research.scope import ExportScope, pseudonym

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
OWNER_COLUMNS = (
    "round_id",
    "model_version",
    "dimension",
    "indicator",
    "respondent",
    "name",
    "email",
    "unit",
    "unit_detail",
    "level",
    "dont_know",
    "evidence",
    "comment",
    "documents",
    "updated_at",
)
RESEARCH_COLUMNS = tuple(c for c in OWNER_COLUMNS if c not in ("name", "email", "documents"))
FREE_TEXT = ("unit_detail", "evidence", "comment")


@dataclass(frozen=True)
class Respondent:
    """One respondent as the export shows them."""

    id: int
    key: int | str  # the respondent's id in the round, or the study's pseudonym
    name: str
    email: str
    unit: str
    unit_detail: str


@dataclass(frozen=True)
class RoundExport:
    """A round's answers as its audience may have them."""

    round: MaturityRound
    study: Study | None  # set: pseudonymised, for that study's researcher
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]

    @property
    def pseudonymised(self) -> bool:
        return self.study is not None


def round_export(session: Session, *, rel: RoundRelation) -> RoundExport:
    """The round's answers, a row per respondent and indicator, for its owners (with names) or
    a covering study's researcher once it closed (pseudonymised)."""
    study = _audience(rel)
    round_ = rel.round
    respondents = (
        _named(session, round_) if study is None else _pseudonymised(session, round_, study)
    )
    answers = _answers(session, [r.id for r in respondents])
    documents = documents_of(session, [id_of(a) for a in answers.values()]) if not study else {}
    free_text = study is None or study.include_free_text
    model = load_model(round_.model_version)
    columns = OWNER_COLUMNS if study is None else RESEARCH_COLUMNS
    rows = []
    for respondent in respondents:
        for dimension_key, indicator_key in _indicators(model):
            answer = answers.get((respondent.id, indicator_key))
            row = {
                "round_id": round_.id,
                "model_version": round_.model_version,
                "dimension": dimension_key,
                "indicator": indicator_key,
                "respondent": respondent.key,
                "name": respondent.name,
                "email": respondent.email,
                "unit": respondent.unit,
                "unit_detail": respondent.unit_detail,
                "level": answer.level if answer else None,
                "dont_know": bool(answer and answer.dont_know),
                "evidence": (answer.evidence if answer else None) or "",
                "comment": (answer.comment if answer else None) or "",
                "documents": documents.get(id_of(answer), []) if answer else [],
                "updated_at": iso(answer.updated_at) if answer else "",
            }
            if not free_text:
                row.update(dict.fromkeys(FREE_TEXT, ""))
            rows.append({column: row[column] for column in columns})
    return RoundExport(round=round_, study=study, columns=columns, rows=rows)


def _audience(rel: RoundRelation) -> Study | None:
    """None for those who run the round; the covering study for its researcher, once closed."""
    if rel.runs_round:
        return None
    if rel.study is None:
        permissions.ensure_runs_round(rel)  # a respondent: 403
    permissions.ensure_sees_results(rel)
    return rel.study


def _indicators(model: Model) -> Iterator[tuple[str, str]]:
    for dimension in model.dimensions():
        for indicator in dimension.indicators:
            yield dimension.key, indicator.key


def _named(session: Session, round_: MaturityRound) -> list[Respondent]:
    """Every respondent with their name and address, by unit."""
    rows = session.exec(
        select(MaturityRespondent, User)
        .outerjoin(User, col(User.id) == MaturityRespondent.user_id)
        .where(MaturityRespondent.round_id == round_.id)
        .order_by(col(MaturityRespondent.unit), col(MaturityRespondent.id))
    ).all()
    return [
        Respondent(
            id=id_of(r),
            key=id_of(r),
            name=user.display_name if user else "",
            email=(user.email if user else r.email) or "",
            unit=r.unit,
            unit_detail=r.unit_detail or "",
        )
        for r, user in rows
    ]


def _pseudonymised(session: Session, round_: MaturityRound, study: Study) -> list[Respondent]:
    """The respondents the study's legal basis lets in, as its pseudonyms, by pseudonym."""
    scope = ExportScope(session, study)
    person = col(MaturityRespondent.user_id)
    rows = session.exec(
        select(MaturityRespondent).where(
            MaturityRespondent.round_id == round_.id, person.is_not(None), scope.included(person)
        )
    ).all()
    found = [
        Respondent(
            id=id_of(r),
            key=pseudonym(study, r.user_id or 0),
            name="",
            email="",
            unit=r.unit,
            unit_detail=r.unit_detail or "",
        )
        for r in rows
    ]
    return sorted(found, key=lambda r: (r.unit, str(r.key)))  # no order by account age


def _answers(
    session: Session, respondent_ids: Sequence[int]
) -> dict[tuple[int, str], MaturityAnswer]:
    if not respondent_ids:
        return {}
    rows = session.exec(
        select(MaturityAnswer).where(col(MaturityAnswer.respondent_id).in_(respondent_ids))
    ).all()
    return {(row.respondent_id, row.indicator_key): row for row in rows}


def _inert(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return _inert(str(value))


def csv_text(export: RoundExport) -> str:
    """The export as CSV with a header (UTF-8 with a byte-order mark, for spreadsheets)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export.columns)
    for row in export.rows:
        writer.writerow([_cell(row[column]) for column in export.columns])
    return buffer.getvalue()


def json_document(export: RoundExport) -> dict[str, Any]:
    """The export as one JSON document: the round, how it is pseudonymised, and the rows."""
    round_ = export.round
    return {
        "round": {
            "id": round_.id,
            "organisation_id": round_.organisation_id,
            "title": round_.title,
            "model_version": round_.model_version,
            "opened_at": iso(round_.opened_at),
            "deadline": iso(round_.deadline),
            "closed_at": iso(round_.closed_at) or None,
        },
        "pseudonymised": export.pseudonymised,
        "study_id": export.study.id if export.study else None,
        "columns": list(export.columns),
        "rows": [{**row, "updated_at": row["updated_at"] or None} for row in export.rows],
    }


def filename(export: RoundExport, extension: str) -> str:
    """The download's file name."""
    return f"maturity-round-{export.round.id}.{extension}"
