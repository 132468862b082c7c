"""How notifications reach people by e-mail: per-kind choices, one-click unsubscribe, the digest.

A kind's mail goes out at once (written to the outbox in the transaction that made the
notification), in the daily digest, or not at all. Every mail carries RFC 8058 headers whose
link, signed with the site's secret key, turns that kind's mail off without a login (a digest's
link turns off every kind the digest carries). The digest is sent by a periodic round in each
process: a person's pending items are claimed with one conditional UPDATE, so two processes
never send the same digest, and the clock is a parameter, so tests move time by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import i18n
from app.config import get_settings
from app.db import new_session
from app.i18n import N_
from app.models import Notification, NotificationPreference, OutboxMessage, User
from app.models.base import MAX_ID, id_of, utcnow
from app.models.notification import Delivery, NotificationKind
from app.services import mail, periodic
from app.services.errors import Invalid
from app.services.languages import person_language

# Mailed at once unless the person chooses otherwise; every other kind goes in the daily digest.
IMMEDIATE_BY_DEFAULT = frozenset(
    {
        NotificationKind.reply,
        NotificationKind.need_status,
        NotificationKind.moderation,
        NotificationKind.round_invitation,  # answered by a deadline: worth knowing at once
    }
)
DIGEST = "digest"  # the unsubscribe scope of a digest: every kind it carries
ONE_CLICK = "List-Unsubscribe=One-Click"

SUBJECT = N_("Pivotal: %(text)s")
BODY = N_(
    "Hello %(name)s,\n\n%(text)s\n\nOpen it: %(url)s\n\n"
    "You get this e-mail because of your notification settings: %(settings)s\n"
    "Stop e-mails of this kind: %(unsubscribe)s\n"
)
DIGEST_SUBJECT = N_("Pivotal: what happened since yesterday")
DIGEST_BODY = N_(
    "Hello %(name)s,\n\nThis happened on Pivotal since your last digest:\n\n%(items)s\n"
    "Change your notification settings: %(settings)s\n"
    "Stop the daily digest: %(unsubscribe)s\n"
)


def default_delivery(kind: NotificationKind) -> Delivery:
    """How a kind is mailed when the person has not chosen."""
    return Delivery.immediate if kind in IMMEDIATE_BY_DEFAULT else Delivery.digest


def preferences(session: Session, *, user_id: int) -> dict[NotificationKind, Delivery]:
    """The person's delivery for every kind: their choice, else the kind's default."""
    chosen = session.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    ).all()
    mine = {NotificationKind(p.kind): Delivery(p.delivery) for p in chosen}
    return {kind: mine.get(kind, default_delivery(kind)) for kind in NotificationKind}


def set_preferences(
    session: Session, *, user: User, choices: dict[NotificationKind, Delivery]
) -> dict[NotificationKind, Delivery]:
    """Store the person's choices (kinds not named keep theirs); returns every kind's delivery."""
    stored = {
        p.kind: p
        for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        ).all()
    }
    for kind, delivery in choices.items():
        row = stored.get(kind) or NotificationPreference(
            user_id=id_of(user), kind=kind, delivery=delivery
        )
        row.delivery = delivery
        session.add(row)
    session.flush()
    return preferences(session, user_id=id_of(user))


def _signature(user_id: int, scope: str) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, f"unsubscribe:{user_id}:{scope}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def unsubscribe_token(user_id: int, scope: str) -> str:
    """A reusable token that turns off the person's mail of one kind (or their digest)."""
    return f"{user_id}.{scope}.{_signature(user_id, scope)}"


def unsubscribe_url(user_id: int, scope: str) -> str:
    """The one-click unsubscribe link of a mail."""
    return f"{get_settings().base_url.rstrip('/')}/unsubscribe/{unsubscribe_token(user_id, scope)}"


def read_token(session: Session, *, token: str) -> tuple[User, str]:
    """The person and scope an unsubscribe token names; a clear refusal for any other text."""
    parts = token.split(".") if len(token) <= 100 else []
    scopes = {*NotificationKind.__members__, DIGEST}
    if (
        len(parts) == 3
        and parts[0].isdigit()
        and 0 < int(parts[0]) <= MAX_ID
        and parts[1] in scopes
    ):
        user = session.get(User, int(parts[0]))
        if user is not None and hmac.compare_digest(parts[2], _signature(id_of(user), parts[1])):
            return user, parts[1]
    raise Invalid("This unsubscribe link is not valid. Check that you copied all of it.")


def scope_kinds(session: Session, *, user_id: int, scope: str) -> list[NotificationKind]:
    """The kinds an unsubscribe scope turns off: one kind, or every kind now in the digest."""
    if scope != DIGEST:
        return [NotificationKind(scope)]
    current = preferences(session, user_id=user_id)
    return [kind for kind, delivery in current.items() if delivery == Delivery.digest]


