"""Accounts: registration, password checks, API tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, func, select

from app import i18n
from app.config import get_settings
from app.models import Organisation, User
from app.models.base import OrganisationKind, Role, id_of, utcnow
from app.models.mail import LinkPurpose
from app.models.membership import MembershipRole, VouchedBy
from app.models.user import Registration, UserCreate
from app.services import links, mail
from app.services.errors import Conflict, Invalid, NotAuthenticated

_hasher = PasswordHasher()
SELF_SERVICE_ROLES = frozenset({Role.citizen, Role.employee})
PUBLIC_SECTOR = frozenset({OrganisationKind.municipality, OrganisationKind.county})
# Which organisation kinds each role may belong to (None: no organisation).
ROLE_ORG_KINDS: dict[Role, frozenset[OrganisationKind] | None] = {
    Role.citizen: None,
    Role.employee: PUBLIC_SECTOR,
    Role.procurer: PUBLIC_SECTOR,
    Role.supplier: frozenset({OrganisationKind.supplier}),
    Role.researcher: frozenset({OrganisationKind.research}),
    Role.admin: None,
}


def default_org_kind(role: Role) -> OrganisationKind:
    """The organisation kind a new organisation gets when created for a user of this role."""
    allowed = ROLE_ORG_KINDS.get(role)
    if not allowed:
        raise Invalid("This role does not belong to an organisation.")
    return (
        OrganisationKind.municipality
        if OrganisationKind.municipality in allowed
        else next(iter(allowed))
    )


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def create_user(
    session: Session,
    *,
    data: UserCreate,
    password_hash: str | None = None,
    email_verified: bool = False,
) -> User:
    """Create an account (operator and demo path) after checking the e-mail and organisation.

    A role inside an organisation becomes an active membership vouched for by the operator;
    the account's role and organisation follow from it. `password_hash`, if given, is
    `hash_password(data.password)` computed once for many accounts (the demo's shared password;
    Argon2 is slow on purpose). `email_verified` is for accounts an administrator vouches for
    (the command line, the demo).
    """
    from app.services import memberships

    email = data.email.strip().lower()
    display_name = data.display_name.strip()
    if not display_name:
        raise Invalid("Your name cannot be blank.")
    if email_taken(session, email=email):
        raise Conflict("An account with this e-mail address already exists.")
    allowed = ROLE_ORG_KINDS[data.role]
    org: Organisation | None = None
    if allowed is None:
        if data.organisation_id is not None and data.role != Role.admin:
            raise Invalid("This role does not belong to an organisation.")
    else:
        org = session.get(Organisation, data.organisation_id) if data.organisation_id else None
        if org is None or org.kind not in allowed:
            raise Invalid("Choose an organisation of the right kind for this role.")
    user = User(
        email=email,
        display_name=display_name,
        role=Role.admin if data.role == Role.admin else Role.citizen,
        organisation_id=data.organisation_id if data.role == Role.admin else None,
        password_hash=password_hash or hash_password(data.password),
        email_verified_at=utcnow() if email_verified else None,
    )
    session.add(user)
    session.flush()
    if org is not None:
        memberships.grant(
            session,
            user=user,
            organisation=org,
            role=MembershipRole(data.role),
            vouched_by=VouchedBy.cli_or_demo,
        )
    return user


def email_taken(session: Session, *, email: str) -> bool:
    """Whether an account has this address (any case)."""
    query = select(func.count()).where(func.lower(User.email) == email.strip().lower())
    return bool(session.exec(query).one())


def register(session: Session, *, data: Registration) -> User | None:
    """Self-service sign-up: always a citizen account; an employer makes a pending request.

    The request is granted when the address is proven in one of the employer's verified domains
    (see `memberships.activate_by_domain`), or by one of its administrators. An address that
    already has an account gets no second one and no different answer: its owner gets a mail
    instead (returns None).
    """
    from app.services import memberships

    if data.role not in SELF_SERVICE_ROLES:
        raise Invalid("You can register as a citizen or a public-sector employee.")
    employer: Organisation | None = None
    if data.role == Role.employee:
        employer = session.get(Organisation, data.organisation_id) if data.organisation_id else None
        if employer is None or employer.kind not in PUBLIC_SECTOR or employer.deactivated_at:
            raise Invalid("Choose an organisation of the right kind for this role.")
    elif data.organisation_id is not None:
        raise Invalid("This role does not belong to an organisation.")
    display_name = data.display_name.strip()
    if not display_name:
        raise Invalid("Your name cannot be blank.")
    password_hash = hash_password(data.password)  # spent alike whether the address is taken
    existing = session.exec(
        select(User).where(func.lower(User.email) == data.email.strip().lower())
    ).first()
    if existing is not None:
        _mail_existing_owner(session, user=existing)
        return None
    citizen = UserCreate(
        email=data.email, display_name=display_name, password=data.password, role=Role.citizen
    )
    user = create_user(session, data=citizen, password_hash=password_hash)
    if employer is not None:
        memberships.request_employment(session, user=user, organisation=employer)
    send_verification(session, user=user)
    return user


def _mail_existing_owner(session: Session, *, user: User) -> None:
    """Tell an address's owner that someone tried to register it (the page says nothing)."""
    with i18n.use_language(user.language):
        mail.enqueue(
            session,
            to=user.email,
            subject=i18n.gettext("Someone tried to register your e-mail address on Pivotal"),
            text=i18n.gettext(
                "Hello %(name)s,\n\nsomeone tried to create a new Pivotal account with this "
                "address, which already has one. If it was you, log in instead:\n\n%(link)s\n\n"
                "If you have forgotten your password, you can set a new one from the login page. "
                "If it was not you, you can ignore this message: nothing has changed.\n",
                name=user.display_name,
                link=link_url("/login"),
            ),
        )


