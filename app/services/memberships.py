"""Memberships: who vouched that a person works for an organisation, and what follows from it.

`User.role` and `User.organisation_id` are derived here, and only here, from the person's active
memberships (in organisations that are not deactivated): the permission policy reads those two
fields. A person with several active memberships acts in one at a time (`act_as`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import i18n
from app.models import Invitation, Membership, Organisation, OrganisationDomain, User
from app.models.base import OrganisationKind, Role, id_of, utcnow
from app.models.mail import LinkPurpose
from app.models.membership import (
    MEMBERSHIP_ROLE_LABELS,
    MembershipRole,
    MembershipStatus,
    VouchedBy,
)
from app.models.organisation import OrganisationCreate
from app.models.user import UserCreate
from app.models.vocabulary import AuditAction, ObjectType
from app.services import accounts, contribution, links, mail, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.permissions import MEMBERSHIP_ORG_KINDS, PUBLIC_SECTOR, OrganisationRelation


def email_domain(email: str) -> str:
    """The domain part of an e-mail address, lower case."""
    return email.rsplit("@", 1)[-1].strip().lower()


def _check_kind(organisation: Organisation, role: MembershipRole) -> None:
    if organisation.kind not in MEMBERSHIP_ORG_KINDS[role]:
        raise Invalid("Choose an organisation of the right kind for this role.")
    if organisation.deactivated_at is not None:
        raise Invalid("This organisation is no longer active on the platform.")


def _summary(membership: Membership) -> dict[str, object]:
    """What an audit entry records of a membership."""
    return {
        "user_id": membership.user_id,
        "role": membership.role,
        "is_org_admin": membership.is_org_admin,
        "status": membership.status,
        "vouched_by": membership.vouched_by,
    }


def active_memberships(session: Session, *, user_id: int) -> list[Membership]:
    """The person's memberships that count: active, in organisations that are not deactivated."""
    query = (
        select(Membership)
        .join(Organisation, col(Organisation.id) == Membership.organisation_id)
        .where(
            col(Membership.user_id) == user_id,
            col(Membership.status) == MembershipStatus.active,
            col(Organisation.deactivated_at).is_(None),
        )
        .order_by(col(Membership.id))
    )
    return list(session.exec(query).all())


def sync_user(session: Session, *, user: User, prefer: Membership | None = None) -> User:
    """Set the user's role and organisation from an active membership (citizen if none).

    Keeps the one the user acts in if it still counts; else `prefer`, else the oldest.
    Platform administrators keep their role: it is not an organisation's to give or take.
    """
    if user.role == Role.admin:
        return user
    before = (user.role, user.organisation_id)
    active = active_memberships(session, user_id=id_of(user))
    current = next(
        (
            m
            for m in active
            if m.organisation_id == user.organisation_id and m.role == user.role.value
        ),
        None,
    )
    chosen = current or next((m for m in active if prefer and m.id == prefer.id), None)
    chosen = chosen or (active[0] if active else None)
    user.role = Role(chosen.role) if chosen else Role.citizen
    user.organisation_id = chosen.organisation_id if chosen else None
    session.add(user)
    session.flush()
    if (user.role, user.organisation_id) != before:
        contribution.access_changed(session, user_id=id_of(user))
    return user


def _activate(
    session: Session,
    *,
    membership: Membership,
    vouched_by: VouchedBy,
    decided_by: User | None,
    actor: User,
    action: AuditAction,
) -> Membership:
    before = _summary(membership) if membership.id else None
    membership.status = MembershipStatus.active
    membership.vouched_by = vouched_by
    membership.decided_at = utcnow()
    membership.decided_by_id = decided_by.id if decided_by else None
    session.add(membership)
    session.flush()
    organisation = session.get(Organisation, membership.organisation_id)
    assert organisation is not None
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=organisation,
        subject=ObjectType.membership,
        subject_id=id_of(membership),
        change=Change(action, before=before, after=_summary(membership)),
    )
    user = session.get(User, membership.user_id)
    assert user is not None
    sync_user(session, user=user, prefer=membership)
    return membership


