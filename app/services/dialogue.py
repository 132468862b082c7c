"""The market dialogue: supplier companies register for a project's dialogue.

Questions, proposals, meetings and events build on this: they ask `ensure_phase_allows` whether
the phase is open and `ProjectRelation.is_registered_supplier` whether the company takes part.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Organisation, SupplierRegistration, User
from app.models.base import OrganisationKind, id_of
from app.models.dialogue import SupplierRegistrationPublic
from app.models.organisation import is_valid_org_number
from app.models.vocabulary import LiveKind, Verb
from app.services import contribution, permissions, rows
from app.services.errors import Conflict, Forbidden
from app.services.permissions import ProjectRelation

ALREADY_REGISTERED = "Your company is already registered for this market dialogue."


def register_supplier(session: Session, *, rel: ProjectRelation) -> SupplierRegistration:
    """Register the supplier's own company for the project's market dialogue (once)."""
    user = permissions.ensure_can_register_supplier(rel)
    org = session.get(Organisation, user.organisation_id)
    if org is None or org.kind != OrganisationKind.supplier:
        raise Forbidden("Only supplier companies can register for the market dialogue.")
    if not org.org_number or not is_valid_org_number(org.org_number):
        raise Forbidden(
            "Your company needs a valid Norwegian organisation number to take part in the market "
            "dialogue. Ask an administrator to add it."
        )
    if rel.is_registered_supplier:
        raise Conflict(ALREADY_REGISTERED)
    registration = rows.add_unique(
        session,
        SupplierRegistration(
            project_id=id_of(rel.project), organisation_id=id_of(org), registered_by_id=id_of(user)
        ),
        conflict=ALREADY_REGISTERED,
    )
    contribution.record(
        session,
        rel=rel,
        verb=Verb.registered,
        on=registration,
        push=LiveKind.suppliers_changed,  # the procurers' list of registered suppliers
    )
    return registration


def list_suppliers(session: Session, *, rel: ProjectRelation) -> list[SupplierRegistrationPublic]:
    """The registered companies: all of them for procurers, only its own for a supplier."""
    user = permissions.ensure_can_list_suppliers(rel)
    query = (
        select(SupplierRegistration, Organisation, User.display_name)
        .join(Organisation, col(Organisation.id) == SupplierRegistration.organisation_id)
        .join(User, col(User.id) == SupplierRegistration.registered_by_id)
        .where(SupplierRegistration.project_id == rel.project.id)
        .order_by(col(SupplierRegistration.registered_at), col(SupplierRegistration.id))
    )
    if not rel.is_procurer:
        query = query.where(SupplierRegistration.organisation_id == user.organisation_id)
    return [
        SupplierRegistrationPublic.model_validate(
            registration,
            update={
                "organisation_name": org.name,
                "org_number": org.org_number,
                "registered_by": name,
            },
        )
        for registration, org, name in session.exec(query).all()
    ]


def to_public(session: Session, registration: SupplierRegistration) -> SupplierRegistrationPublic:
    """The API view of one registration."""
    org = session.get(Organisation, registration.organisation_id)
    user = session.get(User, registration.registered_by_id)
    assert org is not None and user is not None  # foreign keys
    return SupplierRegistrationPublic.model_validate(
        registration,
        update={
            "organisation_name": org.name,
            "org_number": org.org_number,
            "registered_by": user.display_name,
        },
    )


def count_suppliers(session: Session, *, project_id: int) -> int:
    """How many companies are registered for the project's market dialogue."""
    query = select(func.count(col(SupplierRegistration.id))).where(
        SupplierRegistration.project_id == project_id
    )
    return session.exec(query).one()
