"""The accounts behind provider identities: recognise, create, link, unlink, and vouch.

A returning identity is known by the provider's `sub`, or across providers by a keyed hash of
the national identity number (never the number). A new identity becomes a citizen account. A
provider configured to prove employment gives the person a verified membership of the
municipality it names, without waiting for an administrator.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from app import i18n
from app.config import get_settings
from app.i18n import N_
from app.models import LinkedIdentity, Membership, Organisation, User
from app.models.base import Role, id_of, utcnow
from app.models.membership import MembershipRole, MembershipStatus, VouchedBy
from app.models.vocabulary import AuditAction
from app.oidc_settings import OidcProviderSettings
from app.services import accounts, memberships
from app.services.errors import Conflict, Invalid, NotFound
from app.services.memberships.domains import domain_owner
from app.services.memberships.lifecycle import activate
from app.services.oidc.flow import Verified
from app.services.permissions import PUBLIC_SECTOR

NO_MAILBOX_DOMAIN = "id.invalid"  # accounts without an e-mail address (RFC 6761: never mailed)
UNNAMED = N_("New participant")  # the name of a new account whose provider gave none


def is_unnamed(name: str) -> bool:
    """Whether the name is the stand-in a new account gets (in any language) until chosen."""
    return any(_in(lang, UNNAMED) == name for lang in i18n.LANGUAGES)


def _in(lang: str, message: str) -> str:
    with i18n.use_language(lang):
        return i18n.gettext(message)


def pid_hash(pid: str) -> str:
    """The keyed hash (HMAC-SHA256) that recognises a national identity number without it."""
    settings = get_settings()
    key = settings.oidc_pid_key.encode() or hmac.digest(
        settings.secret_key.encode(), b"pivotal national identity number", "sha256"
    )
    return hmac.new(key, pid.strip().encode(), hashlib.sha256).hexdigest()


def _pid_of(verified: Verified) -> str | None:
    pid = verified.claims.get(verified.provider.pid_claim) if verified.provider.pid_claim else None
    return pid_hash(pid) if isinstance(pid, str) and pid.strip() else None


def _trusted_email(verified: Verified) -> str | None:
    """The e-mail claim when the provider vouches for it (email_verified, or set to)."""
    claims, provider = verified.claims, verified.provider
    email = claims.get("email")
    vouched = provider.trusts_email or provider.email_proves_domain
    if not isinstance(email, str) or not (claims.get("email_verified") is True or vouched):
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _name_of(claims: dict[str, Any]) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = (claims.get("given_name"), claims.get("family_name"))
        name = " ".join(part for part in parts if isinstance(part, str))
    return name.strip()[:120]


def identity_of(session: Session, verified: Verified) -> LinkedIdentity | None:
    """The linked identity this login is, by the provider's subject or the identity number."""
    subject = str(verified.claims["sub"])
    found = session.exec(
        select(LinkedIdentity).where(
            col(LinkedIdentity.provider) == verified.provider.name,
            col(LinkedIdentity.subject) == subject,
        )
    ).first()
    if found is not None:
        return found
    hashed = _pid_of(verified)
    if hashed is None:
        return None
    same_person = session.exec(
        select(LinkedIdentity).where(col(LinkedIdentity.pid_hash) == hashed)
    ).first()
    if same_person is None:
        return None
    return _link(session, user_id=same_person.user_id, verified=verified)


def _link(session: Session, *, user_id: int, verified: Verified) -> LinkedIdentity:
    identity = LinkedIdentity(
        user_id=user_id,
        provider=verified.provider.name,
        subject=str(verified.claims["sub"]),
        pid_hash=_pid_of(verified),
    )
    session.add(identity)
    session.flush()
    return identity