def grant(
    session: Session,
    *,
    user: User,
    organisation: Organisation,
    role: MembershipRole,
    vouched_by: VouchedBy,
    actor: User | None = None,
    is_org_admin: bool = False,
) -> Membership:
    """An active membership at once (the operator, the demo, a platform administrator)."""
    _check_kind(organisation, role)
    membership = Membership(
        user_id=id_of(user),
        organisation_id=id_of(organisation),
        role=role,
        is_org_admin=is_org_admin,
    )
    session.add(membership)
    session.flush()
    return _activate(
        session,
        membership=membership,
        vouched_by=vouched_by,
        decided_by=actor,
        actor=actor or user,
        action=AuditAction.membership_granted,
    )


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


def request_employment(session: Session, *, user: User, organisation: Organisation) -> Membership:
    """A pending employee membership: it waits for a proven address in a domain, or approval."""
    _check_kind(organisation, MembershipRole.employee)
    membership = Membership(
        user_id=id_of(user),
        organisation_id=id_of(organisation),
        role=MembershipRole.employee,
    )
    session.add(membership)
    session.flush()
    contribution.record_for_organisation(
        session,
        actor=user,
        organisation=organisation,
        subject=ObjectType.membership,
        subject_id=id_of(membership),
        change=Change(AuditAction.membership_requested, before=None, after=_summary(membership)),
    )
    if user.email_verified_at is not None:
        activate_by_domain(session, user)
    return membership


def activate_by_domain(session: Session, user: User) -> None:
    """Activate the user's pending requests whose organisation vouches for the proven address.

    Run when the address is proven (a hook of e-mail verification), in that transaction.
    """
    if user.email_verified_at is None:
        return
    owner = domain_owner(session, email=user.email)
    if owner is None:
        return
    pending = session.exec(
        select(Membership).where(
            col(Membership.user_id) == user.id,
            col(Membership.organisation_id) == owner.id,
            col(Membership.status) == MembershipStatus.pending,
        )
    ).all()
    for membership in pending:
        _activate(
            session,
            membership=membership,
            vouched_by=VouchedBy.domain,
            decided_by=None,
            actor=user,
            action=AuditAction.membership_activated_by_domain,
        )


