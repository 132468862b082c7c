"""The influence report's shapes, as the API returns them and the page shows them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.services.metrics.schemas import Figure


class RequirementRef(BaseModel):
    """A requirement the report names."""

    requirement_id: int
    title: str
    kind: str
    status: str


class NeedReach(BaseModel):
    """A need and the final requirements it reached."""

    need_id: int
    title: str
    status: str
    requirements: list[RequirementRef]


class NeedRef(BaseModel):
    """A need the report names."""

    need_id: int
    title: str


class ProposalRef(BaseModel):
    """A proposal behind a requirement (named to the project's procurers only)."""

    proposal_id: int
    title: str
    supplier: str


class SupplierRisk(BaseModel):
    """A requirement whose only sources are one supplier's proposals: an equal-treatment risk."""

    requirement: RequirementRef
    proposals: list[ProposalRef] | None = Field(
        None, description="Which proposals: for the project's procurers only, else null"
    )


class InfluenceReport(BaseModel):
    """Whose input reached the specification, and where the ledger has gaps."""

    project_id: int
    view: str = Field(
        description="`full` for the project's procurers (confidential links counted); "
        "`restricted` for everyone else (only what they may open)"
    )
    suppressed_cells: bool = Field(
        description="Whether groups of fewer than 5 people are suppressed (as on the dashboards)"
    )
    requirements: int = Field(description="Requirements the reader may see")
    final_requirements: int = Field(description="Of those, final")
    links: int = Field(description="Trace links the reader may see")
    inputs_by_group: Figure = Field(
        description="Inputs and the final requirements they reached, by the author's role and "
        "organisation kind"
    )
    needs_reached: list[NeedReach] = Field(
        description="Needs with a link other than rejected input to a final requirement"
    )
    verified_needs_unreached: list[NeedRef] = Field(
        description="Verified needs with no link other than rejected input to a final requirement"
    )
    requirements_without_verified_need: list[RequirementRef] = Field(
        description="Requirements with no link other than rejected input from a verified need"
    )
    single_supplier: list[SupplierRisk] = Field(
        description="Requirements whose only sources (rejected input aside) are proposals of "
        "one supplier"
    )