def log_in(session: Session, *, verified: Verified) -> tuple[User, bool]:
    """The account this identity logs in to, made now for a new one; and whether it is new."""
    identity = identity_of(session, verified)
    is_new = identity is None
    if identity is None:
        created = _new_account(session, verified=verified)
        identity = _link(session, user_id=id_of(created), verified=verified)
    user = session.get(User, identity.user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("This account has been deleted.")
    identity.last_login_at = utcnow()
    session.add(identity)
    vouch_employment(session, user=user, verified=verified)
    return user, is_new


def _new_account(session: Session, *, verified: Verified) -> User:
    """A citizen account for an identity seen for the first time."""
    email = _trusted_email(verified)
    if email is not None and accounts.email_taken(session, email=email):
        raise Conflict(
            "An account with the e-mail address %(email)s exists already. Log in with it, "
            "then link %(provider)s to it on your account page.",
            email=email,
            provider=verified.provider.label,
        )
    user = User(
        email=email or f"{verified.provider.name}-{secrets.token_hex(8)}@{NO_MAILBOX_DOMAIN}",
        display_name=_name_of(verified.claims) or i18n.gettext(UNNAMED),
        role=Role.citizen,
        password_hash="",  # no password: only the provider logs in (a reset can add one)
        email_verified_at=utcnow() if email else None,
    )
    session.add(user)
    session.flush()
    return user


def link(session: Session, *, user: User, verified: Verified) -> LinkedIdentity:
    """Link the identity to the logged-in person's account (409 if another account has it)."""
    identity = identity_of(session, verified)
    if identity is None:
        identity = _link(session, user_id=id_of(user), verified=verified)
    elif identity.user_id != user.id:
        raise Conflict(
            "This %(provider)s identity is linked to another account. Log in with it and "
            "unlink it there first.",
            provider=verified.provider.label,
        )
    identity.last_login_at = utcnow()
    session.add(identity)
    vouch_employment(session, user=user, verified=verified)
    return identity


def identities(session: Session, *, user: User) -> list[LinkedIdentity]:
    """The person's linked identities, oldest first."""
    query = select(LinkedIdentity).where(col(LinkedIdentity.user_id) == user.id)
    return list(session.exec(query.order_by(col(LinkedIdentity.id))).all())


def unlink(session: Session, *, user: User, identity_id: int) -> None:
    """Remove one of one's identities; refused if it is the only way left to log in."""
    identity = session.get(LinkedIdentity, identity_id)
    if identity is None or identity.user_id != user.id:
        raise NotFound("No such linked login.")
    if not user.password_hash and len(identities(session, user=user)) == 1:
        raise Conflict("This is your only way to log in. Link another login first.")
    session.delete(identity)
    session.flush()


def employer_of(session: Session, verified: Verified) -> Organisation | None:
    """The municipality this login proves employment in, if the provider proves one."""
    provider: OidcProviderSettings = verified.provider
    if provider.proves != "employee":
        return None
    claims = verified.claims
    number: str | None = None
    if provider.organisation_claim:
        value = claims.get(provider.organisation_claim)
        number = str(value).replace(" ", "") if isinstance(value, str | int) else None
    elif provider.tenants:
        number = provider.tenants.get(str(claims.get("tid") or ""))
    if number:
        organisation = session.exec(
            select(Organisation).where(col(Organisation.org_number) == number)
        ).first()
    elif provider.email_proves_domain and (email := _trusted_email(verified)):
        organisation = domain_owner(session, email=email)
    else:
        return None
    if (
        organisation is None
        or organisation.deactivated_at is not None
        or organisation.kind not in PUBLIC_SECTOR
    ):
        return None
    return organisation


def vouch_employment(session: Session, *, user: User, verified: Verified) -> None:
    """Give the person the employee membership the login proves, unless they have one there
    or the organisation ended theirs."""
    organisation = employer_of(session, verified)
    if organisation is None:
        return
    existing = session.exec(
        select(Membership).where(
            col(Membership.user_id) == user.id,
            col(Membership.organisation_id) == organisation.id,
        )
    ).all()
    pending = [row for row in existing if row.status == MembershipStatus.pending]
    # Active already, or ended by the organisation: an ended membership stays ended (the
    # organisation decided; a login does not overrule it).
    if any(row.status != MembershipStatus.pending for row in existing):
        return
    if pending:
        activate(
            session,
            membership=pending[0],
            vouched_by=VouchedBy.identity_provider,
            decided_by=None,
            actor=user,
            action=AuditAction.membership_granted,
        )
        return
    memberships.grant(
        session,
        user=user,
        organisation=organisation,
        role=MembershipRole.employee,
        vouched_by=VouchedBy.identity_provider,
    )


def rename(session: Session, *, user: User, display_name: str) -> User:
    """The name others see on one's contributions (a provider may have given none)."""
    name = display_name.strip()
    if not name:
        raise Invalid("Your name cannot be blank.")
    user.display_name = name[:120]
    session.add(user)
    session.flush()
    return user
