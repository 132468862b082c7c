"""The export's declarations: each table a list of columns, and the codebook made from them.

A column declares its name, Table Schema type, description and constraints, and how its value
is read from a named field of the table's query row (`as_is`, `moment`, `flag`, `person`,
or any reader of the row and the export's scope). The CSV's header and cells and the
codebook in `datapackage.json` (every field's type, description and constraints; the verbs
with their English labels from the vocabulary) all come from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app import i18n
from app.models.base import OrganisationKind, Role
from app.models.vocabulary import Verb, label_of

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlmodel import Session

    from app.services.research.scope import ExportScope

# How a cell is read from a query row (fields by name) in the study's scope.
Reader = Callable[[Any, "ExportScope"], Any]

PSEUDONYM = {"pattern": "[0-9a-f]{64}"}
ROLES = {"enum": [r.value for r in Role]}
ORG_KINDS = {"enum": [k.value for k in OrganisationKind]}
REQUIRED = {"required": True}
KEY = {"required": True, "unique": True}


def iso(moment: datetime | None) -> str:
    """UTC to the second, e.g. 2025-01-06T08:00:00Z (`isoformat` is several times faster than
    `strftime`, which with its conversions was a sixth of an export)."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    # else: SQLite hands back naive UTC
    return moment.isoformat(timespec="seconds") + "Z"


def as_is(name: str) -> Reader:
    """The row's field as it is."""
    return lambda row, _scope: getattr(row, name)


def moment(name: str) -> Reader:
    """The row's timestamp in UTC to the second (`iso`)."""
    return lambda row, _scope: iso(getattr(row, name))


def flag(name: str) -> Reader:
    """The row's boolean as `true`, `false` or empty."""

    def read(row: Any, _scope: ExportScope) -> str:
        value = getattr(row, name)
        return "" if value is None else ("true" if value else "false")

    return read


def person(name: str, anonymous_need: str | None = None) -> Reader:
    """The pseudonym of the person in the row's field (empty for none); with `anonymous_need`,
    the need's own pseudonym on rows where that field names an anonymous need."""

    def read(row: Any, scope: ExportScope) -> str:
        need = getattr(row, anonymous_need) if anonymous_need else None
        if need is not None:
            return scope.anonymous_pseudonym(need)
        return scope.pseudonym(getattr(row, name))

    return read


@dataclass(frozen=True)
class Column:
    """One exported field: its name, Table Schema type, description, constraints, and how its
    value is read from the query row (by default the row's field of the same name)."""

    name: str
    type: str
    description: str
    constraints: dict[str, Any] = field(default_factory=dict)
    read: Reader | None = None
    # More of the field's codebook entry, made when the codebook is written.
    codebook: Callable[[], dict[str, Any]] | None = None

    def value(self, row: Any, scope: ExportScope) -> Any:
        """The cell of this column for a query row."""
        return (self.read or as_is(self.name))(row, scope)

    def schema(self) -> dict[str, Any]:
        """The field's entry in the codebook (Table Schema)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        out["description"] = self.description
        if self.constraints:
            out["constraints"] = self.constraints
        if self.codebook:
            out.update(self.codebook())
        return out


def timestamp(
    name: str, description: str, *, required: bool = False, read: Reader | None = None
) -> Column:
    """A UTC timestamp column, read from the row's field of the same name unless told."""
    constraints = REQUIRED if required else {}
    return Column(name, "datetime", description + " (UTC)", constraints, read or moment(name))


def verb_categories() -> dict[str, Any]:
    """Every verb of the participation log with its English label, as the codebook's
    categories of the verb field (Table Schema v2)."""
    with i18n.use_language("en"):
        return {"categories": [{"value": verb.value, "label": label_of(verb)} for verb in Verb]}


def project_fk(field_name: str = "project_id") -> dict[str, Any]:
    """A foreign key to the projects table."""
    return {"fields": [field_name], "reference": {"resource": "projects", "fields": ["project_id"]}}


@dataclass(frozen=True)
class Table:
    """One CSV resource of the package: its declaration, and the query its rows come from
    (a function of the session, the scope and whether free text is included)."""

    name: str
    title: str
    description: str
    columns: Sequence[Column]
    primary_key: list[str]
    query: Callable[[Session, ExportScope, bool], Select[Any]]
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)
    progress_every: int | None = None  # report progress every so many rows

    def resource(self) -> dict[str, Any]:
        """The table's resource in `datapackage.json`, with its codebook."""
        schema: dict[str, Any] = {
            "fields": [c.schema() for c in self.columns],
            "primaryKey": self.primary_key,
            "missingValues": [""],
        }
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return {
            "name": self.name,
            "type": "table",
            "path": f"{self.name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": self.title,
            "description": self.description,
            "schema": schema,
        }