VERIFY_EMAIL_TTL = timedelta(days=2)
# Run in the verifying transaction once a person has proven their address (e.g. a pending
# membership by the organisation's e-mail domain becomes active). Other services register here.
EMAIL_VERIFIED_HOOKS: list[Callable[[Session, User], None]] = []


def link_url(path: str) -> str:
    """An absolute address on this site, for a mail."""
    return get_settings().base_url.rstrip("/") + path


def send_verification(session: Session, *, user: User) -> None:
    """Mail the person a link that proves their address (any earlier link stops working)."""
    links.withdraw(session, purpose=LinkPurpose.verify_email, user_id=id_of(user))
    token = links.issue(
        session,
        purpose=LinkPurpose.verify_email,
        email=user.email,
        user_id=id_of(user),
        ttl=VERIFY_EMAIL_TTL,
    )
    with i18n.use_language(user.language):
        mail.enqueue(
            session,
            to=user.email,
            subject=i18n.gettext("Confirm your e-mail address for Pivotal"),
            text=i18n.gettext(
                "Hello %(name)s,\n\nconfirm that this is your e-mail address by opening this "
                "link within two days:\n\n%(link)s\n\nIf you did not create an account on "
                "Pivotal, you can ignore this message.\n",
                name=user.display_name,
                link=link_url(f"/verify-email/{token}"),
            ),
        )


def verify_email(session: Session, *, token: str) -> User:
    """Mark the address proven by a verification link, once; run the hooks that wait for it."""
    link = links.redeem(session, token=token, purpose=LinkPurpose.verify_email)
    user = session.get(User, link.user_id) if link.user_id is not None else None
    if user is None or user.email != link.email:
        raise Invalid("This link is for an address the account no longer has.")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.flush()
        for hook in EMAIL_VERIFIED_HOOKS:
            hook(session, user)
    return user


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The user with this e-mail and password, or 401 with one message for both mistakes."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        raise NotAuthenticated("Wrong e-mail or password.")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise NotAuthenticated("Wrong e-mail or password.") from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _token_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="pivotal-api-token")


def issue_token(user: User) -> str:
    """A signed, expiring bearer token for the API."""
    return _token_serializer().dumps({"uid": user.id})


def user_from_token(session: Session, token: str) -> User:
    """The user a bearer token names, or 401 if it is forged, expired or orphaned."""
    try:
        data = _token_serializer().loads(token, max_age=get_settings().api_token_max_age)
    except SignatureExpired:
        raise NotAuthenticated("The token has expired; ask for a new one.") from None
    except BadSignature:
        raise NotAuthenticated("The token is not valid.") from None
    user = session.get(User, data.get("uid"))
    if user is None:
        raise NotAuthenticated("The token is not valid.")
    return user
