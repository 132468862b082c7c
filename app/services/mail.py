"""Outgoing mail through an outbox: written with the change that caused it, sent after commit.

`enqueue` adds a message in the caller's transaction, so a mail about something that was rolled
back is never sent. Each process runs `keep_sending`, which claims due messages one at a time
(a compare-and-set on `next_attempt_at`, so several processes never send the same one) and hands
them to the SMTP server of `PIVOTAL_SMTP_URL`, or, without one, writes them as `.eml` files under
`PIVOTAL_MAIL_DIR` for development. A failure is retried with a growing delay; a message leaves
the queue only once the server has taken it.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import i18n
from app.config import get_settings
from app.db import new_session
from app.models import OutboxMessage, User
from app.models.base import id_of, utcnow
from app.services import periodic
from app.services.languages import person_language

log = logging.getLogger("pivotal.mail")

LEASE = timedelta(minutes=2)  # a claimed message is retried after this if its sender died
MAX_ATTEMPTS = 12  # about two days of retries with the delays below; then it waits for a human
SMTP_TIMEOUT = 20.0


def enqueue(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    headers: Mapping[str, str] | None = None,
) -> OutboxMessage:
    """Queue a plain-text mail in the caller's transaction; it is sent only if that commits."""
    message = OutboxMessage(
        to_address=to,
        subject=subject[:300],
        body_text=text,
        headers_json=json.dumps(dict(headers or {})),
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def to_person(
    session: Session, user: User, *, subject: str, text: str, to: str | None = None, **params: str
) -> None:
    """Queue a mail to the person (at `to`, else their address) in their own language.

    `subject` and `text` are message ids; the text is filled with the person's name and `params`.
    """
    address = to or user.email
    if not has_mailbox(address):
        return
    with i18n.use_language(person_language(session, user)):
        enqueue(
            session,
            to=address,
            subject=i18n.gettext(subject),
            text=i18n.gettext(text, name=user.display_name, **params),
        )


def has_mailbox(address: str) -> bool:
    """Whether mail can reach the address: an account made by an identity provider without an
    e-mail address has one in the reserved `.invalid` domain (RFC 6761), which none can."""
    return not address.strip().lower().endswith(".invalid")


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 30 s, doubling, at most six hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def build(message: OutboxMessage) -> EmailMessage:
    """The message as it goes on the wire."""
    settings = get_settings()
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = message.to_address
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.created_at or utcnow())
    mail["Message-ID"] = make_msgid(domain=_domain_of(settings.mail_from))
    for name, value in json.loads(message.headers_json or "{}").items():
        mail[name] = value
    mail.set_content(message.body_text)
    return mail


def _domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(" >") or "localhost"


def _claim(session: Session, now: datetime) -> OutboxMessage | None:
    """Take the oldest due message for this process, or None when nothing is due."""
    candidates = session.exec(
        select(OutboxMessage.id)
        .where(col(OutboxMessage.sent_at).is_(None))
        .where(col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(5)
    ).all()
    for message_id in candidates:
        claimed = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .where(col(OutboxMessage.sent_at).is_(None))
            .where(col(OutboxMessage.next_attempt_at) <= now)
            .values(next_attempt_at=now + LEASE)
        )
        session.commit()
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return session.get(OutboxMessage, message_id)
    return None


def send_due(*, limit: int = 100) -> int:
    """Send up to `limit` due messages now; returns how many the server took."""
    sent = 0
    with new_session() as session:
        for _ in range(limit):
            message = _claim(session, utcnow())
            if message is None:
                break
            try:
                deliver(build(message))
            except (OSError, smtplib.SMTPException) as error:
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:500]
                message.next_attempt_at = (
                    utcnow() + retry_delay(message.attempts)
                    if message.attempts < MAX_ATTEMPTS
                    else None
                )
                log.warning(
                    "mail %s to the outbox's server failed (attempt %s): %s",
                    id_of(message),
                    message.attempts,
                    message.last_error,
                )
            else:
                message.attempts += 1
                message.sent_at = utcnow()
                message.next_attempt_at = None
                sent += 1
            session.commit()
    return sent


def deliver(mail: EmailMessage) -> None:
    """Hand one message to the configured SMTP server, or write it to the mail folder."""
    settings = get_settings()
    if not settings.smtp_url:
        _write_eml(mail, settings.mail_dir)
        return
    url = urlsplit(settings.smtp_url)
    options = {key: values[-1] for key, values in parse_qs(url.query).items()}
    host = url.hostname or "127.0.0.1"
    smtp: smtplib.SMTP
    if url.scheme == "smtps":
        context = ssl.create_default_context()
        smtp = smtplib.SMTP_SSL(host, url.port or 465, timeout=SMTP_TIMEOUT, context=context)
    elif url.scheme == "smtp":
        smtp = smtplib.SMTP(host, url.port or 25, timeout=SMTP_TIMEOUT)
    else:
        raise smtplib.SMTPException(f"PIVOTAL_SMTP_URL has an unknown scheme: {url.scheme!r}")
    with smtp:
        if url.scheme == "smtp" and options.get("starttls", "").lower() in ("1", "true", "yes"):
            smtp.starttls(context=ssl.create_default_context())
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(mail)


def _write_eml(mail: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    name = mail["Message-ID"].strip("<>").split("@")[0]
    (folder / f"{stamp}-{name}.eml").write_bytes(bytes(mail))


async def keep_sending(interval: float) -> None:
    """Send the outbox's due messages every `interval` seconds, for the life of the process."""
    await periodic.every(interval, send_due, what="sending the outbox")
