"""An organisation's verified e-mail domains: a proven address in one vouches for an employee."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import Organisation, OrganisationDomain
from app.models.base import id_of
from app.models.vocabulary import AuditAction
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Invalid, NotFound
from app.services.permissions import PUBLIC_SECTOR, OrganisationRelation


def email_domain(email: str) -> str:
    """The domain part of an e-mail address, lower case."""
    return email.rsplit("@", 1)[-1].strip().lower()


def normalise_domain(value: str) -> str:
    """A domain as stored: lower case, no @, at least one dot; otherwise 422."""
    domain = value.strip().lower().removeprefix("@")
    labels = domain.split(".")
    if (
        len(domain) > 253
        or len(labels) < 2
        or not all(
            label
            and len(label) <= 63
            and label.isascii()
            and all(ch.isalnum() or ch == "-" for ch in label)
            and not label.startswith("-")
            and not label.endswith("-")
            for label in labels
        )
    ):
        raise Invalid("Give a domain like kommune.no, without the @.")
    return domain


def domain_owner(session: Session, *, email: str) -> Organisation | None:
    """The active organisation that has the address's domain among its verified domains."""
    query = (
        select(Organisation)
        .join(OrganisationDomain, col(OrganisationDomain.organisation_id) == Organisation.id)
        .where(
            col(OrganisationDomain.domain) == email_domain(email),
            col(Organisation.deactivated_at).is_(None),
        )
    )
    return session.exec(query).first()


def domains(session: Session, *, organisation: Organisation) -> list[OrganisationDomain]:
    """The organisation's verified e-mail domains."""
    query = select(OrganisationDomain).where(
        col(OrganisationDomain.organisation_id) == organisation.id
    )
    return list(session.exec(query.order_by(col(OrganisationDomain.domain))).all())


def add_domain(session: Session, *, rel: OrganisationRelation, domain: str) -> OrganisationDomain:
    """An administrator vouches for an e-mail domain: its proven addresses become employees."""
    actor = permissions.ensure_org_admin(rel)
    if rel.organisation.kind not in PUBLIC_SECTOR:
        raise Invalid("Only municipalities and counties take employees by e-mail domain.")
    name = normalise_domain(domain)
    taken = session.exec(
        select(OrganisationDomain).where(col(OrganisationDomain.domain) == name)
    ).first()
    if taken is not None:
        raise Conflict("This domain already belongs to an organisation.")
    row = OrganisationDomain(
        organisation_id=id_of(rel.organisation), domain=name, added_by_id=actor.id
    )
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=row,
        change=Change(AuditAction.domain_added, before=None, after={"domain": name}),
    )
    return row


def remove_domain(session: Session, *, rel: OrganisationRelation, domain_id: int) -> None:
    """An administrator withdraws a domain (memberships it vouched for stay until revoked)."""
    actor = permissions.ensure_org_admin(rel)
    row = session.get(OrganisationDomain, domain_id)
    if row is None or row.organisation_id != rel.organisation.id:
        raise NotFound("No such domain.")
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=row,
        change=Change(AuditAction.domain_removed, before={"domain": row.domain}, after=None),
    )
    session.delete(row)
    session.flush()
