"""E-mail: immediate kinds at once, the rest in one daily digest (a fake clock moves the day),
choices per kind, and the RFC 8058 one-click unsubscribe that a GET never triggers."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import Notification
from app.models.base import utcnow
from app.models.notification import Delivery, DeliveryChoices, NotificationKind
from app.services import mail
from app.services.notifications import delivery
from tests.conftest import CSRF_RE, Mailbox, World, body_of, login
from tests.helpers import Api
from tests.notifications.conftest import mails_to, revoke_membership

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _reply_to_citizen(api: Api, world: World) -> dict[str, int]:
    need = api.post_need(world.employee, world.public.id)
    first = api.comment(world.citizen, need["id"], "Dette kjenner jeg igjen.")
    api.comment(world.procurer, need["id"], "Takk, vi ser på det.", parent_id=first["id"])
    return {"need": need["id"], "comment": first["id"]}


def _token_of(message: object) -> str:
    header = str(message.headers_json)  # type: ignore[attr-defined]
    start = header.index("/unsubscribe/") + len("/unsubscribe/")
    return header[start : header.index(">", start)]


def test_a_reply_is_mailed_at_once_in_bokmal_with_one_click_unsubscribe_headers(
    api: Api, world: World, session: Session, smtp_server: Mailbox
) -> None:
    ids = _reply_to_citizen(api, world)
    assert mail.send_due() >= 1
    received = smtp_server.wait_for(world.citizen.email)
    base = get_settings().base_url
    # A long header is folded on the wire; unfolded, it is the one link in angle brackets.
    assert received["List-Unsubscribe"].strip().startswith(f"<{base}/unsubscribe/")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = body_of(received)
    assert "svarte på kommentaren din" in text  # bokmål: the citizen chose no other language
    assert f"{base}/needs/{ids['need']}#comment-" in text


def test_the_needs_author_gets_comments_in_the_digest_not_at_once(
    api: Api, world: World, session: Session
) -> None:
    _reply_to_citizen(api, world)
    assert mails_to(session, world.employee) == []  # comment_on_need: digest by default
    rows = session.exec(
        select(Notification).where(Notification.recipient_id == world.employee.id)
    ).all()
    assert {row.delivery for row in rows} == {Delivery.digest}


def test_mail_speaks_the_recipients_stored_language(
    api: Api, world: World, session: Session
) -> None:
    world.citizen.language = "en"
    session.add(world.citizen)
    session.commit()
    _reply_to_citizen(api, world)
    (message,) = mails_to(session, world.citizen)
    assert "replied to your comment" in message.body_text


def test_a_kind_turned_off_is_never_mailed_but_still_shown(
    api: Api, world: World, session: Session
) -> None:
    delivery.set_preferences(
        session, user=world.citizen, choices={NotificationKind.reply: Delivery.off}
    )
    session.commit()
    _reply_to_citizen(api, world)
    assert mails_to(session, world.citizen) == []
    assert api.get("/me/notifications", world.citizen).json()["unread_count"] == 1
    delivery.send_digests(session, now=utcnow() + timedelta(days=2))
    assert mails_to(session, world.citizen) == []


def test_the_digest_goes_out_once_a_day_after_its_hour(
    api: Api, world: World, session: Session
) -> None:
    _reply_to_citizen(api, world)  # two comments on the employee's need: digest items
    made = session.exec(
        select(Notification.created_at).where(Notification.recipient_id == world.employee.id)
    ).first()
    assert made is not None
    slot = delivery.digest_slot(made) + timedelta(days=1)  # the first digest moment after them
    assert delivery.send_digests(session, now=slot - timedelta(minutes=1)) == 0
    assert mails_to(session, world.employee) == []
    assert delivery.send_digests(session, now=slot + timedelta(minutes=1)) == 1
    (digest,) = mails_to(session, world.employee)
    assert digest.body_text.count("kommenterte behovet ditt") == 2  # both, in one mail
    assert "List-Unsubscribe-Post" in digest.headers_json
    # The next round, and the next process, find nothing left to send.
    assert delivery.send_digests(session, now=slot + timedelta(minutes=2)) == 0
    assert len(mails_to(session, world.employee)) == 1


def test_an_item_made_after_the_digest_hour_waits_for_the_next_day(
    api: Api, world: World, session: Session
) -> None:
    _reply_to_citizen(api, world)
    made = session.exec(
        select(Notification.created_at).where(Notification.recipient_id == world.employee.id)
    ).first()
    assert made is not None
    slot = delivery.digest_slot(made)  # the moment before they were made
    assert delivery.send_digests(session, now=slot + timedelta(hours=23)) == 0
    assert delivery.send_digests(session, now=slot + timedelta(days=1, seconds=1)) == 1


def test_two_processes_claiming_the_same_digest_send_it_once(
    api: Api, world: World, session: Session
) -> None:
    _reply_to_citizen(api, world)
    ids = list(
        session.exec(
            select(Notification.id).where(Notification.recipient_id == world.employee.id)
        ).all()
    )
    now = utcnow()
    assert delivery._claim(session, [i for i in ids if i], now)  # the first process
    session.commit()
    assert not delivery._claim(session, [i for i in ids if i], now)  # the second finds them taken


def test_a_digest_leaves_out_what_the_person_may_no_longer_open(
    api: Api, world: World, session: Session
) -> None:
    need = api.post_need(world.employee, world.internal.id)
    api.comment(world.procurer, need["id"])
    revoke_membership(session, world, world.employee)
    later = utcnow() + timedelta(days=2)
    assert delivery.send_digests(session, now=later) == 0
    assert mails_to(session, world.employee) == []
    pending = session.exec(select(Notification).where(col(Notification.emailed_at).is_(None))).all()
    assert pending == []  # looked at once, not again every round


def test_one_click_post_unsubscribes_from_that_kind_only(
    api: Api, world: World, session: Session, client: TestClient
) -> None:
    _reply_to_citizen(api, world)
    (message,) = mails_to(session, world.citizen)
    token = _token_of(message)
    response = client.post(f"/unsubscribe/{token}", data=ONE_CLICK)  # no login, no CSRF
    assert response.status_code == 200
    session.expire_all()
    chosen = delivery.preferences(session, user_id=world.citizen.id or 0)
    assert chosen[NotificationKind.reply] == Delivery.off
    assert chosen[NotificationKind.need_status] == Delivery.immediate
    again = client.post(f"/unsubscribe/{token}", data=ONE_CLICK)
    assert again.status_code == 200  # reusable: a second click is harmless


def test_opening_the_unsubscribe_link_only_asks(
    api: Api, world: World, session: Session, client: TestClient
) -> None:
    _reply_to_citizen(api, world)
    (message,) = mails_to(session, world.citizen)
    page = client.get(f"/unsubscribe/{_token_of(message)}")
    assert page.status_code == 200 and 'method="post"' in page.text
    session.expire_all()
    chosen = delivery.preferences(session, user_id=world.citizen.id or 0)
    assert chosen[NotificationKind.reply] == Delivery.immediate


def test_a_digests_link_turns_off_every_kind_it_carries(world: World, session: Session) -> None:
    user_id = world.citizen.id or 0
    delivery.unsubscribe(session, token=delivery.unsubscribe_token(user_id, delivery.DIGEST))
    chosen = delivery.preferences(session, user_id=user_id)
    assert chosen[NotificationKind.followed_need] == Delivery.off
    assert chosen[NotificationKind.reply] == Delivery.immediate


def test_a_forged_or_mangled_token_is_refused(
    world: World, client: TestClient, session: Session
) -> None:
    token = delivery.unsubscribe_token(world.citizen.id or 0, "reply")
    other = str(world.employee.id)
    for bad in (
        token[:-2],
        other + token[token.index(".") :],
        "99999999999999999999.reply.x",
        "1.nothing.x",
        "x" * 300,
    ):
        response = client.post(f"/unsubscribe/{bad}", data=ONE_CLICK)
        assert response.status_code == 422, bad


def test_the_settings_form_stores_a_choice_per_kind(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.citizen)
    page = client.get("/me/notifications/settings")
    assert page.status_code == 200
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    saved = client.post(
        "/me/notifications/settings",
        data={"csrf_token": token, "reply": "digest", "followed_need": "off"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    chosen = delivery.preferences(session, user_id=world.citizen.id or 0)
    assert chosen[NotificationKind.reply] == Delivery.digest
    assert chosen[NotificationKind.followed_need] == Delivery.off
    refused = client.post(
        "/me/notifications/settings", data={"csrf_token": token, "reply": "sometimes"}
    )
    assert refused.status_code == 422


def test_the_settings_form_has_a_field_for_every_kind() -> None:
    assert list(DeliveryChoices.model_fields) == [kind.value for kind in NotificationKind]
