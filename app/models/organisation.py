"""Organisations: municipalities, counties, supplier companies, research institutions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from app.models.base import OrganisationKind, enum_field

ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def is_valid_org_number(value: str) -> bool:
    """True for a 9-digit Norwegian organisation number with a correct mod-11 check digit."""
    if len(value) != 9 or not (value.isascii() and value.isdigit()):
        return False
    total = sum(int(d) * w for d, w in zip(value[:8], ORG_NUMBER_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[8])


class OrganisationBase(SQLModel):
    """Fields shared by every organisation schema."""

    name: str = Field(min_length=2, max_length=200)
    kind: OrganisationKind = enum_field(OrganisationKind)
    org_number: str | None = Field(default=None, max_length=9, unique=True)


class OrganisationCreate(OrganisationBase):
    """Input for a new organisation; the organisation number is checked."""

    @field_validator("org_number", mode="before")  # before the 9-character limit: "942 110 464"
    @classmethod
    def _check_org_number(cls, value: object) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError("organisation number must be 9 digits with a valid check digit")
        value = value.replace(" ", "")
        if not is_valid_org_number(value):
            raise ValueError("organisation number must be 9 digits with a valid check digit")
        return value


class Organisation(OrganisationBase, table=True):
    """An organisation as stored."""

    id: int | None = Field(default=None, primary_key=True)
    # A platform administrator checked the number against the register (self-registered
    # companies start unverified).
    org_number_verified_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True)
    )
    # A deactivated organisation's memberships stop counting.
    deactivated_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Months the personal data of the organisation's closed projects is kept (None: no limit set);
    # past it, app.services.privacy.retention anonymises the contributions.
    retention_months: int | None = Field(default=None, ge=1, le=1200)
    # The municipality's målform (its språkvedtak): the interface language of its members and of
    # its projects' pages for visitors who named none, and its new projects' written language.
    default_language: str = Field(
        default="nb", max_length=2, sa_column_kwargs={"server_default": "nb"}
    )
    # Its accent colour on its own pages and its projects' (#rrggbb, checked for contrast; None:
    # the platform's).
    accent_colour: str | None = Field(default=None, max_length=7)
    # Its logo in the header of its projects: an uploaded PNG or JPEG, kept by its SHA-256 among
    # the uploads (app.services.uploads) and served from our own address with its type.
    logo_sha256: str | None = Field(default=None, max_length=64)
    logo_type: str | None = Field(default=None, max_length=20)


class OrganisationPublic(OrganisationBase):
    """An organisation as the API shows it."""

    id: int