def unsubscribe(session: Session, *, token: str) -> tuple[User, list[NotificationKind]]:
    """Turn off the mail the token names (no login: the signed token is the authority)."""
    user, scope = read_token(session, token=token)
    kinds = scope_kinds(session, user_id=id_of(user), scope=scope)
    set_preferences(session, user=user, choices=dict.fromkeys(kinds, Delivery.off))
    return user, kinds


def _headers(user_id: int, scope: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": "<" + unsubscribe_url(user_id, scope) + ">",  # an address, not markup
        "List-Unsubscribe-Post": ONE_CLICK,
    }


def _absolute(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def mail_now(session: Session, *, user: User, kind: NotificationKind, text: str, url: str) -> None:
    """Queue one notification's mail in the caller's transaction, in the person's language."""
    with i18n.use_language(person_language(session, user)):
        mail.enqueue(
            session,
            to=user.email,
            subject=i18n.gettext(SUBJECT, text=text),
            text=i18n.gettext(
                BODY,
                name=user.display_name,
                text=text,
                url=_absolute(url),
                settings=_absolute("/me/notifications/settings"),
                unsubscribe=unsubscribe_url(id_of(user), kind),
            ),
            headers=_headers(id_of(user), kind),
        )


def digest_slot(now: datetime) -> datetime:
    """The latest daily digest moment at or before `now`; items older than it are due."""
    slot = now.replace(hour=get_settings().digest_hour, minute=0, second=0, microsecond=0)
    return slot if slot <= now else slot - timedelta(days=1)


def _pending(session: Session, slot: datetime) -> dict[int, list[int]]:
    """Digest items made before the slot and not mailed yet, by recipient."""
    rows = session.exec(
        select(Notification.recipient_id, Notification.id)
        .where(
            Notification.delivery == Delivery.digest,
            col(Notification.emailed_at).is_(None),
            col(Notification.created_at) < slot,
        )
        .order_by(col(Notification.recipient_id), col(Notification.id))
    ).all()
    pending: dict[int, list[int]] = defaultdict(list)
    for recipient_id, notification_id in rows:
        if notification_id is not None:
            pending[recipient_id].append(notification_id)
    return pending


def _claim(session: Session, ids: list[int], now: datetime) -> bool:
    """Mark the items mailed, all or none: False when another process got there first."""
    claimed = session.execute(
        update(Notification)
        .where(col(Notification.id).in_(ids), col(Notification.emailed_at).is_(None))
        .values(emailed_at=now)
    )
    if claimed.rowcount != len(ids):  # type: ignore[attr-defined]
        session.rollback()
        return False
    return True


def send_digests(session: Session, *, now: datetime) -> int:
    """Queue every due daily digest (one per person, each item once); returns how many."""
    # Imported here: the inbox renders notifications, and the inbox's module imports this one.
    from app.services.notifications.inbox import visible_lines

    sent = 0
    for recipient_id, ids in _pending(session, digest_slot(now)).items():
        if not _claim(session, ids, now):
            continue
        user = session.get(User, recipient_id)
        if user is not None:
            wanted = preferences(session, user_id=recipient_id)
            with i18n.use_language(person_language(session, user)):
                lines = visible_lines(session, user=user, ids=ids, wanted=wanted)
                if lines:
                    _queue_digest(session, user, lines)
                    sent += 1
        session.commit()
    return sent


def _queue_digest(session: Session, user: User, lines: list[tuple[str, str]]) -> None:
    items = "\n".join(f"- {text}\n  {_absolute(url)}\n" for text, url in lines)
    mail.enqueue(
        session,
        to=user.email,
        subject=i18n.gettext(DIGEST_SUBJECT),
        text=i18n.gettext(
            DIGEST_BODY,
            name=user.display_name,
            items=items,
            settings=_absolute("/me/notifications/settings"),
            unsubscribe=unsubscribe_url(id_of(user), DIGEST),
        ),
        headers=_headers(id_of(user), DIGEST),
    )


def settle_history(session: Session) -> None:
    """Count everything made so far as mailed: the demo's story tells of weeks past, and what it
    would have mailed then is not mailed now."""
    now = utcnow()
    session.execute(
        update(Notification).where(col(Notification.emailed_at).is_(None)).values(emailed_at=now)
    )
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.sent_at).is_(None))
        .values(sent_at=now, next_attempt_at=None)
    )


def send_due_digests() -> int:
    """One round of the periodic job: the digests due now."""
    with new_session() as session:
        return send_digests(session, now=utcnow())


async def keep_sending_digests(interval: float) -> None:
    """Send the daily digests that are due every `interval` seconds, for the life of the process."""
    await periodic.every(interval, send_due_digests, what="sending the notification digests")