def _membership_in(rel: OrganisationRelation, session: Session, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != rel.organisation.id:
        raise NotFound("No such membership.")
    return membership


def _claim(
    session: Session, membership: Membership, expected: MembershipStatus, refusal: str
) -> None:
    """Hold the membership's row while it is still in the expected state, or refuse (409).

    A conditional UPDATE: of two administrators deciding the same request at once, the second
    waits for the first and then finds it decided.
    """
    claimed = session.execute(
        update(Membership)
        .where(col(Membership.id) == membership.id, col(Membership.status) == expected)
        .values(status=expected)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(refusal)
    session.refresh(membership)


def decide(
    session: Session, *, rel: OrganisationRelation, membership_id: int, approve: bool
) -> Membership:
    """An administrator approves or declines a pending request."""
    actor = permissions.ensure_org_admin(rel)
    membership = _membership_in(rel, session, membership_id)
    _claim(session, membership, MembershipStatus.pending, "This request has already been decided.")
    if approve:
        return _activate(
            session,
            membership=membership,
            vouched_by=VouchedBy.approval,
            decided_by=actor,
            actor=actor,
            action=AuditAction.membership_approved,
        )
    return _end(
        session, rel=rel, actor=actor, membership=membership, action=AuditAction.membership_declined
    )


def revoke(session: Session, *, rel: OrganisationRelation, membership_id: int) -> Membership:
    """An administrator ends an active membership; the person keeps a citizen account."""
    actor = permissions.ensure_org_admin(rel)
    membership = _membership_in(rel, session, membership_id)
    _claim(session, membership, MembershipStatus.active, "This membership is not active.")
    if membership.is_org_admin and not rel.is_platform_admin:
        admins = [
            m
            for m in members(session, rel=rel)
            if m.membership.is_org_admin and m.membership.status == MembershipStatus.active
        ]
        if len(admins) <= 1:
            raise Conflict(
                "The organisation would have no administrator left; make someone else one first."
            )
    return _end(
        session, rel=rel, actor=actor, membership=membership, action=AuditAction.membership_revoked
    )


def _end(
    session: Session,
    *,
    rel: OrganisationRelation,
    actor: User,
    membership: Membership,
    action: AuditAction,
) -> Membership:
    before = _summary(membership)
    membership.status = MembershipStatus.revoked
    membership.decided_at = utcnow()
    membership.decided_by_id = actor.id
    session.add(membership)
    session.flush()
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        subject=ObjectType.membership,
        subject_id=id_of(membership),
        change=Change(action, before=before, after=_summary(membership)),
    )
    user = session.get(User, membership.user_id)
    assert user is not None
    sync_user(session, user=user)
    return membership


def act_as(session: Session, *, user: User, membership_id: int) -> User:
    """Choose which of one's active memberships one acts in (sets role and organisation)."""
    chosen = next(
        (m for m in active_memberships(session, user_id=id_of(user)) if m.id == membership_id),
        None,
    )
    if chosen is None:
        raise NotFound("No such membership.")
    if user.role == Role.admin:
        raise Invalid("Platform administrators act as administrators.")
    user.role = Role(chosen.role)
    user.organisation_id = chosen.organisation_id
    session.add(user)
    session.flush()
    contribution.access_changed(session, user_id=id_of(user))
    return user


@dataclass(frozen=True)
class Member:
    """A membership with its person's name and address, as the people page lists it."""

    membership: Membership
    display_name: str
    email: str


def members(session: Session, *, rel: OrganisationRelation) -> list[Member]:
    """The organisation's memberships (all states), newest requests first."""
    permissions.ensure_can_view_people(rel)
    query = (
        select(Membership, User.display_name, User.email)
        .join(User, col(User.id) == Membership.user_id)
        .where(col(Membership.organisation_id) == rel.organisation.id)
        .order_by(col(Membership.status), User.display_name, col(Membership.id))
    )
    return [Member(m, name, email) for m, name, email in session.exec(query).all()]


def my_memberships(session: Session, *, user: User) -> list[tuple[Membership, Organisation]]:
    """The person's own memberships with their organisations (for the profile)."""
    query = (
        select(Membership, Organisation)
        .join(Organisation, col(Organisation.id) == Membership.organisation_id)
        .where(col(Membership.user_id) == user.id)
        .order_by(col(Membership.id))
    )
    return [(m, o) for m, o in session.exec(query).all()]


# ---- domains -------------------------------------------------------------------------------------


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
    session.add(row)
    session.flush()
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        subject=ObjectType.domain,
        subject_id=id_of(row),
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
        subject=ObjectType.domain,
        subject_id=id_of(row),
        change=Change(AuditAction.domain_removed, before={"domain": row.domain}, after=None),
    )
    session.delete(row)
    session.flush()


# ---- invitations ---------------------------------------------------------------------------------


INVITATION_TTL = timedelta(days=7)


def invite(
    session: Session, *, rel: OrganisationRelation, email: str, role: MembershipRole
) -> Invitation:
    """Invite an address into a role: a record, an audit entry and a mailed single-use link."""
    actor = permissions.ensure_can_invite(rel, role)
    address = email.strip().lower()
    if "@" not in address or len(address) > 254 or " " in address:
        raise Invalid("Give the e-mail address of the person you invite.")
    invitation = Invitation(
        organisation_id=id_of(rel.organisation),
        email=address,
        role=role,
        invited_by_id=id_of(actor),
    )
    session.add(invitation)
    session.flush()
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        subject=ObjectType.invitation,
        subject_id=id_of(invitation),
        change=Change(
            AuditAction.invitation_sent, before=None, after={"email": address, "role": role}
        ),
    )
    token = links.issue(
        session,
        purpose=LinkPurpose.invitation,
        email=address,
        ttl=INVITATION_TTL,
        payload=str(invitation.id),
    )
    with i18n.use_language("nb"):
        mail.enqueue(
            session,
            to=address,
            subject=i18n.gettext("Invitation to %(org)s on Pivotal", org=rel.organisation.name),
            text=i18n.gettext(
                "Hello,\n\n%(inviter)s invites you to take part on Pivotal as %(role)s of "
                "%(org)s. Open this link within seven days to accept; it works once:\n\n"
                "%(link)s\n\nIf you do not expect this invitation, you can ignore it.\n",
                inviter=actor.display_name,
                role=i18n.gettext(MEMBERSHIP_ROLE_LABELS[role]).lower(),
                org=rel.organisation.name,
                link=accounts.link_url(f"/invitations/{token}"),
            ),
        )
    return invitation


