"""Taking an account back and changing what logs in: reset by mail, password, e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.main import app
from app.models import LinkToken, OutboxMessage, User
from app.models.base import utcnow
from app.services import mail
from tests.conftest import CSRF_RE, PASSWORD, Mailbox, World, bearer, body_of, login
from tests.helpers import EN

NEW = "et helt nytt passord"
RESET_LINK = re.compile(r"http://testserver(/reset-password/[\w-]+)")
CHANGE_LINK = re.compile(r"http://testserver(/change-email/[\w-]+)")


def _csrf(client: TestClient, path: str) -> str:
    match = CSRF_RE.search(client.get(path).text)
    assert match, path
    return match.group(1)


def _forgot(client: TestClient, email: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/forgot-password",
        data={"email": email, "csrf_token": _csrf(client, "/forgot-password")},
        headers=EN,
    )


def _link(mailbox: Mailbox, email: str, pattern: re.Pattern[str], count: int = 1) -> str:
    mail.send_due()
    found = pattern.search(body_of(mailbox.wait_for(email, count)))
    assert found, "no link in the mail"
    return found.group(1)


def _reset(client: TestClient, path: str, password: str = NEW, again: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        path,
        data={
            "password": password,
            "password_again": password if again is None else again,
            "csrf_token": _csrf(client, "/forgot-password"),
        },
        headers=EN,
        follow_redirects=False,
    )


def _can_log_in(email: str, password: str, address: str = "testclient") -> bool:
    fresh = TestClient(app, client=(address, 50000))
    response = fresh.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": _csrf(fresh, "/login")},
        follow_redirects=False,
    )
    return response.status_code == 303


def _me(client: TestClient, headers: dict[str, str] | None = None) -> int:
    return client.get("/api/v1/auth/me", headers={**(headers or {}), **EN}).status_code


def test_forgot_password_mails_a_link_that_sets_a_new_password_and_ends_every_session(
    client: TestClient, other_client: TestClient, world: World, smtp_server: Mailbox
) -> None:
    login(other_client, world.citizen)  # logged in elsewhere, e.g. by whoever took the account
    token = bearer(other_client, world.citizen)
    answer = _forgot(client, world.citizen.email)
    assert answer.status_code == 200
    assert "If an account has this address" in answer.text
    path = _link(smtp_server, world.citizen.email, RESET_LINK)
    form = client.get(path, headers=EN)
    assert form.status_code == 200 and "Choose a new password" in form.text
    done = _reset(client, path)
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=done"
    assert _me(other_client) == 401
    assert _me(client, token) == 401
    assert _can_log_in(world.citizen.email, NEW)
    assert not _can_log_in(world.citizen.email, PASSWORD)
    mail.send_due()
    notice = smtp_server.wait_for(world.citizen.email, 2)
    assert notice["Subject"] == "Passordet ditt på Pivotal er endret"


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    client: TestClient, world: World, session: Session, smtp_server: Mailbox
) -> None:
    known = _forgot(client, world.citizen.email)
    unknown = _forgot(client, "ingen-konto@example.org")
    strip = re.compile(r'value="[^"]+"|"X-CSRF-Token": "[^"]+"')
    assert (known.status_code, strip.sub("", known.text)) == (
        unknown.status_code,
        strip.sub("", unknown.text),
    )
    outbox = session.exec(select(OutboxMessage.to_address)).all()
    assert outbox == [world.citizen.email]


def test_a_reset_link_works_once(client: TestClient, world: World, smtp_server: Mailbox) -> None:
    _forgot(client, world.citizen.email)
    path = _link(smtp_server, world.citizen.email, RESET_LINK)
    assert _reset(client, path).status_code == 303
    again = _reset(client, path, "et tredje passord her")
    assert again.status_code == 422
    assert "This link has already been used" in again.text
    assert "already been used" in client.get(path, headers=EN).text
    assert _can_log_in(world.citizen.email, NEW)


def test_an_expired_reset_link_is_refused(
    client: TestClient, world: World, session: Session, smtp_server: Mailbox
) -> None:
    _forgot(client, world.citizen.email)
    path = _link(smtp_server, world.citizen.email, RESET_LINK)
    link = session.exec(select(LinkToken)).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    session.add(link)
    session.commit()
    refused = _reset(client, path)
    assert refused.status_code == 422
    assert "This link has expired" in refused.text
    assert _can_log_in(world.citizen.email, PASSWORD)


def test_a_new_password_must_be_long_enough_and_typed_twice_alike(
    client: TestClient, world: World, smtp_server: Mailbox
) -> None:
    _forgot(client, world.citizen.email)
    path = _link(smtp_server, world.citizen.email, RESET_LINK)
    short = _reset(client, path, "kort")
    assert short.status_code == 422 and "at least 10 characters" in short.text
    different = _reset(client, path, NEW, "et annet passord")
    assert different.status_code == 422 and "not the same" in different.text
    assert _reset(client, path).status_code == 303  # the link was not used up by the mistakes


def test_a_reset_lifts_the_login_throttle(
    client: TestClient, world: World, smtp_server: Mailbox
) -> None:
    for _ in range(10):  # from elsewhere: the guesser's address stays throttled
        assert not _can_log_in(world.citizen.email, "feil passord", "192.0.2.50")
    assert not _can_log_in(world.citizen.email, PASSWORD)
    _forgot(client, world.citizen.email)
    _reset(client, _link(smtp_server, world.citizen.email, RESET_LINK))
    assert _can_log_in(world.citizen.email, NEW)


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    client: TestClient, other_client: TestClient, world: World, smtp_server: Mailbox
) -> None:
    login(client, world.employee)
    login(other_client, world.employee)
    form = {"password": NEW, "password_again": NEW}
    wrong = client.post(
        "/account/security/password", data={**form, "current_password": "gjett"}, headers=EN
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    changed = client.post(
        "/account/security/password",
        data={**form, "current_password": PASSWORD},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert _me(client) == 200  # this session stays
    assert _me(other_client) == 401  # the other one ends
    assert _can_log_in(world.employee.email, NEW)
    mail.send_due()
    assert smtp_server.wait_for(world.employee.email)["Subject"] == (
        "Passordet ditt på Pivotal er endret"
    )


def test_changing_the_email_is_confirmed_by_a_link_to_the_new_address(
    client: TestClient, world: World, session: Session, smtp_server: Mailbox
) -> None:
    login(client, world.citizen)
    old = world.citizen.email
    asked = client.post(
        "/account/security/email",
        data={"email": "Ny.Adresse@example.org", "current_password": PASSWORD},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    path = _link(smtp_server, "ny.adresse@example.org", CHANGE_LINK)
    notice = body_of(smtp_server.wait_for(old))
    assert "ny.adresse@example.org" in notice
    session.expire_all()
    assert session.get(User, world.citizen.id).email == old  # type: ignore[union-attr]
    page = client.get(path, headers=EN)
    assert "Confirm the new address" in page.text
    session.expire_all()
    assert session.get(User, world.citizen.id).email == old  # type: ignore[union-attr]
    done = client.post(path, data={"csrf_token": _csrf(client, path)}, headers=EN)
    assert done.status_code == 200
    session.expire_all()
    user = session.get(User, world.citizen.id)
    assert user is not None and user.email == "ny.adresse@example.org"
    assert user.email_verified_at is not None
    assert _can_log_in("ny.adresse@example.org", PASSWORD)
    used = client.post(path, data={"csrf_token": _csrf(client, "/")}, headers=EN)
    assert used.status_code == 422 and "already been used" in used.text


def test_changing_the_email_needs_the_current_password_and_a_free_address(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.citizen)
    wrong = client.post(
        "/account/security/email",
        data={"email": "ny@example.org", "current_password": "gjett"},
        headers=EN,
    )
    assert wrong.status_code == 422
    taken = client.post(
        "/account/security/email",
        data={"email": world.employee.email, "current_password": PASSWORD},
        headers=EN,
    )
    assert taken.status_code == 409
    assert session.exec(select(OutboxMessage)).all() == []


def test_wrong_current_passwords_count_toward_the_throttle(
    client: TestClient, world: World
) -> None:
    login(client, world.citizen)
    form = {"password": NEW, "password_again": NEW, "current_password": "gjett"}
    for _ in range(10):
        assert client.post("/account/security/password", data=form).status_code == 422
    refused = client.post(
        "/account/security/password", data={**form, "current_password": PASSWORD}, headers=EN
    )
    assert refused.status_code == 429


def test_security_pages_link_and_need_a_login(client: TestClient, world: World) -> None:
    assert client.get("/account/security", headers=EN).status_code == 401
    assert 'href="/forgot-password"' in client.get("/login").text
    login(client, world.citizen)
    assert 'href="/account/security"' in client.get("/profile").text
    assert world.citizen.email in client.get("/account/security").text


def test_a_made_up_link_is_refused_clearly(client: TestClient, world: World) -> None:
    for path in ("/reset-password/nope", "/change-email/nope"):
        page = client.get(path, headers=EN)
        assert page.status_code == 422
        assert "This link is not valid" in page.text
