"""The market dialogue: the suppliers registered for it (questions and events come next)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at_field


class SupplierRegistration(SQLModel, table=True):
    """A supplier company taking part in one project's market dialogue; once per company."""

    __tablename__ = "supplier_registration"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "organisation_id", name="uq_supplier_registration"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    registered_by_id: int = Field(foreign_key="user.id")
    registered_at: datetime = created_at_field()


class SupplierRegistrationPublic(SQLModel):
    """A registration as the project's procurers (or the company itself) see it."""

    id: int
    project_id: int
    organisation_id: int
    organisation_name: str
    org_number: str | None
    registered_by: str = Field(description="The name of the person who registered the company")
    registered_at: datetime