@dataclass(frozen=True)
class InvitationView:
    """An invitation as its link's page shows it."""

    invitation: Invitation
    organisation: Organisation
    account_exists: bool


def open_invitation(session: Session, *, token: str) -> InvitationView:
    """The invitation a link holds, if the link can still be used (changes nothing)."""
    link = links.peek(session, token=token, purpose=LinkPurpose.invitation)
    return _view(session, link.payload)


def _view(session: Session, payload: str) -> InvitationView:
    invitation = session.get(Invitation, int(payload)) if payload.isdigit() else None
    organisation = (
        session.get(Organisation, invitation.organisation_id) if invitation is not None else None
    )
    if invitation is None or organisation is None:
        raise NotFound("No such invitation.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used.")
    return InvitationView(
        invitation, organisation, accounts.email_taken(session, email=invitation.email)
    )


def accept(session: Session, *, token: str, user: User | None) -> Membership:
    """The invited person, logged in with the invited address, takes up the membership."""
    user = permissions.require_user(user)
    view = open_invitation(session, token=token)
    if user.email.lower() != view.invitation.email:
        raise Forbidden("This invitation is for another e-mail address. Log in with that one.")
    links.redeem(session, token=token, purpose=LinkPurpose.invitation)
    if user.email_verified_at is None:  # the link reached the address: it is proven
        user.email_verified_at = utcnow()
    return _accept(session, invitation=view.invitation, user=user)


def accept_with_new_account(session: Session, *, token: str, data: UserCreate) -> User:
    """Create the invited person's account (its address proven by the link) and accept.

    The account is a citizen's plus the invited membership, whatever `data.role` says.
    """
    view = open_invitation(session, token=token)
    if view.account_exists:
        raise Conflict("An account with this address exists already: log in to accept.")
    links.redeem(session, token=token, purpose=LinkPurpose.invitation)
    citizen = data.model_copy(
        update={"email": view.invitation.email, "role": Role.citizen, "organisation_id": None}
    )
    user = accounts.create_user(session, data=citizen, email_verified=True)
    _accept(session, invitation=view.invitation, user=user)
    return user


def _accept(session: Session, *, invitation: Invitation, user: User) -> Membership:
    organisation = session.get(Organisation, invitation.organisation_id)
    assert organisation is not None
    _check_kind(organisation, MembershipRole(invitation.role))
    inviter = session.get(User, invitation.invited_by_id)
    membership = Membership(
        user_id=id_of(user), organisation_id=id_of(organisation), role=invitation.role
    )
    session.add(membership)
    session.flush()
    invitation.accepted_at = utcnow()
    invitation.membership_id = membership.id
    session.add(invitation)
    return _activate(
        session,
        membership=membership,
        vouched_by=VouchedBy.invitation,
        decided_by=inviter,
        actor=user,
        action=AuditAction.invitation_accepted,
    )


# ---- organisations: companies that register themselves, and platform administration -----------


def register_company(session: Session, *, user: User, data: OrganisationCreate) -> Organisation:
    """A supplier registers its company and becomes its first administrator (number unverified)."""
    if data.org_number is None:
        raise Invalid("Give the company's organisation number (9 digits).")
    taken = session.exec(
        select(Organisation).where(col(Organisation.org_number) == data.org_number)
    ).first()
    if taken is not None:
        raise Conflict(
            "A company with this organisation number is already registered; ask its "
            "administrator to invite you."
        )
    organisation = Organisation(
        name=data.name.strip(), kind=OrganisationKind.supplier, org_number=data.org_number
    )
    session.add(organisation)
    session.flush()
    contribution.record_for_organisation(
        session,
        actor=user,
        organisation=organisation,
        subject=ObjectType.organisation,
        subject_id=id_of(organisation),
        change=Change(
            AuditAction.company_registered,
            before=None,
            after={"name": organisation.name, "org_number": organisation.org_number},
        ),
    )
    grant(
        session,
        user=user,
        organisation=organisation,
        role=MembershipRole.supplier,
        vouched_by=VouchedBy.company_registration,
        is_org_admin=True,
    )
    return organisation


def list_organisations(session: Session, *, user: User | None) -> list[Organisation]:
    """Every organisation, for platform administrators."""
    permissions.ensure_platform_admin(user)
    return list(session.exec(select(Organisation).order_by(Organisation.name)).all())


