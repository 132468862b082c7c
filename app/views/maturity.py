"""The self-assessment as the pages show it: the answer sheet in the reader's language, the
answer form read back into the API's input, and the model as the API gives it.

Rules stay in `app/services/maturity/rounds.py`; this module only arranges what it returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from app import i18n
from app.maturity.model import Indicator, Model, Text
from app.models import MaturityAnswer, MaturityRespondent, MaturityRound
from app.models.maturity import (
    AnswerIn,
    AnswerPublic,
    DimensionPublic,
    GroupPublic,
    IndicatorPublic,
    ModelPublic,
    RespondentPublic,
    RoundPublic,
    TextPublic,
)
from app.services.maturity.respondents import RespondentView
from app.services.permissions import round_is_open
from app.web import FormInvalid, FormView, parse

DONT_KNOW = "dont_know"
LISTED = "documents-listed"  # the answer form's marker: this indicator's documents were offered


# ---- the API's shapes ---------------------------------------------------------------------------


def _text(text: Text) -> TextPublic:
    return TextPublic(nb=text.nb, nn=text.nn, en=text.en)


def model_public(model: Model) -> ModelPublic:
    """The whole model with every text in all three languages."""
    return ModelPublic(
        version=model.version,
        title=_text(model.title),
        scale=[_text(step) for step in model.scale],
        groups=[
            GroupPublic(
                key=group.key,
                title=_text(group.title),
                dimensions=[
                    DimensionPublic(
                        key=dimension.key,
                        title=_text(dimension.title),
                        indicators=[
                            IndicatorPublic(
                                key=i.key,
                                title=_text(i.title),
                                question=_text(i.question),
                                levels=[_text(level) for level in i.levels],
                                measures=[_text(measure) for measure in i.measures],
                            )
                            for i in dimension.indicators
                        ],
                    )
                    for dimension in group.dimensions
                ],
            )
            for group in model.groups
        ],
    )


def round_public(round_: MaturityRound) -> RoundPublic:
    """A round as the API lists it."""
    return RoundPublic(
        id=round_.id or 0,
        organisation_id=round_.organisation_id,
        title=round_.title,
        model_version=round_.model_version,
        opened_at=round_.opened_at,
        deadline=round_.deadline,
        closed_at=round_.closed_at,
        open=round_is_open(round_),
    )


def respondent_public(
    respondent: MaturityRespondent, *, name: str, answered: int
) -> RespondentPublic:
    """A respondent as the API shows it to the round's owners (and to the respondent)."""
    return RespondentPublic(
        id=respondent.id or 0,
        name=name,
        unit=respondent.unit,
        unit_detail=respondent.unit_detail,
        invited_by_email=respondent.email is not None,
        accepted=respondent.accepted_at is not None,
        answered=answered,
        submitted=respondent.submitted_at is not None,
    )


def respondents_public(views: Sequence[RespondentView]) -> list[RespondentPublic]:
    """The round's respondents for its owners."""
    return [respondent_public(v.respondent, name=v.name, answered=v.answered) for v in views]


def answers_public(
    answers: Mapping[str, MaturityAnswer], documents: Mapping[int, list[int]]
) -> list[AnswerPublic]:
    """A respondent's answers, by the model's keys."""
    return [
        AnswerPublic(
            indicator=row.indicator_key,
            level=row.level,
            dont_know=row.dont_know,
            evidence=row.evidence,
            comment=row.comment,
            documents=documents.get(row.id or 0, []),
            updated_at=row.updated_at,
        )
        for row in sorted(answers.values(), key=lambda row: row.indicator_key)
    ]


# ---- the answer sheet ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelChoice:
    """One of an indicator's five levels, as a radio button's label."""

    value: int
    name: str  # the scale's name of the level ("Defined")
    text: str  # what the level looks like for this indicator


@dataclass(frozen=True)
class SheetIndicator:
    """One indicator of the answer form with the respondent's saved answer."""

    key: str
    title: str
    question: str
    levels: list[LevelChoice]
    choice: str  # "1".."5", "dont_know" or "" (not answered)
    evidence: str
    comment: str
    updated_at: datetime | None
    documents: tuple[int, ...] = ()  # the documents given as evidence

    @property
    def answered(self) -> bool:
        return self.choice != ""


@dataclass(frozen=True)
class SheetDimension:
    key: str
    title: str
    indicators: list[SheetIndicator]


@dataclass(frozen=True)
class SheetGroup:
    key: str
    title: str
    dimensions: list[SheetDimension]


def choice_of(answer: MaturityAnswer | None) -> str:
    """How an answer stands in the form's radio group."""
    if answer is None:
        return ""
    if answer.dont_know:
        return DONT_KNOW
    return str(answer.level) if answer.level is not None else ""


