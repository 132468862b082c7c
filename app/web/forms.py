"""Form and input validation: readable messages per field, and text no database can store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, NoReturn, TypeVar

from annotated_types import MaxLen, MinLen
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.requests import HTTPConnection

from app.i18n import N_, TIMEZONE
from app.i18n import gettext as _
from app.services.errors import Invalid
from app.web.csrf import UNSAFE_METHODS

M = TypeVar("M", bound=BaseModel)

FIELD_LABELS = {
    "title": N_("Title"),
    "problem": N_("What must get better"),
    "affected": N_("Who is affected"),
    "body": N_("Comment"),
    "summary": N_("Summary"),
    "service_area": N_("Service area"),
    "innovation_ambition": N_("Innovation ambition"),
    "email": N_("E-mail"),
    "password": N_("Password"),
    "display_name": N_("Name"),
    "reason": N_("Reason"),
    "visibility": N_("Visibility"),
    "partner_org_ids": N_("Partner municipalities"),
    "themes": N_("Themes"),
    "text": N_("Text"),
    "weight": N_("Weight"),
    "role": N_("Role"),
    "organisation_id": N_("Organisation"),
    "parent_id": N_("Reply to"),
    "merged_into_id": N_("Merge into"),
    "anonymous": N_("Show without my name"),
    "owner_org_id": N_("Owner"),
    "status": N_("Status"),
    "org_number": N_("Organisation number"),
    "to_phase": N_("Next phase"),
    "rationale": N_("Rationale"),
    "kind": N_("Kind of document"),
    "audience": N_("Who may see it"),
    "description": N_("Description"),
    "file": N_("File"),
    "need_ids": N_("Needs"),
    "justification": N_("Justification"),
    "decision": N_("Decision"),
    "institution": N_("Responsible institution"),
    "ethics_reference": N_("Data-protection reference"),
    "legal_basis": N_("Legal basis"),
    "period_start": N_("Start of the period"),
    "period_end": N_("End of the period"),
    "include_free_text": N_("Free text in exports"),
    "project_ids": N_("Projects"),
    "location": N_("Location"),
    "minutes": N_("Minutes"),
    "name": N_("Name"),
    "starts_at": N_("Start time"),
    "ends_at": N_("End time"),
    "capacity": N_("Capacity"),
    "slot_minutes": N_("Slot length in minutes"),
    "deadline": N_("Deadline"),
    "passage": N_("Passage"),
    "owner_id": N_("Owner"),
    "due": N_("Due date"),
    "outcome": N_("Outcome"),
    "dimension": N_("Dimension"),
    "indicator": N_("Indicator"),
    "topic": N_("What it develops"),
    "level": N_("Level"),
    "evidence": N_("Evidence"),
    "unit": N_("Unit"),
    "unit_detail": N_("Unit detail"),
    "user_id": N_("Member"),
}


LOCATIONS = ("body", "query", "path", "form", "header", "cookie")
# Kinds of error a schema raises with a translatable sentence of its own (PydanticCustomError).
OWN_MESSAGES = (
    "blank",
    "out_of_order",
    "theme",
    "weight",
    "audiences",
    "passage",
    "invite",
    "email",
    "level",
)


def _field_of(error: Any, located: bool) -> str:
    """The field an error is about ("" for the whole input); FastAPI's errors start with where
    the input came from (a schema's field may itself be called `body`), list indices are skipped."""
    loc = list(error.get("loc", ()))
    if located and loc and loc[0] in LOCATIONS:
        loc = loc[1:]
    names = [str(part) for part in loc if not isinstance(part, int)]
    return names[-1] if names else ""


def _field_message(error: dict[str, Any], field: str) -> str:
    label = _(FIELD_LABELS.get(field) or N_("Input"))
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind in OWN_MESSAGES:  # a schema's own refusal (see app.models.base.strip_text)
        return _(str(error.get("msg", "")))
    if kind == "missing":
        return _("%(field)s is required.", field=label)
    if kind.startswith("datetime_"):
        return _("%(field)s is not a valid date and time.", field=label)
    if kind == "string_too_short":
        return _(
            "%(field)s must be at least %(min)s characters.", field=label, min=ctx.get("min_length")
        )
    if kind == "string_too_long":
        return _(
            "%(field)s can be at most %(max)s characters.", field=label, max=ctx.get("max_length")
        )
    return _("%(field)s is not valid.", field=label)


def validation_messages(exc: RequestValidationError | ValidationError) -> list[str]:
    """One readable, translated line per invalid field."""
    located = isinstance(exc, RequestValidationError)
    return [_field_message(dict(e), _field_of(e, located)) for e in exc.errors()]


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Readable, translated messages by field name; "" holds those about the whole input."""
    found: dict[str, list[str]] = {}
    for error in exc.errors():
        field = _field_of(error, located=False)
        found.setdefault(field, []).append(_field_message(dict(error), field))
    return found


@dataclass(frozen=True)
class FormView:
    """Where a form's fields are drawn: a template whose `fields` block re-renders them.

    The block gets the view's context, `form` (what was typed) and `errors` (messages by field).
    `typed` holds the text of fields the router converted before parsing (a time, a number),
    shown again as typed in place of the converted value. When `page` is true the template is a
    whole page, drawn again in full for a form posted without htmx.
    """

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    typed: dict[str, Any] = field(default_factory=dict)
    page: bool = False


R = TypeVar("R", bound=BaseModel)


def detached(rows: Iterable[R]) -> list[R]:
    """Copies of rows for a form's context: a failed form is drawn after the rollback, which
    expires every object the request's session loaded."""
    return [
        type(row)(**{name: getattr(row, name) for name in type(row).model_fields}) for row in rows
    ]


class FormInvalid(Invalid):
    """A form's input failed its schema: a message per field, and what was typed, to show again."""

    def __init__(
        self, errors: dict[str, list[str]], values: dict[str, Any], view: FormView | None
    ) -> None:
        super().__init__("Please correct the following:")
        self.errors = errors
        self.values = values
        self.view = view

    @property
    def messages(self) -> list[str]:
        """Every message, one per line, in the order of the fields."""
        return [message for messages in self.errors.values() for message in messages]


def parse(model: type[M], view: FormView | None = None, /, **data: Any) -> M:
    """Build the API's input schema from form fields; invalid input is a 422 whose messages
    stand beside their fields (in `view`'s fields block, for htmx) and in the form's error box."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FormInvalid(_field_errors(exc), data, view) from None


def refuse(view: FormView, name: str, message: str, /, **data: Any) -> NoReturn:
    """Refuse a form for a reason its schema cannot see, with `message` beside field `name`."""
    raise FormInvalid({name: [_(message)]}, data, view)


def form_moment(value: str) -> datetime | str:
    """A datetime-local form value, read as Norwegian time; text that is no time goes to the
    schema as it is, which refuses it beside its field."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TIMEZONE)


class Limits(NamedTuple):
    """How short and how long a schema lets a text field be (None: no bound)."""

    min: int | None
    max: int | None


def limits(model: type[BaseModel], name: str) -> Limits:
    """The length bounds the schema declares for a field, for the form's minlength/maxlength."""
    metadata = model.model_fields[name].metadata
    low = next((m.min_length for m in metadata if isinstance(m, MinLen)), None)
    high = next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)
    return Limits(low, high)


NUL = "\x00"


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


async def refuse_nul_bytes(connection: HTTPConnection) -> None:
    """Refuse text with a NUL character anywhere a caller sends it (query, form, JSON body).

    PostgreSQL cannot store one in text and SQLite would keep it; no person types one.
    A file's contents may hold them; its form's text fields may not.
    """
    found = _holds_nul(list(connection.query_params.multi_items()))
    if not found and isinstance(connection, Request):
        found = await _body_holds_nul(connection)
    if found:
        raise Invalid("Text may not contain NUL characters.")


async def _body_holds_nul(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # parsed once: the endpoint gets the same form
        return any(
            _holds_nul(key) or (isinstance(value, str) and _holds_nul(value))
            for key, value in form.multi_items()
        )
    if request.method in UNSAFE_METHODS and b"\\u0000" in await request.body():
        try:
            return _holds_nul(await request.json())
        except ValueError:
            return False  # not JSON: the endpoint's own parsing says so
    return False


RefuseNulBytes = Depends(refuse_nul_bytes)
