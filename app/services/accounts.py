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

from app import i18n
from app.config import get_settings
from app.db import in_session
from app.models import Organisation, User
from app.models.base import OrganisationKind, Role, id_of, utcnow
from app.models.mail import LinkPurpose
from app.models.user import UserCreate
from app.services import links, login_throttle, mail
from app.services.errors import Conflict, Invalid, NotAuthenticated, TooManyAttempts

T = TypeVar("T")
# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): each hash in progress
# holds its memory, so the process hashes at most `password_hash_slots` at once, on threads of
# their own. Hashes made
# with other parameters (argon2-cffi's default of 64 MiB) are redone at the next login.
PRODUCTION_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_hasher = PRODUCTION_HASHER  # the tests swap in the cheapest parameters
HASH_WAIT_SECONDS = 20.0
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
    """Create an account after checking the e-mail is free and the organisation fits the role.

    `password_hash`, if given, is `hash_password(data.password)` computed once for many
    accounts (the demo's shared password; Argon2 is slow on purpose). `email_verified` is for
    accounts an administrator vouches for (the command line, the demo).
    """
    email = data.email.strip().lower()
    display_name = data.display_name.strip()
    if not display_name:
        raise Invalid("Your name cannot be blank.")
    taken = session.exec(select(func.count()).where(func.lower(User.email) == email)).one()
    if taken:
        raise Conflict("An account with this e-mail address already exists.")
    allowed = ROLE_ORG_KINDS[data.role]
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
        role=data.role,
        organisation_id=data.organisation_id,
        password_hash=password_hash or hash_password(data.password),
        email_verified_at=utcnow() if email_verified else None,
    )
    session.add(user)
    session.flush()
    return user


def register(session: Session, *, data: UserCreate) -> User:
    """Self-service sign-up: citizens, and employees of a municipality or county."""
    if data.role not in SELF_SERVICE_ROLES:
        raise Invalid("You can register as a citizen or a public-sector employee.")
    user = create_user(session, data=data)
    send_verification(session, user=user)
    return user


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
