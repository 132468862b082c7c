"""Proving an address: the mailed link confirms it once, and only by a deliberate click."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import LinkToken, User
from app.models.base import utcnow
from app.services import accounts, mail
from tests.conftest import CSRF_RE, PASSWORD, Mailbox, body_of, login
from tests.helpers import EN

LINK_RE = re.compile(r"http://testserver(/verify-email/[\w-]+)")


def _register(client: TestClient, email: str = "kari@example.org") -> None:
    page = client.get("/register")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/register",
        data={
            "email": email,
            "display_name": "Kari Nordmann",
            "password": PASSWORD,
            "role": "citizen",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def _mailed_link(mailbox: Mailbox, email: str, count: int = 1) -> str:
    assert mail.send_due() >= 1
    found = LINK_RE.search(body_of(mailbox.wait_for(email, count)))
    assert found, "no verification link in the mail"
    return found.group(1)


def _user(session: Session, email: str) -> User:
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).one()


def test_registering_mails_a_link_that_confirms_the_address_once(
    client: TestClient, session: Session, smtp_server: Mailbox
) -> None:
    _register(client)
    path = _mailed_link(smtp_server, "kari@example.org")
    assert _user(session, "kari@example.org").email_verified_at is None

    page = client.get(path, headers=EN)  # opening the link (or a mail scanner) changes nothing
    assert page.status_code == 200 and "Confirm my e-mail address" in page.text
    assert _user(session, "kari@example.org").email_verified_at is None

    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    done = client.post(path, data={"csrf_token": token}, headers=EN)
    assert done.status_code == 200 and "is now confirmed" in done.text
    assert _user(session, "kari@example.org").email_verified_at is not None

    again = client.post(path, data={"csrf_token": token}, headers=EN)
    assert again.status_code == 422 and "already been used" in again.text


def test_an_expired_or_unknown_link_is_refused_clearly(
    client: TestClient, session: Session, smtp_server: Mailbox
) -> None:
    _register(client)
    path = _mailed_link(smtp_server, "kari@example.org")
    for link in session.exec(select(LinkToken)).all():
        link.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    expired = client.get(path, headers=EN)
    assert expired.status_code == 422 and "expired" in expired.text
    unknown = client.get("/verify-email/not-a-token", headers=EN)
    assert unknown.status_code == 422 and "not valid" in unknown.text
    too_long = client.get("/verify-email/" + "x" * 500, headers=EN)
    assert too_long.status_code == 422


def test_a_new_link_replaces_the_old_and_verification_runs_the_hooks(
    client: TestClient, session: Session, smtp_server: Mailbox, monkeypatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(
        accounts, "EMAIL_VERIFIED_HOOKS", [lambda _session, user: seen.append(user.email)]
    )
    _register(client)
    first = _mailed_link(smtp_server, "kari@example.org")
    login(client, _user(session, "kari@example.org"))  # registering does not log in (issue 10)
    profile = client.get("/profile", headers=EN)
    assert "not confirmed yet" in profile.text
    token = CSRF_RE.search(profile.text).group(1)  # type: ignore[union-attr]
    sent = client.post("/profile/verify-email", data={"csrf_token": token}, headers=EN)
    assert sent.status_code == 200 and "We have sent you a new link" in sent.text
    second = _mailed_link(smtp_server, "kari@example.org", count=2)
    assert first != second
    assert client.get(first, headers=EN).status_code == 422  # withdrawn
    page = client.get(second, headers=EN)
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    assert client.post(second, data={"csrf_token": token}).status_code == 200
    assert seen == ["kari@example.org"]
    assert "confirmed." in client.get("/profile", headers=EN).text


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(
    client: TestClient, session: Session, smtp_server: Mailbox
) -> None:
    _register(client)
    path = _mailed_link(smtp_server, "kari@example.org")
    user = _user(session, "kari@example.org")
    user.email = "kari.ny@example.org"
    session.commit()
    page = client.get(path, headers=EN)
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    refused = client.post(path, data={"csrf_token": token}, headers=EN)
    assert refused.status_code == 422 and "no longer has" in refused.text
    assert _user(session, "kari.ny@example.org").email_verified_at is None
