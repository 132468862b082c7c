"""The export's self-assessment tables: the rounds of the municipalities a study covers, and
their answers with pseudonymised respondents.

What they hold, and why:

- only rounds of municipalities the study covers (one of its projects is theirs, as owner or
  partner: `permissions.covered_organisations`, as a researcher reaches a round on the pages),
  that overlap the study's period and have closed: an open round's answers still change;
- a row per answer of a respondent whose rows the study may use (`ExportScope.included`: under
  consent those whose consent stands, under public interest everyone but objectors and deleted
  accounts); someone invited by e-mail who never accepted has no account and no answers;
- the respondent as the study's keyed pseudonym and their unit, never a name or an address;
  the unit detail, evidence and comment are free text, only when the export includes it;
- the round's title is the municipality's own name for it (official information).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, literal
from sqlmodel import Session, col

from app.maturity.model import available_versions, load_model
from app.models import MaturityAnswer, MaturityRespondent, MaturityRound
from app.models.base import utcnow
from app.models.maturity import MaturityUnit
from app.services import permissions
from app.services.research.codebook import (
    KEY,
    PSEUDONYM,
    REQUIRED,
    Column,
    Table,
    flag,
    person,
    timestamp,
)
from app.services.research.scope import ExportScope, select_columns

TEXT_NOTE = " Free text; empty unless the export includes free text."


def _rounds_clause(scope: ExportScope) -> Any:
    """Closed rounds of covered municipalities that overlap the study's period, in SQL."""
    closes_at = permissions.closes_at_clause()
    return and_(
        col(MaturityRound.organisation_id).in_(permissions.covered_organisations(scope.projects)),
        col(MaturityRound.opened_at) < scope.period_end,
        closes_at >= scope.period_start,
        closes_at <= utcnow(),
    )


def _rounds(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    return (
        select_columns(
            col(MaturityRound.id).label("round_id"),
            MaturityRound.organisation_id,
            MaturityRound.model_version,
            MaturityRound.title,
            MaturityRound.opened_at,
            permissions.closes_at_clause().label("closed_at"),
        )
        .where(_rounds_clause(scope))
        .order_by(col(MaturityRound.id))
    )


MATURITY_ROUNDS = Table(
    "maturity_rounds",
    "Self-assessment rounds",
    "The capability self-assessment rounds of the municipalities the study covers that "
    "overlap its period and have closed. Each is answered against one version of the "
    "capability model (`app/maturity/model-vN.toml`).",
    [
        Column("round_id", "integer", "The round's id on the platform", KEY),
        Column("organisation_id", "integer", "The municipality's organisation id", REQUIRED),
        Column(
            "model_version",
            "integer",
            "The capability model's version the round was answered on",
            {**REQUIRED, "minimum": 1},
        ),
        Column("title", "string", "The municipality's title for the round", REQUIRED),
        timestamp("opened_at", "When the round opened", required=True),
        timestamp("closed_at", "When the round stopped taking answers", required=True),
    ],
    ["round_id"],
    _rounds,
)


def _free(column: Any, free_text: bool) -> Any:
    return column if free_text else literal("")


def _answers(session: Session, scope: ExportScope, free_text: bool) -> Select[Any]:
    r = MaturityRespondent
    return (
        select_columns(
            col(MaturityAnswer.id).label("answer_id"),
            col(MaturityRound.id).label("round_id"),
            MaturityAnswer.indicator_key,
            col(r.user_id).label("respondent_id"),
            r.unit,
            _free(col(r.unit_detail), free_text).label("unit_detail"),
            MaturityAnswer.level,
            MaturityAnswer.dont_know,
            _free(col(MaturityAnswer.evidence), free_text).label("evidence"),
            _free(col(MaturityAnswer.comment), free_text).label("comment"),
            MaturityAnswer.updated_at,
            MaturityRound.model_version,
        )
        .join(r, col(r.id) == MaturityAnswer.respondent_id)
        .join(MaturityRound, col(MaturityRound.id) == r.round_id)
        .where(
            _rounds_clause(scope),
            col(r.user_id).is_not(None),
            scope.included(col(r.user_id)),
        )
        .order_by(col(MaturityAnswer.id))
    )


def _dimension(row: Any, _scope: ExportScope) -> str:
    """The dimension of the row's indicator in the round's model version."""
    return load_model(row.model_version).dimension_of(row.indicator_key).key


def _indicator_keys() -> list[str]:
    return sorted({i.key for v in available_versions() for i in load_model(v).indicators()})


def _dimension_keys() -> list[str]:
    return sorted({d.key for v in available_versions() for d in load_model(v).dimensions()})


MATURITY_ANSWERS = Table(
    "maturity_answers",
    "Self-assessment answers",
    "Each respondent's answer on each indicator of the rounds in `maturity_rounds`: a level "
    "from 1 (ad hoc) to 5 (integrated and continuously improved), or don't know. Respondents "
    "appear only as pseudonyms, with the unit of the municipality they answered from.",
    [
        Column("answer_id", "integer", "The answer's id", KEY),
        Column("round_id", "integer", "The round", REQUIRED),
        Column(
            "dimension",
            "string",
            "The capability model's dimension of the indicator",
            {**REQUIRED, "enum": _dimension_keys()},
            read=_dimension,
        ),
        Column(
            "indicator",
            "string",
            "The capability model's indicator (its key in the model file)",
            {**REQUIRED, "enum": _indicator_keys()},
            read=lambda row, _scope: row.indicator_key,
        ),
        Column(
            "respondent",
            "string",
            "The respondent's pseudonym (the same person's pseudonym in the other tables)",
            {**REQUIRED, **PSEUDONYM},
            read=person("respondent_id"),
        ),
        Column(
            "unit",
            "string",
            "The part of the municipality the respondent answered from",
            {**REQUIRED, "enum": [u.value for u in MaturityUnit]},
        ),
        Column("unit_detail", "string", "The unit in the municipality's words." + TEXT_NOTE),
        Column(
            "level",
            "integer",
            "The level from 1 to 5; empty for don't know or not answered",
            {"minimum": 1, "maximum": 5},
        ),
        Column(
            "dont_know", "boolean", "The respondent answered don't know", read=flag("dont_know")
        ),
        Column("evidence", "string", "The evidence the respondent gave." + TEXT_NOTE),
        Column("comment", "string", "The respondent's comment." + TEXT_NOTE),
        timestamp("updated_at", "When the answer was last saved", required=True),
    ],
    ["answer_id"],
    _answers,
    [
        {
            "fields": ["round_id"],
            "reference": {"resource": "maturity_rounds", "fields": ["round_id"]},
        }
    ],
)
