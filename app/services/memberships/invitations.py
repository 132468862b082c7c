"""Invitations: an administrator invites an address into a role; the link takes it up once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app import i18n
from app.models import Invitation, Membership, Organisation, User
from app.models.base import Role, id_of, utcnow
from app.models.mail import LinkPurpose
from app.models.membership import MembershipRole, VouchedBy
from app.models.user import UserCreate
from app.models.vocabulary import AuditAction, label_of
from app.services import accounts, contribution, links, mail, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.memberships.lifecycle import activate, check_kind
from app.services.permissions import OrganisationRelation

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
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=invitation,
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
                role=label_of(role).lower(),
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
    check_kind(organisation, MembershipRole(invitation.role))
    inviter = session.get(User, invitation.invited_by_id)
    membership = Membership(
        user_id=id_of(user), organisation_id=id_of(organisation), role=invitation.role
    )
    session.add(membership)
    session.flush()
    invitation.accepted_at = utcnow()
    invitation.membership_id = membership.id
    session.add(invitation)
    return activate(
        session,
        membership=membership,
        vouched_by=VouchedBy.invitation,
        decided_by=inviter,
        actor=user,
        action=AuditAction.invitation_accepted,
    )
