"""DELETE /api/v1/me and the profile's form: contributions stay as a deleted user's, the person
goes (e-mail, name, password, sessions, tokens, memberships) and can register again."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import (
    ApiToken,
    AuditEntry,
    Comment,
    Erasure,
    Invitation,
    LinkToken,
    LoginSession,
    Membership,
    OutboxMessage,
    ParticipationEvent,
    Question,
    User,
)
from app.models.membership import MembershipRole
from app.models.user import Registration
from app.services import accounts, memberships, permissions
from tests.conftest import PASSWORD, World, login
from tests.helpers import ORIGIN, Api, close_codes
from tests.market import ASKED, Market

DELETED = "Slettet bruker"


def delete_me(api: Api, user: Any, password: str = PASSWORD, confirm: str = "SLETT") -> Any:
    return api.request("DELETE", "/me", user, json={"password": password, "confirm": confirm})


def test_a_visitor_gets_401(api: Api) -> None:
    assert delete_me(api, None).status_code == 401


def test_a_wrong_password_or_a_missing_word_changes_nothing(
    api: Api, world: World, session: Session
) -> None:
    assert delete_me(api, world.citizen, password="feil passord").status_code == 422
    refused = delete_me(api, world.citizen, confirm="ja")
    assert refused.status_code == 422 and "SLETT" in refused.text
    assert delete_me(api, world.citizen, confirm="").status_code == 422
    session.expire_all()
    assert session.get(User, world.citizen.id).deleted_at is None  # type: ignore[union-attr]
    assert api.get("/auth/me", world.citizen).status_code == 200


def test_deleting_keeps_the_contributions_and_removes_the_person(
    api: Api, world: World, scene: Market, session: Session, client: TestClient
) -> None:
    supplier = world.supplier
    name, email = supplier.display_name, supplier.email
    headers = api.headers(supplier)  # a token made before the deletion
    assert delete_me(api, supplier).status_code == 204
    session.expire_all()
    # What goes: the e-mail, name and password; sessions, tokens, memberships.
    row = session.get(User, supplier.id)
    assert row is not None and row.deleted_at is not None
    assert (row.display_name, row.organisation_id) == (DELETED, None)
    assert email not in row.email and row.email.endswith(".invalid")
    for model, column in (
        (LoginSession, LoginSession.user_id),
        (ApiToken, ApiToken.user_id),
        (Membership, Membership.user_id),
    ):
        assert not session.exec(select(model).where(column == supplier.id)).all()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    login_again = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert login_again.status_code == 401
    # What stays: the contributions, as a deleted user's.
    asked = session.exec(select(Question).where(Question.body == ASKED)).one()
    assert asked.asked_by_id == supplier.id
    # The participation log keeps role and organisation kind, nothing that points at the person.
    events = session.exec(
        select(ParticipationEvent).where(
            col(ParticipationEvent.project_id) == scene.project,
            col(ParticipationEvent.actor_role) == "supplier",
            col(ParticipationEvent.actor_id).is_(None),
        )
    ).all()
    assert {e.verb for e in events} >= {"asked", "proposed", "registered"}
    assert all(e.actor_org_id is None and e.actor_org_kind == "supplier" for e in events)
    assert not session.exec(
        select(ParticipationEvent).where(
            (col(ParticipationEvent.actor_id) == supplier.id)
            | (col(ParticipationEvent.addressee_id) == supplier.id)
        )
    ).all()
    # A trace of the deletion, without personal data.
    erasure = session.exec(select(Erasure)).one()
    assert erasure.cause == "account_deleted" and erasure.people == 1
    kept = " ".join(str(getattr(erasure, field)) for field in Erasure.model_fields)
    assert name not in kept and email not in kept and str(supplier.id) not in kept.split()
    # The same address can make a new account.
    data = Registration(email=email, display_name=name, password=PASSWORD)
    fresh = accounts.register(session, data=data)
    assert fresh.id != supplier.id and fresh.email == email


def test_pages_and_the_api_show_a_deleted_user(
    api: Api, world: World, scene: Market, session: Session, client: TestClient
) -> None:
    citizen_name = world.citizen.display_name
    assert delete_me(api, world.citizen).status_code == 204
    page = client.get(f"/needs/{scene.need}")
    assert page.status_code == 200
    assert DELETED in page.text and citizen_name not in page.text
    comments = api.get(f"/needs/{scene.need}/comments", world.procurer).json()
    mine = next(c for c in comments if c["id"] == scene.comment)
    assert mine["author_name"] == DELETED
    assert session.get(Comment, scene.comment) is not None


def test_the_profile_form_deletes_and_logs_out(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.employee)
    profile = client.get("/profile")
    assert 'action="/profile/delete"' in profile.text and "SLETT" in profile.text
    refused = client.post("/profile/delete", data={"password": PASSWORD, "confirm": "nei"})
    assert refused.status_code == 422
    done = client.post(
        "/profile/delete", data={"password": PASSWORD, "confirm": "slett"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/account-deleted"
    assert client.get("/account-deleted").status_code == 200
    assert client.get("/profile", follow_redirects=False).status_code in (303, 401)
    session.expire_all()
    assert session.get(User, world.employee.id).deleted_at is not None  # type: ignore[union-attr]


def test_each_person_deletes_only_themselves(api: Api, world: World, session: Session) -> None:
    assert delete_me(api, world.citizen).status_code == 204
    session.expire_all()
    others = session.exec(
        select(User).where(col(User.deleted_at).is_not(None), col(User.id) != world.citizen.id)
    ).all()
    assert others == []
    assert api.get("/auth/me", world.employee).status_code == 200


def test_deleting_closes_the_persons_open_sockets(
    client: TestClient, api: Api, world: World
) -> None:
    login(client, world.employee)
    with client.websocket_connect(f"/ws/projects/{world.internal.id}", headers=ORIGIN) as ws:
        assert 'id="needs-list"' in ws.receive_text()
        assert delete_me(api, world.employee).status_code == 204  # from another device
        assert close_codes(ws) == [1008]  # without the close, the socket would stay open


def test_every_view_of_the_project_still_works_after_a_deletion(
    api: Api, world: World, scene: Market, client: TestClient
) -> None:
    assert delete_me(api, world.supplier).status_code == 204
    assert delete_me(api, world.citizen).status_code == 204
    project = scene.project
    for reader in (world.procurer, world.researcher, None):
        for path in (
            f"/projects/{project}/metrics",
            f"/projects/{project}/participation-events",
            f"/projects/{project}/questions",
            f"/projects/{project}/proposals",
            f"/projects/{project}/ocds",
        ):
            response = api.get(path, reader)
            assert response.status_code in (200, 401, 403), (path, response.text)
        log = api.get(f"/projects/{project}/participation-events", world.procurer).json()
        anonymous = [e for e in log if e["actor_id"] is None and e["actor_role"] == "supplier"]
        assert anonymous and len({e["actor"] for e in anonymous}) == len(anonymous)
    login(client, world.procurer)
    for path in (f"/projects/{project}", f"/projects/{project}/audit-log", f"/needs/{scene.need}"):
        assert client.get(path).status_code == 200, path


def test_an_invitation_and_its_mail_to_the_address_are_exported_then_emptied(
    api: Api, world: World, session: Session
) -> None:
    citizen, address = world.citizen, world.citizen.email
    rel = permissions.organisation_relation(session, world.admin, world.owner)
    memberships.invite(session, rel=rel, email=address, role=MembershipRole.employee)
    session.commit()
    tables = api.get("/me/export", citizen).json()["tables"]
    assert [i["email"] for i in tables["invitation"]] == [address]
    assert "invited_by_id" not in tables["invitation"][0]
    assert [m["to_address"] for m in tables["outbox_message"]] == [address]
    assert [t["email"] for t in tables["link_token"]] == [address]
    assert delete_me(api, citizen).status_code == 204
    session.expire_all()
    invitation = session.exec(select(Invitation)).one()  # the organisation's record stays
    assert invitation.email != address and invitation.email.endswith(".invalid")
    sent = session.exec(select(AuditEntry).where(AuditEntry.action == "invitation_sent")).one()
    assert sent.after == {"email": invitation.email, "role": "employee"}
    for model, column in ((OutboxMessage, OutboxMessage.to_address), (LinkToken, LinkToken.email)):
        assert not session.exec(select(model).where(column == address)).all()


def test_the_organisations_audit_log_still_reads_after_a_member_is_deleted(
    api: Api, world: World, scene: Market, client: TestClient
) -> None:
    assert delete_me(api, world.procurer).status_code == 204  # made an administrator
    login(client, world.admin)
    for path in (
        f"/organisations/{world.owner.id}/audit",
        f"/organisations/{world.owner.id}/audit.csv",
        f"/organisations/{world.owner.id}/people",
        f"/projects/{scene.project}/audit-log",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Petra Procurer" not in response.text, path
