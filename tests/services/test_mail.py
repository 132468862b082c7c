"""The outbox: mail goes out after commit, to a real SMTP server, and survives failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.config import get_settings
from app.models import OutboxMessage
from app.models.base import utcnow
from app.services import mail
from tests.conftest import Mailbox, body_of, smtp_on_loopback
from tests.servers import free_port


def test_a_committed_mail_reaches_the_smtp_server(session: Session, smtp_server: Mailbox) -> None:
    mail.enqueue(
        session,
        to="kari@example.org",
        subject="Svar på spørsmålet ditt",
        text="Hei Kari,\n\nnå er svaret publisert.\n",
        headers={"List-Unsubscribe": "<https://pivotal.example/unsubscribe/x>"},
    )
    session.commit()
    assert mail.send_due() == 1
    received = smtp_server.wait_for("kari@example.org")
    assert received["Subject"] == "Svar på spørsmålet ditt"
    assert received["From"] == get_settings().mail_from
    assert received["List-Unsubscribe"] == "<https://pivotal.example/unsubscribe/x>"
    assert "nå er svaret publisert" in body_of(received)
    assert mail.send_due() == 0  # sent once only
    assert len(smtp_server.messages) == 1


def test_a_rolled_back_mail_is_never_sent(session: Session, smtp_server: Mailbox) -> None:
    mail.enqueue(session, to="kari@example.org", subject="Nei", text="Skulle ikke sendes.")
    session.rollback()
    assert mail.send_due() == 0
    assert smtp_server.messages == []


def test_an_unreachable_server_delays_the_mail_and_a_later_round_sends_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{free_port()}")
    mail.enqueue(session, to="ola@example.org", subject="Venter", text="Kommer fram til slutt.")
    session.commit()
    assert mail.send_due() == 0
    waiting = session.exec(select(OutboxMessage)).one()
    session.refresh(waiting)
    assert waiting.sent_at is None and waiting.attempts == 1
    assert waiting.last_error and "ConnectionRefused" in waiting.last_error
    assert mail.send_due() == 0  # not due again until its delay has passed

    with smtp_on_loopback() as (url, mailbox):
        monkeypatch.setattr(get_settings(), "smtp_url", url)
        waiting.next_attempt_at = utcnow() - timedelta(seconds=1)
        session.commit()
        assert mail.send_due() == 1
        assert mailbox.wait_for("ola@example.org")["Subject"] == "Venter"
    session.refresh(waiting)
    assert waiting.sent_at is not None and waiting.attempts == 2


def test_a_sender_that_died_mid_send_is_retried_after_its_lease(session: Session) -> None:
    mail.enqueue(session, to="ola@example.org", subject="Lease", text="…")
    session.commit()
    message = session.exec(select(OutboxMessage)).one()
    # Another process claimed it and died: the lease pushed it into the future.
    message.next_attempt_at = utcnow() + mail.LEASE
    session.commit()
    assert mail.send_due() == 0
    message.next_attempt_at = utcnow() - timedelta(seconds=1)  # the lease ran out
    session.commit()
    assert mail.send_due() == 1


def test_the_delay_grows_and_is_capped() -> None:
    delays = [mail.retry_delay(n).total_seconds() for n in range(1, 14)]
    assert delays[:4] == [30, 60, 120, 240]
    assert delays == sorted(delays) and max(delays) == 6 * 3600


def test_without_smtp_mail_is_written_to_the_mail_folder(
    session: Session, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "smtp_url", "")
    monkeypatch.setattr(get_settings(), "mail_dir", tmp_path / "mail")
    mail.enqueue(session, to="kari@example.org", subject="Til fil", text="Les meg i var/mail.")
    session.commit()
    assert mail.send_due() == 1
    (written,) = (tmp_path / "mail").glob("*.eml")
    text = written.read_text()
    assert "To: kari@example.org" in text and "Les meg i var/mail." in text