def create_organisation(
    session: Session, *, user: User | None, data: OrganisationCreate
) -> Organisation:
    """A platform administrator adds an organisation (its number counts as verified)."""
    actor = permissions.ensure_platform_admin(user)
    if data.org_number is not None:
        taken = session.exec(
            select(Organisation).where(col(Organisation.org_number) == data.org_number)
        ).first()
        if taken is not None:
            raise Conflict("An organisation with this number already exists.")
    organisation = Organisation.model_validate(data)
    organisation.name = organisation.name.strip()
    if organisation.org_number:
        organisation.org_number_verified_at = utcnow()
    session.add(organisation)
    session.flush()
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=organisation,
        subject=ObjectType.organisation,
        subject_id=id_of(organisation),
        change=Change(
            AuditAction.organisation_created,
            before=None,
            after={"name": organisation.name, "kind": organisation.kind},
        ),
    )
    return organisation


def _platform_change(
    session: Session,
    *,
    rel: OrganisationRelation,
    action: AuditAction,
    field: str,
    value: datetime,
) -> Organisation:
    actor = permissions.ensure_platform_admin(rel.user)
    organisation = rel.organisation
    if getattr(organisation, field) is not None:
        raise Conflict("This has already been done.")
    setattr(organisation, field, value)
    session.add(organisation)
    session.flush()
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=organisation,
        subject=ObjectType.organisation,
        subject_id=id_of(organisation),
        change=Change(
            action,
            before={field.removesuffix("_at"): False},
            after={field.removesuffix("_at"): True},
        ),
    )
    return organisation


def verify_org_number(session: Session, *, rel: OrganisationRelation) -> Organisation:
    """A platform administrator confirms the organisation number against the register."""
    if not rel.organisation.org_number:
        raise Invalid("This organisation has no organisation number.")
    return _platform_change(
        session,
        rel=rel,
        action=AuditAction.org_number_verified,
        field="org_number_verified_at",
        value=utcnow(),
    )


def deactivate(session: Session, *, rel: OrganisationRelation) -> Organisation:
    """A platform administrator deactivates an organisation: its memberships stop counting."""
    organisation = _platform_change(
        session,
        rel=rel,
        action=AuditAction.organisation_deactivated,
        field="deactivated_at",
        value=utcnow(),
    )
    users = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(col(Membership.organisation_id) == organisation.id)
        .distinct()
    ).all()
    for user in users:
        sync_user(session, user=user)
    return organisation


def grant_admin(session: Session, *, rel: OrganisationRelation, email: str) -> Membership:
    """A platform administrator makes an existing account an administrator of the organisation.

    An active membership of the person becomes an administrator's; without one, the person gets
    one in the organisation's usual role (procurer in the public sector).
    """
    actor = permissions.ensure_platform_admin(rel.user)
    organisation = rel.organisation
    if organisation.deactivated_at is not None:
        raise Invalid("This organisation is no longer active on the platform.")
    person = session.exec(select(User).where(col(User.email) == email.strip().lower())).first()
    if person is None:
        raise NotFound("No account has this e-mail address; invite the person first.")
    existing = session.exec(
        select(Membership).where(
            col(Membership.user_id) == person.id,
            col(Membership.organisation_id) == organisation.id,
            col(Membership.status) == MembershipStatus.active,
        )
    ).first()
    if existing is not None:
        before = _summary(existing)
        existing.is_org_admin = True
        session.add(existing)
        session.flush()
        contribution.record_for_organisation(
            session,
            actor=actor,
            organisation=organisation,
            subject=ObjectType.membership,
            subject_id=id_of(existing),
            change=Change(AuditAction.org_admin_granted, before=before, after=_summary(existing)),
        )
        return existing
    role = next(r for r, kinds in MEMBERSHIP_ORG_KINDS.items() if organisation.kind in kinds)
    if organisation.kind in PUBLIC_SECTOR:
        role = MembershipRole.procurer
    return grant(
        session,
        user=person,
        organisation=organisation,
        role=role,
        vouched_by=VouchedBy.platform_admin,
        actor=actor,
        is_org_admin=True,
    )


# A proven address in an organisation's domain activates the person's pending request there.
if activate_by_domain not in accounts.EMAIL_VERIFIED_HOOKS:
    accounts.EMAIL_VERIFIED_HOOKS.append(activate_by_domain)
