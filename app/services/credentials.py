"""Changing what logs a person in: a password reset by mail, and changes of password and e-mail.

Every change ends the sessions it must (a reset all of them, and the API tokens too, since it is
how a person takes an account back; a change made while logged in every other session) and tells
the person by mail, so a change they did not make does not go unnoticed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, func, select

from app.i18n import N_
from app.models import LinkToken, User
from app.models.account import NewPassword
from app.models.base import id_of, utcnow
from app.models.mail import LinkPurpose
from app.services import accounts, api_tokens, links, login_throttle, mail, sessions
from app.services.errors import Conflict, Invalid

RESET_TTL = timedelta(hours=1)
CHANGE_EMAIL_TTL = timedelta(days=1)
# At most one reset mail per account this often: the form cannot be used to flood an inbox.
RESET_MAIL_EVERY = timedelta(minutes=1)


def _find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def request_reset(session: Session, *, email: str) -> None:
    """Mail a reset link if an account has this address; say nothing either way.

    The caller answers the same whether or not a mail was sent, so the form tells no one which
    addresses have accounts.
    """
    user = _find_by_email(session, email)
    if user is None:
        return
    recent = session.exec(
        select(func.count()).where(
            col(LinkToken.user_id) == id_of(user),
            col(LinkToken.purpose) == LinkPurpose.reset_password,
            col(LinkToken.created_at) > utcnow() - RESET_MAIL_EVERY,
        )
    ).one()
    if recent:
        return
    accounts.mail_link(
        session,
        user,
        purpose=LinkPurpose.reset_password,
        ttl=RESET_TTL,
        path="/reset-password/",
        subject=N_("Reset your Pivotal password"),
        text=N_(
            "Hello %(name)s,\n\nsomeone (hopefully you) asked to reset the password of your "
            "Pivotal account. Open this link within an hour to choose a new one:\n\n%(link)s\n\n"
            "The link works once. If you did not ask for this, ignore this message: your password "
            "stays as it is.\n"
        ),
    )


def reset_user(session: Session, *, token: str) -> User:
    """The account a reset link is for, if the link can still be used (for the form)."""
    link = links.peek(session, token=token, purpose=LinkPurpose.reset_password)
    return _link_user(session, link)


def _link_user(session: Session, link: LinkToken) -> User:
    user = session.get(User, link.user_id) if link.user_id is not None else None
    if user is None or user.email != link.email:
        raise Invalid("This link is for an address the account no longer has.")
    return user


def reset_password(session: Session, *, token: str, data: NewPassword) -> User:
    """Set a new password through a reset link, once; every session and API token ends."""
    _check_repeated(data)
    user = _link_user(
        session, links.redeem(session, token=token, purpose=LinkPurpose.reset_password)
    )
    _set_password(session, user, data.password)
    sessions.end_all(session, user=user)
    api_tokens.revoke_all(session, user=user)
    login_throttle.clear(session, key=login_throttle.account_key(user.email))
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link in the mail proved the address
    _mail_password_changed(session, user)
    return user


def change_password(
    session: Session, *, user: User, current: str, data: NewPassword, keep_session: int | None
) -> None:
    """Change the password after checking the current one; every other session ends."""
    _check_current(session, user, current)
    _check_repeated(data)
    _set_password(session, user, data.password)
    sessions.end_all(session, user=user, keep_id=keep_session)
    _mail_password_changed(session, user)


def request_email_change(session: Session, *, user: User, current: str, new_email: str) -> str:
    """Mail a confirmation link to the new address and a notice to the old one.

    Returns the new address (normalised). The address changes only when the link is used.
    """
    _check_current(session, user, current)
    email = new_email.strip().lower()
    if email == user.email:
        raise Invalid("This is already your e-mail address.")
    _check_free(session, email)
    accounts.mail_link(
        session,
        user,
        purpose=LinkPurpose.change_email,
        ttl=CHANGE_EMAIL_TTL,
        path="/change-email/",
        to=email,
        subject=N_("Confirm your new e-mail address for Pivotal"),
        text=N_(
            "Hello %(name)s,\n\nopen this link within a day to make %(email)s the e-mail "
            "address of your Pivotal account:\n\n%(link)s\n\nIf you did not ask for this, ignore "
            "this message.\n"
        ),
        email=email,
    )
    mail.to_person(
        session,
        user,
        subject=N_("Your Pivotal e-mail address is about to change"),
        text=N_(
            "Hello %(name)s,\n\nsomeone logged in to your Pivotal account asked to change its "
            "e-mail address to %(email)s. It changes when the link sent there is opened.\n\n"
            "If this was not you, change your password at once and log out your other sessions: "
            "%(link)s\n"
        ),
        email=email,
        link=accounts.link_url("/account/security"),
    )
    return email


def change_email_target(session: Session, *, token: str) -> str:
    """The new address a change link confirms, if the link can still be used (for the page)."""
    return links.peek(session, token=token, purpose=LinkPurpose.change_email).email


def confirm_email_change(session: Session, *, token: str) -> User:
    """Make the link's address the account's e-mail (proven by the link), once."""
    link = links.redeem(session, token=token, purpose=LinkPurpose.change_email)
    user = session.get(User, link.user_id) if link.user_id is not None else None
    if user is None:
        raise Invalid("This link is not valid. Check that you copied all of it.")
    _check_free(session, link.email)
    user.email = link.email
    user.email_verified_at = utcnow()
    session.add(user)
    session.flush()
    return user


def _check_free(session: Session, email: str) -> None:
    taken = session.exec(select(func.count()).where(func.lower(User.email) == email)).one()
    if taken:
        raise Conflict("An account with this e-mail address already exists.")


def _check_current(session: Session, user: User, password: str) -> None:
    """Refuse unless `password` is the user's; misses count toward the account's throttle."""
    keys = [login_throttle.account_key(user.email)]
    login_throttle.check(session, keys=keys)
    if not accounts.check_password(user, password):
        login_throttle.record_failure(keys=keys)
        raise Invalid("Your current password is not right.")


def _check_repeated(data: NewPassword) -> None:
    if data.password != data.password_again:
        raise Invalid("The two new passwords are not the same.")


def _set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = accounts.hash_password(password)
    session.add(user)
    session.flush()


def _mail_password_changed(session: Session, user: User) -> None:
    mail.to_person(
        session,
        user,
        subject=N_("Your Pivotal password was changed"),
        text=N_(
            "Hello %(name)s,\n\nthe password of your Pivotal account was just changed. If this "
            "was not you, reset it at once: %(link)s\n"
        ),
        link=accounts.link_url("/forgot-password"),
    )