def sheet_indicator(
    model: Model,
    indicator: Indicator,
    answer: MaturityAnswer | None,
    lang: str,
    documents: Sequence[int] = (),
) -> SheetIndicator:
    """One indicator in the reader's language with the saved answer."""
    return SheetIndicator(
        key=indicator.key,
        title=indicator.title.in_(lang),
        question=indicator.question.in_(lang),
        levels=[
            LevelChoice(value=n, name=model.scale[n - 1].in_(lang), text=text.in_(lang))
            for n, text in enumerate(indicator.levels, start=1)
        ],
        choice=choice_of(answer),
        evidence=(answer.evidence or "") if answer else "",
        comment=(answer.comment or "") if answer else "",
        updated_at=answer.updated_at if answer else None,
        documents=tuple(documents),
    )


def answer_sheet(
    model: Model,
    answers: Mapping[str, MaturityAnswer],
    lang: str | None = None,
    documents: Mapping[int, list[int]] | None = None,
) -> list[SheetGroup]:
    """Every indicator grouped by the model's groups and dimensions, with the saved answers and
    the documents given with them (by answer id)."""
    lang = lang or i18n.current_language()
    given = documents or {}

    def indicator(i: Indicator) -> SheetIndicator:
        answer = answers.get(i.key)
        return sheet_indicator(
            model, i, answer, lang, given.get(answer.id or 0, []) if answer else []
        )

    return [
        SheetGroup(
            key=group.key,
            title=group.title.in_(lang),
            dimensions=[
                SheetDimension(
                    key=dimension.key,
                    title=dimension.title.in_(lang),
                    indicators=[indicator(i) for i in dimension.indicators],
                )
                for dimension in group.dimensions
            ],
        )
        for group in model.groups
    ]


# ---- the answer form read back ------------------------------------------------------------------


def field_name(key: str, field: str) -> str:
    """The form's name of an indicator's field: `need_discovery-level`."""
    return f"{key}-{field}"


async def chosen_documents(request: Request) -> dict[str, list[str]]:
    """The documents ticked on each indicator of the answer form (a field given many times)."""
    form = await request.form()
    return {
        key: [v for v in form.getlist(key) if isinstance(v, str)]
        for key in form
        if key.endswith("-documents")
    }


def documents_from_form(
    form: Mapping[str, str], chosen: Mapping[str, list[str]], key: str, kept: Sequence[int]
) -> list[int] | list[str]:
    """The documents ticked on an indicator, when the form listed them (none ticked: none);
    a form that did not list them keeps those given before (through the API)."""
    if field_name(key, LISTED) not in form:
        return list(kept)
    return chosen.get(field_name(key, "documents"), [])


def answer_from_form(
    form: Mapping[str, str],
    indicator: Indicator,
    documents: Sequence[int | str],
    view: FormView | None,
    lang: str | None = None,
) -> AnswerIn:
    """One indicator's fields as the API's input with the documents given (ids as the form sent
    them); a refusal stands beside the indicator's field and names the indicator in the error
    box."""
    key = indicator.key
    choice = form.get(field_name(key, "level"), "").strip()
    try:
        return parse(
            AnswerIn,
            None,
            indicator=key,
            level=None if choice in ("", DONT_KNOW) else choice,
            dont_know=choice == DONT_KNOW,
            evidence=form.get(field_name(key, "evidence"), ""),
            comment=form.get(field_name(key, "comment"), ""),
            documents=list(documents),
        )
    except FormInvalid as refused:
        title = indicator.title.in_(lang or i18n.current_language())
        errors = {
            field_name(key, name or "level"): [f"{title}: {m}" for m in messages]
            for name, messages in refused.errors.items()
        }
        raise FormInvalid(errors, dict(form), view) from None


def answers_from_form(
    form: Mapping[str, str],
    chosen: Mapping[str, list[str]],
    model: Model,
    saved: Mapping[str, MaturityAnswer],
    documents: Mapping[int, list[int]],
    view: FormView | None,
) -> list[AnswerIn]:
    """The indicators the form changes or fills, with the documents ticked on each (every
    refusal at once, nothing saved then)."""
    found: list[AnswerIn] = []
    errors: dict[str, list[str]] = {}
    for indicator in model.indicators():
        row = saved.get(indicator.key)
        kept = documents.get(row.id or 0, []) if row is not None else []
        given = documents_from_form(form, chosen, indicator.key, kept)
        filled = any(
            form.get(field_name(indicator.key, f), "").strip()
            for f in ("level", "evidence", "comment")
        )
        if row is None and not filled and not given:
            continue
        try:
            found.append(answer_from_form(form, indicator, given, view))
        except FormInvalid as refused:
            errors.update(refused.errors)
    if errors:
        raise FormInvalid(errors, {**form, **chosen}, view)  # the ticks show again
    return found
