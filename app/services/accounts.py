"""Accounts: registration, password checks (bounded and throttled)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from app.config import get_settings
from app.db import in_session
from app.i18n import LANGUAGES, N_
from app.models import Organisation, User
from app.models.base import OrganisationKind, Role, id_of, utcnow
from app.models.mail import LinkPurpose
from app.models.membership import MembershipRole, VouchedBy
from app.models.user import Registration, UserCreate
from app.services import links, login_throttle, mail
from app.services.errors import Conflict, Invalid, NotAuthenticated, TooManyAttempts
from app.services.permissions import MEMBERSHIP_ORG_KINDS, PUBLIC_SECTOR

T = TypeVar("T")
# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): each hash in progress
# holds its memory, so the process hashes at most `password_hash_slots` at once, on threads of
# their own. Hashes made
# with other parameters (argon2-cffi's default of 64 MiB) are redone at the next login.
PRODUCTION_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_hasher = PRODUCTION_HASHER  # the tests swap in the cheapest parameters
HASH_WAIT_SECONDS = 20.0
SELF_SERVICE_ROLES = frozenset({Role.citizen, Role.employee})
# Which organisation kinds each role may belong to (None: no organisation); the memberships'
# table in the permission policy is the one source.
ROLE_ORG_KINDS: dict[Role, frozenset[OrganisationKind] | None] = {
    Role.citizen: None,
    **{Role(role.value): kinds for role, kinds in MEMBERSHIP_ORG_KINDS.items()},
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


@functools.cache
def _hashing_threads() -> ThreadPoolExecutor:
    """The threads that run Argon2: only they allocate its memory.

    Bounding how many hash at once is not enough: glibc gives each thread that allocates an
    arena of its own and keeps freed blocks there, so 19 MiB hashed once in each of 100 request
    threads stays resident in each of up to 16 arenas (480 MB measured). A few long-lived
    threads reuse the same few arenas.
    """
    return ThreadPoolExecutor(get_settings().password_hash_slots, thread_name_prefix="argon2")


def _in_hash_slot(work: Callable[[], T]) -> T:
    """Run an Argon2 computation on a hashing thread once one is free; the caller waits."""
    future = _hashing_threads().submit(work)
    try:
        return future.result(timeout=HASH_WAIT_SECONDS)
    except FutureTimeout:
        future.cancel()  # still queued: it never runs
        raise TooManyAttempts(
            "Many people are logging in right now. Try again in a few seconds.", retry_after=5
        ) from None


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _in_hash_slot(lambda: _hasher.hash(password))


@functools.cache
def _stand_in_hash() -> str:
    """A hash no password matches, checked for unknown e-mails so they cost the same time."""
    return _hasher.hash("an account that does not exist")


def _password_matches(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return _in_hash_slot(verify)


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
    mail.to_person(
        session,
        user,
        subject=N_("Someone tried to register your e-mail address on Pivotal"),
        text=N_(
            "Hello %(name)s,\n\nsomeone tried to create a new Pivotal account with this "
            "address, which already has one. If it was you, log in instead:\n\n%(link)s\n\n"
            "If you have forgotten your password, you can set a new one from the login page. "
            "If it was not you, you can ignore this message: nothing has changed.\n",
        ),
        link=link_url("/login"),
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
    mail_link(
        session,
        user,
        purpose=LinkPurpose.verify_email,
        ttl=VERIFY_EMAIL_TTL,
        path="/verify-email/",
        subject=N_("Confirm your e-mail address for Pivotal"),
        text=N_(
            "Hello %(name)s,\n\nconfirm that this is your e-mail address by opening this "
            "link within two days:\n\n%(link)s\n\nIf you did not create an account on "
            "Pivotal, you can ignore this message.\n",
        ),
    )


def mail_link(
    session: Session,
    user: User,
    *,
    purpose: LinkPurpose,
    ttl: timedelta,
    path: str,
    subject: str,
    text: str,
    to: str | None = None,
    **params: str,
) -> None:
    """Mail the person a new single-use link to `path` (earlier ones of its purpose stop working).

    The link goes to `to` (else the person's address), as `%(link)s` in the text.
    """
    token = links.reissue(
        session, purpose=purpose, user_id=id_of(user), email=to or user.email, ttl=ttl
    )
    link = link_url(path + token)
    mail.to_person(session, user, to=to, subject=subject, text=text, link=link, **params)


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


def authenticate(
    session: Session, *, email: str, password: str, address: str | None = None
) -> User:
    """The user with this e-mail and password, or 401 with one message for both mistakes.

    Refused with 429 while the account or the client `address` is throttled (see
    login_throttle), even with the right password. An unknown e-mail costs the same hash and
    counts the same misses as a known one.
    """
    email = email.strip().lower()
    keys = login_throttle.keys_for(email=email, address=address)

    def look_up(lookup: Session) -> tuple[int | None, str]:
        # A short session of its own: no connection is held while waiting for a hash slot.
        login_throttle.check(lookup, keys=keys)
        found = lookup.exec(select(User.id, User.password_hash).where(User.email == email)).first()
        return (found[0], found[1]) if found else (None, _stand_in_hash())

    user_id, password_hash = in_session(look_up)
    matches = _password_matches(password_hash, password)
    user = session.get(User, user_id) if matches and user_id is not None else None
    if user is None:
        login_throttle.record_failure(keys=keys)
        raise NotAuthenticated("Wrong e-mail or password.")
    login_throttle.clear(session, key=login_throttle.account_key(email))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def check_password(user: User, password: str) -> bool:
    """Whether the password is the user's (for changes that ask for it again)."""
    return _password_matches(user.password_hash, password)


def choose_language(session: Session, *, user: User, lang: str) -> User:
    """Keep the person's chosen interface language on their account: their other devices and
    the mail they get follow it."""
    if lang not in LANGUAGES:
        raise Invalid("Choose bokmål, nynorsk or English.")
    user.language = lang
    session.add(user)
    session.flush()
    return user
