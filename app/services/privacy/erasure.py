"""Erasure: deleting an account, and the one anonymisation that deletion and retention share.

What stays after deletion: the person's contributions (needs, comments, supports, questions,
proposals, registrations, bookings), shown as a deleted user's, and their official acts on the
procurement record. What goes: e-mail, name, password, sessions, tokens, memberships, consents,
objections, mail to them, and every id that ties the participation log to them (an event keeps
its role and organisation kind). Later research exports leave deleted users' rows out, see
`app.services.research.scope`.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from app import i18n
from app.config import get_settings
from app.models import (
    AuditEntry,
    Erasure,
    Invitation,
    LoginSession,
    Membership,
    ParticipationEvent,
    ParticipationRollup,
    User,
)
from app.models.base import id_of, utcnow
from app.models.privacy import ErasureCause
from app.models.vocabulary import AuditAction, ObjectType
from app.services import contribution, permissions
from app.services.accounts import check_password
from app.services.errors import Invalid
from app.services.privacy.personal_data import CONTRIBUTIONS, PERSONAL_DATA, Held

DELETED_NAME = i18n.N_("Deleted user")
CONFIRM_WORD = "SLETT"  # what the person types, with their password, to delete the account
UNUSABLE_PASSWORD = "!"  # never a valid Argon2 hash: no password matches it


def deleted_name() -> str:
    """How a deleted user is named, in the site's default language (stored on the row)."""
    with i18n.use_language(get_settings().default_language):
        return i18n.gettext(DELETED_NAME)


def _empty_account(user: User) -> None:
    """Take the person's e-mail, name and password off their row; the address is free again."""
    user.email = f"deleted-{secrets.token_hex(8)}@deleted.invalid"
    user.display_name = deleted_name()
    user.password_hash = UNUSABLE_PASSWORD
    user.email_verified_at = None
    user.organisation_id = None
    user.deleted_at = utcnow()


def stand_in(session: Session, *, like: User) -> User:
    """An emptied account that takes over someone's contributions in a project at retention."""
    ghost = User(email="", display_name="", role=like.role, password_hash=UNUSABLE_PASSWORD)
    _empty_account(ghost)
    session.add(ghost)
    session.flush()
    return ghost


def anonymise(session: Session, *, person_id: int | None, to: int | None, projects: Any) -> None:
    """Detach people from what they did: in `projects` (a SELECT of ids; None: everywhere),
    their contributions move to the account `to` (None: they stay where they are) and the
    participation log keeps only role and organisation kind. `person_id` None: everyone's."""
    if to is not None and person_id is not None:
        for held in CONTRIBUTIONS:
            assert held.project is not None
            for name in held.about:
                column = col(getattr(held.model, name))
                where = [column == person_id]
                if projects is not None:
                    where.append(held.project(projects))
                session.execute(update(held.model).where(*where).values({name: to}))
    e, r = ParticipationEvent, ParticipationRollup
    for model, person, org in (
        (e, e.actor_id, e.actor_org_id),
        (e, e.addressee_id, e.addressee_org_id),
        (r, r.actor_id, r.actor_org_id),
    ):
        where = [col(person).is_not(None)] if person_id is None else [col(person) == person_id]
        if projects is not None:
            where.append(col(model.project_id).in_(projects))
        session.execute(
            update(model).where(*where).values({person.key: None, org.key: None})  # type: ignore[union-attr]
        )


def _forget_address_in_audit(session: Session, address: str, emptied: str) -> None:
    """The organisation's record of an invitation keeps the decision, not the invitee's address."""
    invited = select(col(Invitation.id)).where(col(Invitation.email) == address)
    entries = session.exec(
        select(AuditEntry).where(
            col(AuditEntry.action) == AuditAction.invitation_sent,
            col(AuditEntry.object_type) == ObjectType.invitation,
            col(AuditEntry.object_id).in_(invited),
        )
    ).all()
    for entry in entries:
        entry.after = {**(entry.after or {}), "email": emptied}
        session.add(entry)


def _clear_links(session: Session, held: Held, person_id: int) -> None:
    """Cut the table's addressed and derived links to the person: NULL, or the row goes."""
    table = held.model.__table__  # type: ignore[attr-defined]
    for name in (*held.addressed, *held.derived):
        column = table.c[name]
        if column.nullable:
            session.execute(update(table).where(column == person_id).values({name: None}))
        else:
            session.execute(delete(table).where(column == person_id))


def delete_account(
    session: Session, *, user: User | None, password: str, confirm: str, fresh_login: bool = False
) -> None:
    """Delete the caller's account once they give their password and type the word.

    An account without a password (made by a login provider) proves it is its owner by a
    `fresh_login` instead: this browser logged in within the last minutes.

    Sockets of the person close (their sessions end, their access changed); the caller logs out.
    """
    me = permissions.require_user(user)
    if confirm.strip().upper() != CONFIRM_WORD:
        raise Invalid(
            "Type %(word)s to confirm that the account should be deleted.", word=CONFIRM_WORD
        )
    if not me.password_hash:
        if not fresh_login:
            raise Invalid(
                "Your account has no password: log in again, then delete it within 15 minutes."
            )
    elif not check_password(me, password):
        raise Invalid("The password is not right.")
    person_id = id_of(me)
    ended = session.exec(select(LoginSession.id).where(LoginSession.user_id == person_id)).all()
    anonymise(session, person_id=person_id, to=None, projects=None)
    address = me.email
    _empty_account(me)
    _forget_address_in_audit(session, address, me.email)
    memberships = select(col(Membership.id)).where(Membership.user_id == person_id)
    session.execute(  # the invitation stays in the organisation's record, the membership goes
        update(Invitation)
        .where(col(Invitation.membership_id).in_(memberships))
        .values(membership_id=None)
    )
    for held in PERSONAL_DATA:
        _clear_links(session, held, person_id)
        table = held.model.__table__  # type: ignore[attr-defined]
        if held.account and held.model is not User:
            mine = [table.c[name] == person_id for name in held.about]
            if held.by_email:
                mine.append(table.c[held.by_email] == address)
            session.execute(delete(table).where(or_(*mine)))
        elif held.by_email:
            kept = table.c[held.by_email] == address
            session.execute(update(table).where(kept).values({held.by_email: me.email}))
    session.add(me)
    session.add(Erasure(cause=ErasureCause.account_deleted, people=1))
    session.flush()
    for session_id in ended:
        if session_id is not None:
            contribution.session_ended(session, login_session_id=session_id)
    contribution.access_changed(session, user_id=person_id)
