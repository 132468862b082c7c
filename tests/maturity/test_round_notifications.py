"""A member invited by account to answer a self-assessment round is told on their notifications
page, and by e-mail as their notification settings say; only while the invitation stands."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import MaturityRound, Notification
from app.models.base import Role, utcnow
from app.models.notification import Delivery, NotificationKind
from app.services.notifications import delivery
from tests.conftest import Factory, World, login
from tests.helpers import EN, Api, counted_queries
from tests.maturity.conftest import invite_member, open_round
from tests.notifications.conftest import kinds, mails_to, revoke_membership

ANSWER = re.compile(r"/maturity/rounds/\d+/answer")


def _answer_url(round_: MaturityRound) -> str:
    return f"/maturity/rounds/{round_.id}/answer"


def test_the_invitee_sees_the_invitation_on_the_page_and_in_the_api_with_a_working_link(
    api: Api, client: TestClient, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.employee)
    page = api.get("/me/notifications", world.employee).json()
    assert page["unread_count"] == 1
    [item] = page["items"]
    assert item["kind"] == "round_invitation" and item["project_id"] is None
    assert item["maturity_round_id"] == maturity_round.id
    assert item["url"] == _answer_url(maturity_round)
    assert item["text"].startswith(
        "Petra Procurer invites you to answer Eierkommune's self-assessment “Modenhet 2026” by "
    )
    login(client, world.employee)
    html = client.get("/me/notifications", headers=EN).text
    assert f'href="{_answer_url(maturity_round)}"' in html
    assert client.get(_answer_url(maturity_round), headers=EN).status_code == 200


def test_nobody_else_hears_of_it(
    api: Api, session: Session, world: World, factory: Factory, maturity_round: MaturityRound
) -> None:
    colleague = factory.user(Role.employee, world.owner, name="Kari Kollega")
    invite_member(session, world, maturity_round, world.employee)
    for other in (colleague, world.procurer, world.admin, world.citizen):
        assert kinds(session, other) == []
        assert api.get("/me/notifications", other).json()["items"] == []
    assert [m.to_address for m in mails_to(session, colleague)] == []


def test_it_is_mailed_at_once_in_the_invitees_language_by_default(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    world.employee.language = "en"
    session.add(world.employee)
    session.commit()
    invite_member(session, world, maturity_round, world.employee)
    [mail] = mails_to(session, world.employee)
    assert mail.subject.startswith("Pivotal: Petra Procurer invites you to answer Eierkommune's")
    assert f"Open it: http://testserver{_answer_url(maturity_round)}\n" in mail.body_text
    assert "List-Unsubscribe" in mail.headers_json
    assert session.exec(select(Notification)).one().emailed_at is not None


def test_no_mail_when_the_invitee_turned_the_kind_off_and_the_digest_when_they_chose_it(
    session: Session, world: World, factory: Factory, maturity_round: MaturityRound
) -> None:
    leader = factory.user(Role.employee, world.owner, name="Lise Leder")
    delivery.set_preferences(
        session, user=world.employee, choices={NotificationKind.round_invitation: Delivery.off}
    )
    delivery.set_preferences(
        session, user=leader, choices={NotificationKind.round_invitation: Delivery.digest}
    )
    session.commit()
    invite_member(session, world, maturity_round, world.employee)
    invite_member(session, world, maturity_round, leader)
    assert mails_to(session, world.employee) == [] and mails_to(session, leader) == []
    assert kinds(session, world.employee) == ["round_invitation"]
    assert delivery.send_digests(session, now=utcnow() + timedelta(days=2)) == 1
    [digest] = mails_to(session, leader)
    assert ANSWER.search(digest.body_text) is not None
    assert "Modenhet 2026" in digest.body_text
    assert mails_to(session, world.employee) == []


def test_it_disappears_when_the_invitation_is_removed_and_its_link_is_a_404(
    api: Api, client: TestClient, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    respondent_id = invite_member(session, world, maturity_round, world.employee)
    assert api.get("/me/notifications", world.employee).json()["unread_count"] == 1
    removed = api.request(
        "DELETE",
        f"/maturity/rounds/{maturity_round.id}/respondents/{respondent_id}",
        world.procurer,
    )
    assert removed.status_code == 204, removed.text
    page = api.get("/me/notifications", world.employee).json()
    assert page == {"unread_count": 0, "items": [], "next_before": None}
    assert kinds(session, world.employee) == []  # it went with the invitation
    login(client, world.employee)
    assert client.get(_answer_url(maturity_round), headers=EN).status_code == 404
    # Invited again: told again, once.
    invite_member(session, world, maturity_round, world.employee)
    items = api.get("/me/notifications", world.employee).json()["items"]
    assert len(items) == 1 and kinds(session, world.employee) == ["round_invitation"]


def test_a_notification_whose_invitation_no_longer_stands_is_not_shown(
    api: Api, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    respondent_id = invite_member(session, world, maturity_round, world.employee)
    notification = session.exec(select(Notification)).one()
    notification.object_id = respondent_id + 1000  # an invitation that is gone
    session.add(notification)
    session.commit()
    assert api.get("/me/notifications", world.employee).json()["items"] == []


def test_the_inviter_who_invites_themselves_gets_no_notification(
    session: Session, world: World, maturity_round: MaturityRound
) -> None:
    invite_member(session, world, maturity_round, world.procurer)
    assert kinds(session, world.procurer) == [] and mails_to(session, world.procurer) == []


def test_it_shows_exactly_while_its_link_opens_also_after_the_membership_ends(
    api: Api, client: TestClient, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    # A respondent keeps their round when they leave the municipality (`round_relation`), so
    # the invitation stays too; were that to change, both would go together.
    invite_member(session, world, maturity_round, world.employee)
    revoke_membership(session, world, world.employee)
    login(client, world.employee)
    opens = client.get(_answer_url(maturity_round), headers=EN).status_code == 200
    shown = api.get("/me/notifications", world.employee).json()["unread_count"] == 1
    assert opens and shown


def _statements(api: Api, world: World) -> int:
    with counted_queries() as statements:
        assert api.get("/me/notifications", world.employee).status_code == 200
    return len(statements)


def test_project_and_round_notifications_list_together_in_a_constant_number_of_queries(
    api: Api, session: Session, world: World, maturity_round: MaturityRound
) -> None:
    need = api.post_need(world.employee, world.public.id)
    api.comment(world.procurer, need["id"], "Godt behov.")
    invite_member(session, world, maturity_round, world.employee)
    items = api.get("/me/notifications", world.employee).json()["items"]
    assert [item["kind"] for item in items] == ["round_invitation", "comment_on_need"]
    assert [item["project_id"] is None for item in items] == [True, False]
    one = _statements(api, world)
    for days in (20, 30, 40):
        invite_member(session, world, open_round(session, world, days=days), world.employee)
    assert api.get("/me/notifications", world.employee).json()["unread_count"] == 5
    assert _statements(api, world) == one
