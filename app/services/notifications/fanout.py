"""The one place that turns what was recorded into notifications: who hears of it, as what.

`contribution.record` calls `fan_out` after the participation event, in the same transaction.
Each act maps to (recipient, kind) pairs in order of precedence; a person gets at most one
notification per act, never one of their own act, and never one about something they could not
open (checked through the permission policy).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app import i18n
from app.models import (
    Comment,
    MaturityRespondent,
    Need,
    Notification,
    Project,
    Proposal,
    SupplierRegistration,
    Support,
    User,
)
from app.models.base import Role, id_of, utcnow
from app.models.notification import Delivery, NotificationKind
from app.models.vocabulary import AuditAction, ObjectType, Verb
from app.services import following
from app.services.languages import person_language
from app.services.notifications import delivery
from app.services.notifications.access import MODELS, Opener
from app.services.notifications.texts import text_of

Pairs = Iterator[tuple[int | None, NotificationKind]]

STATUS_VERBS = frozenset({Verb.changed_need_status, Verb.verified_need})
MODERATION_VERBS = frozenset({Verb.hid_comment, Verb.hid_need, Verb.restored_content})
MARKET_NEWS = {
    Verb.answered: NotificationKind.answer_published,
    Verb.published_document: NotificationKind.document_published,
    Verb.planned_event: NotificationKind.event_planned,
}
# Taking part in a need follows it.
FOLLOWING_VERBS = frozenset({Verb.posted_need, Verb.supported, Verb.commented, Verb.replied})
OBJECT_TYPES: dict[type, str] = {model: kind for kind, model in MODELS.items()}


def _need_of(session: Session, on: object) -> Need | None:
    if isinstance(on, Need):
        return on
    if isinstance(on, Comment):
        return session.get(Need, on.need_id)
    return None


def _company_people(session: Session, organisation_ids: list[int]) -> list[int]:
    """The suppliers acting for these companies."""
    if not organisation_ids:
        return []
    query = select(User.id).where(
        User.role == Role.supplier, col(User.organisation_id).in_(organisation_ids)
    )
    return [uid for uid in session.exec(query).all() if uid is not None]


def _registered_people(session: Session, project: Project) -> list[int]:
    query = select(SupplierRegistration.organisation_id).where(
        SupplierRegistration.project_id == project.id
    )
    return _company_people(session, list(session.exec(query).all()))


def _need_pairs(session: Session, verb: Verb, on: object, addressee: User | None) -> Pairs:
    need = _need_of(session, on)
    if need is None:
        return
    if verb in (Verb.replied, Verb.commented) and isinstance(on, Comment):
        if verb == Verb.replied and addressee is not None:
            yield addressee.id, NotificationKind.reply
        yield need.author_id, NotificationKind.comment_on_need
        for user_id in following.followers(session, subject=need):
            yield user_id, NotificationKind.followed_need
    elif verb in STATUS_VERBS:
        yield need.author_id, NotificationKind.need_status
        supporters = select(Support.user_id).where(Support.need_id == need.id)
        for user_id in session.exec(supporters).all():
            yield user_id, NotificationKind.supported_need_status


def _pairs(
    session: Session, project: Project, verb: Verb, on: object, addressee: User | None
) -> Pairs:
    """Who hears of the act, as what kind, most particular kind first."""
    if verb in MODERATION_VERBS:
        if addressee is not None:
            yield addressee.id, NotificationKind.moderation
    elif verb in MARKET_NEWS:
        for user_id in _registered_people(session, project):
            yield user_id, MARKET_NEWS[verb]
    elif verb == Verb.assessed_proposal and isinstance(on, Proposal):
        for user_id in _company_people(session, [on.organisation_id]):
            yield user_id, NotificationKind.proposal_assessed
    elif verb == Verb.posted_need:
        for user_id in following.followers(session, subject=project):
            yield user_id, NotificationKind.followed_project
    else:
        yield from _need_pairs(session, verb, on, addressee)


def fan_out(
    session: Session,
    *,
    project: Project,
    actor: User,
    verb: Verb,
    on: object,
    addressee: User | None,
    reason: str = "",
) -> list[int]:
    """Make the notifications of a recorded act; returns whose unread count changed."""
    if verb in FOLLOWING_VERBS and (need := _need_of(session, on)) is not None:
        following.follow_quietly(
            session, user_id=id_of(actor), project_id=id_of(project), need=need
        )
    object_type = OBJECT_TYPES.get(type(on))
    if object_type is None:
        return []
    pairs = [
        (user_id, kind)
        for user_id, kind in _pairs(session, project, verb, on, addressee)
        if user_id is not None and user_id != actor.id
    ]
    # Everyone who may be told, read at once (a deleted account has nobody to tell).
    wanted = {user_id for user_id, _ in pairs}
    query = select(User).where(col(User.id).in_(wanted), col(User.deleted_at).is_(None))
    recipients = {person.id: person for person in session.exec(query).all()} if wanted else {}
    told: list[int] = []
    for user_id, kind in pairs:
        recipient = recipients.get(user_id)
        if recipient is None or user_id in told:
            continue
        made = _notify(
            session,
            recipient=recipient,
            kind=kind,
            verb=verb,
            project=project,
            object_type=object_type,
            object_id=id_of(on),  # type: ignore[arg-type]
            actor=actor,
            reason=reason,
        )
        if made:
            told.append(user_id)
    return told


def _notify(
    session: Session,
    *,
    recipient: User,
    kind: NotificationKind,
    verb: Verb,
    project: Project,
    object_type: str,
    object_id: int,
    actor: User,
    reason: str,
) -> bool:
    """One notification, if the recipient may open what it is about; mailed now if they chose."""
    subject = Opener(session, recipient).subject(
        project_id=id_of(project), object_type=object_type, object_id=object_id, kind=kind
    )
    if subject is None:
        return False
    mode = delivery.preferences(session, user_id=id_of(recipient))[kind]
    notification = Notification(
        recipient_id=id_of(recipient),
        kind=kind,
        verb=verb,
        project_id=id_of(project),
        object_type=object_type,
        object_id=object_id,
        actor_id=actor.id,
        extra=reason[:2000],
        delivery=mode,
    )
    if mode == Delivery.immediate:
        with i18n.use_language(person_language(session, recipient)):
            text = text_of(kind, verb, subject, actor=actor.display_name, extra=reason)
            delivery.mail_now(session, user=recipient, kind=kind, text=text, url=subject.url)
        notification.emailed_at = utcnow()
    session.add(notification)
    return True


def notify_invited(
    session: Session, *, respondent: MaturityRespondent, recipient: User, actor: User
) -> bool:
    """Tell a member invited by account to answer a self-assessment round, in the transaction
    of the invitation; mailed now if they chose (the default). False when there is nobody to
    tell (the inviter invited themselves, or the account is deleted)."""
    if recipient.id == actor.id or recipient.deleted_at is not None:
        return False
    kind = NotificationKind.round_invitation
    round_id = respondent.round_id
    session.flush()  # the invitation, so that the recipient's relation to the round sees it
    with i18n.use_language(person_language(session, recipient)):
        subject = Opener(session, recipient).round_subject(
            round_id=round_id,
            object_type=ObjectType.maturity_respondent,
            object_id=id_of(respondent),
            kind=kind,
        )
        if subject is None:  # pragma: no cover - an invitation by account opens its round
            return False
        mode = delivery.preferences(session, user_id=id_of(recipient))[kind]
        notification = Notification(
            recipient_id=id_of(recipient),
            kind=kind,
            verb=AuditAction.maturity_respondent_invited,
            maturity_round_id=round_id,
            object_type=ObjectType.maturity_respondent,
            object_id=id_of(respondent),
            actor_id=actor.id,
            delivery=mode,
        )
        if mode == Delivery.immediate:
            text = text_of(kind, notification.verb, subject, actor=actor.display_name, extra="")
            delivery.mail_now(session, user=recipient, kind=kind, text=text, url=subject.url)
            notification.emailed_at = utcnow()
    session.add(notification)
    return True


def forget_invitation(session: Session, *, respondent: MaturityRespondent) -> None:
    """A withdrawn invitation's notification goes with it."""
    session.execute(
        delete(Notification).where(
            col(Notification.maturity_round_id) == respondent.round_id,
            col(Notification.object_type) == ObjectType.maturity_respondent,
            col(Notification.object_id) == respondent.id,
        )
    )
