"""Memberships are vouched for: by a proven address in a verified domain, an administrator's
approval, an invitation, a company's registration or a platform administrator; the people page,
the platform's organisation page and the organisation's audit log."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from starlette.websockets import WebSocketDisconnect

from app.models import AuditEntry, Membership, Organisation, User
from app.models.base import Phase, Role
from app.models.membership import MembershipStatus, VouchedBy
from app.services import mail, memberships, permissions, projects
from tests.conftest import CSRF_RE, SUPPLIER_ORG_NUMBER, Mailbox, World, body_of, login
from tests.helpers import EN, NEW_PASSWORD, ORIGIN, next_message, register, stored_user

VERIFY_RE = re.compile(r"http://testserver(/verify-email/[\w-]+)")
INVITE_RE = re.compile(r"http://testserver(/invitations/[\w-]+)")


@pytest.fixture
def org_admin(world: World, session: Session) -> User:
    """The owner municipality's procurer, made its administrator by a platform administrator."""
    rel = permissions.organisation_relation(session, world.admin, world.owner)
    memberships.grant_admin(session, rel=rel, email=world.procurer.email)
    memberships.add_domain(session, rel=rel, domain="eier.example")
    session.commit()
    return world.procurer


def _post(client: TestClient, path: str, **data: str):
    """A form post from a page of the logged-in browser (its CSRF token)."""
    token = CSRF_RE.search(client.get("/profile").text).group(1)  # type: ignore[union-attr]
    return client.post(path, data={**data, "csrf_token": token}, headers=EN, follow_redirects=False)


def _confirm_address(client: TestClient, mailbox: Mailbox, email: str) -> None:
    assert mail.send_due() >= 1
    path = VERIFY_RE.search(body_of(mailbox.wait_for(email))).group(1)  # type: ignore[union-attr]
    page = client.get(path)
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    assert client.post(path, data={"csrf_token": token}).status_code == 200


def _request_of(session: Session, email: str) -> Membership:
    session.expire_all()
    user = stored_user(session, email)
    assert user is not None
    return session.exec(select(Membership).where(Membership.user_id == user.id)).one()


# ---- the domain path -----------------------------------------------------------------------------


def test_a_proven_address_in_a_verified_domain_makes_the_employee(
    client: TestClient, world: World, org_admin: User, session: Session, smtp_server: Mailbox
) -> None:
    register(
        client, email="kari@eier.example", role="employee", organisation_id=str(world.owner.id)
    )
    assert _request_of(session, "kari@eier.example").status == MembershipStatus.pending
    _confirm_address(client, smtp_server, "kari@eier.example")
    membership = _request_of(session, "kari@eier.example")
    assert (membership.status, membership.vouched_by) == (MembershipStatus.active, VouchedBy.domain)
    kari = stored_user(session, "kari@eier.example")
    assert kari is not None and (kari.role, kari.organisation_id) == ("employee", world.owner.id)


def test_a_proven_address_outside_the_domains_still_waits_for_approval(
    client: TestClient, world: World, org_admin: User, session: Session, smtp_server: Mailbox
) -> None:
    register(
        client, email="kari@gmail.example", role="employee", organisation_id=str(world.owner.id)
    )
    _confirm_address(client, smtp_server, "kari@gmail.example")
    assert _request_of(session, "kari@gmail.example").status == MembershipStatus.pending
    kari = stored_user(session, "kari@gmail.example")
    assert kari is not None and kari.role == "citizen"


def test_an_address_in_the_domain_that_is_not_proven_stays_pending(
    client: TestClient, world: World, org_admin: User, session: Session, smtp_server: Mailbox
) -> None:
    register(
        client, email="kari@eier.example", role="employee", organisation_id=str(world.owner.id)
    )
    assert _request_of(session, "kari@eier.example").status == MembershipStatus.pending


def test_the_domain_of_one_municipality_does_not_vouch_for_another(
    client: TestClient, world: World, org_admin: User, session: Session, smtp_server: Mailbox
) -> None:
    register(
        client, email="kari@eier.example", role="employee", organisation_id=str(world.partner.id)
    )
    _confirm_address(client, smtp_server, "kari@eier.example")
    assert _request_of(session, "kari@eier.example").status == MembershipStatus.pending


def test_registering_a_taken_address_mails_its_owner(
    client: TestClient, world: World, smtp_server: Mailbox
) -> None:
    register(client, email=world.citizen.email)
    assert mail.send_due() == 1
    notice = smtp_server.wait_for(world.citizen.email)
    assert "/login" in body_of(notice)
    assert "/verify-email/" not in body_of(notice)


# ---- approval on the people page -----------------------------------------------------------------


def test_an_administrator_approves_a_request_on_the_people_page(
    client: TestClient, other_client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    register(client, email="ola@example.org", role="employee", organisation_id=str(world.owner.id))
    request = _request_of(session, "ola@example.org")
    login(other_client, org_admin)
    page = other_client.get(f"/organisations/{world.owner.id}/people", headers=EN)
    assert page.status_code == 200 and "ola@example.org" in page.text
    done = _post(other_client, f"/organisations/{world.owner.id}/people/{request.id}/approve")
    assert done.status_code == 303
    request = _request_of(session, "ola@example.org")
    assert (request.status, request.vouched_by, request.decided_by_id) == (
        MembershipStatus.active,
        VouchedBy.approval,
        org_admin.id,
    )
    ola = stored_user(session, "ola@example.org")
    assert ola is not None and (ola.role, ola.organisation_id) == ("employee", world.owner.id)
    again = _post(other_client, f"/organisations/{world.owner.id}/people/{request.id}/approve")
    assert again.status_code == 409


def test_a_declined_request_leaves_a_citizen(
    client: TestClient, other_client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    register(client, email="ola@example.org", role="employee", organisation_id=str(world.owner.id))
    request = _request_of(session, "ola@example.org")
    login(other_client, org_admin)
    done = _post(other_client, f"/organisations/{world.owner.id}/people/{request.id}/decline")
    assert done.status_code == 303
    assert _request_of(session, "ola@example.org").status == MembershipStatus.revoked
    ola = stored_user(session, "ola@example.org")
    assert ola is not None and ola.role == "citizen"


@pytest.mark.parametrize("who", ["employee", "partner_procurer", "citizen", "supplier", "procurer"])
def test_only_the_organisations_administrators_decide_requests(
    client: TestClient, other_client: TestClient, world: World, session: Session, who: str
) -> None:
    """No administrator is made here: even the owner's procurer only invites."""
    register(client, email="ola@example.org", role="employee", organisation_id=str(world.owner.id))
    request = _request_of(session, "ola@example.org")
    login(other_client, getattr(world, who))
    done = _post(other_client, f"/organisations/{world.owner.id}/people/{request.id}/approve")
    assert done.status_code == 403
    assert _request_of(session, "ola@example.org").status == MembershipStatus.pending


def test_an_administrator_cannot_decide_another_organisations_requests(
    client: TestClient, other_client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    register(
        client, email="ola@example.org", role="employee", organisation_id=str(world.partner.id)
    )
    request = _request_of(session, "ola@example.org")
    login(other_client, org_admin)
    through_own = _post(
        other_client, f"/organisations/{world.owner.id}/people/{request.id}/approve"
    )
    assert through_own.status_code == 404
    directly = _post(other_client, f"/organisations/{world.partner.id}/people/{request.id}/approve")
    assert directly.status_code == 403


def test_revoking_needs_a_confirmation_and_leaves_a_citizen(
    client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    membership = session.exec(
        select(Membership).where(Membership.user_id == world.employee.id)
    ).one()
    login(client, org_admin)
    path = f"/organisations/{world.owner.id}/people/{membership.id}/revoke"
    unconfirmed = _post(client, path)
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text
    assert _post(client, path, confirm="yes").status_code == 303
    session.expire_all()
    employee = session.get(User, world.employee.id)
    assert employee is not None and (employee.role, employee.organisation_id) == ("citizen", None)
    internal = client.get(f"/api/v1/projects/{world.internal.id}", headers=EN)
    assert internal.status_code == 200  # the administrator still sees it
    login(client, employee)
    assert client.get(f"/projects/{world.internal.id}").status_code == 404


def test_the_last_administrator_cannot_revoke_themselves(
    client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    own = session.exec(
        select(Membership).where(
            Membership.user_id == org_admin.id, col(Membership.is_org_admin).is_(True)
        )
    ).one()
    login(client, org_admin)
    refused = _post(
        client, f"/organisations/{world.owner.id}/people/{own.id}/revoke", confirm="yes"
    )
    assert refused.status_code == 409


# ---- domains -------------------------------------------------------------------------------------


def test_administrators_add_and_remove_domains(
    client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    login(client, org_admin)
    assert _post(client, f"/organisations/{world.owner.id}/domains", domain="@Ny.Eier.Example")
    added = session.exec(
        select(memberships.OrganisationDomain).where(
            memberships.OrganisationDomain.domain == "ny.eier.example"
        )
    ).one()
    for bad in ("not a domain", "eier", "a@b.example", ""):
        response = _post(client, f"/organisations/{world.owner.id}/domains", domain=bad)
        assert response.status_code == 422, bad
    taken = _post(client, f"/organisations/{world.owner.id}/domains", domain="eier.example")
    assert taken.status_code == 409
    removed = _post(client, f"/organisations/{world.owner.id}/domains/{added.id}/remove")
    assert removed.status_code == 303
    session.expire_all()
    left = session.exec(select(memberships.OrganisationDomain.domain)).all()
    assert left == ["eier.example"]


def test_a_procurer_who_is_not_an_administrator_cannot_add_domains(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.procurer)
    response = _post(client, f"/organisations/{world.owner.id}/domains", domain="eier.example")
    assert response.status_code == 403


# ---- invitations ---------------------------------------------------------------------------------


def _invitation_link(mailbox: Mailbox, email: str) -> str:
    assert mail.send_due() >= 1
    return INVITE_RE.search(body_of(mailbox.wait_for(email))).group(1)  # type: ignore[union-attr]


def test_an_invitation_creates_the_account_and_membership_once(
    client: TestClient,
    other_client: TestClient,
    world: World,
    org_admin: User,
    session: Session,
    smtp_server: Mailbox,
) -> None:
    login(client, org_admin)
    sent = _post(
        client,
        f"/organisations/{world.owner.id}/invitations",
        email="Nina@Example.org",
        role="procurer",
    )
    assert sent.status_code == 303
    shown = client.get(sent.headers["location"], headers=EN)
    assert "The invitation has been sent." in shown.text
    path = _invitation_link(smtp_server, "nina@example.org")
    page = other_client.get(path, headers=EN)
    assert page.status_code == 200 and "Create your account" in page.text
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    form = {"display_name": "Nina Ny", "password": NEW_PASSWORD, "csrf_token": token}
    created = other_client.post(f"{path}/register", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    nina = stored_user(session, "nina@example.org")
    assert nina is not None
    assert (nina.role, nina.organisation_id) == ("procurer", world.owner.id)
    assert nina.email_verified_at is not None  # the link reached the address
    assert _request_of(session, "nina@example.org").vouched_by == VouchedBy.invitation
    assert other_client.get("/api/v1/auth/me").json()["id"] == nina.id  # logged in
    assert other_client.get(path, headers=EN).status_code == 422  # the link was used


def test_an_existing_account_accepts_only_when_logged_in_with_the_invited_address(
    client: TestClient,
    other_client: TestClient,
    world: World,
    org_admin: User,
    session: Session,
    smtp_server: Mailbox,
) -> None:
    login(client, org_admin)
    _post(
        client,
        f"/organisations/{world.owner.id}/invitations",
        email=world.citizen.email,
        role="employee",
    )
    path = _invitation_link(smtp_server, world.citizen.email)
    assert "Log in with it to accept" in other_client.get(path, headers=EN).text
    login(other_client, world.other_employee)
    wrong = _post(other_client, f"{path}/accept")
    assert wrong.status_code == 403
    other_client.cookies.clear()
    other_client.headers.pop("X-CSRF-Token")
    login(other_client, world.citizen)
    assert _post(other_client, f"{path}/accept").status_code == 303
    session.expire_all()
    citizen = session.get(User, world.citizen.id)
    assert citizen is not None and (citizen.role, citizen.organisation_id) == (
        "employee",
        world.owner.id,
    )
    assert _post(other_client, f"{path}/accept").status_code == 422  # single use


@pytest.mark.parametrize(
    ("who", "role", "allowed"),
    [
        ("org_admin", "procurer", True),
        ("org_admin", "supplier", False),  # not a role a municipality has
        ("procurer_only", "employee", True),
        ("procurer_only", "procurer", True),
        ("employee", "employee", False),
        ("partner_procurer", "employee", False),
        ("admin", "procurer", True),
    ],
)
def test_who_may_invite_into_which_role(
    client: TestClient, world: World, session: Session, who: str, role: str, allowed: bool
) -> None:
    if who == "org_admin":
        rel = permissions.organisation_relation(session, world.admin, world.owner)
        memberships.grant_admin(session, rel=rel, email=world.procurer.email)
        session.commit()
    user = {"org_admin": world.procurer, "procurer_only": world.procurer}.get(who) or getattr(
        world, who
    )
    login(client, user)
    response = _post(
        client, f"/organisations/{world.owner.id}/invitations", email="x@example.org", role=role
    )
    assert (response.status_code == 303) == allowed, response.text
    assert response.status_code < 500


# ---- supplier companies --------------------------------------------------------------------------


def test_a_supplier_registers_its_company_and_becomes_its_administrator(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.citizen)
    refused = _post(client, "/companies/register", name="Ny Bedrift AS", org_number="123456789")
    assert refused.status_code == 422 and "Organisation number" in refused.text
    taken = _post(client, "/companies/register", name="Kopi AS", org_number=SUPPLIER_ORG_NUMBER)
    assert taken.status_code == 409
    done = _post(client, "/companies/register", name="Ny Bedrift AS", org_number="986 105 174")
    assert done.status_code == 303
    org = session.exec(select(Organisation).where(Organisation.org_number == "986105174")).one()
    assert org.kind == "supplier" and org.org_number_verified_at is None
    membership = _request_of(session, world.citizen.email)
    assert (membership.role, membership.is_org_admin, membership.vouched_by) == (
        "supplier",
        True,
        VouchedBy.company_registration,
    )
    page = client.get(f"/organisations/{org.id}/people", headers=EN)
    assert page.status_code == 200 and "Invite someone" in page.text


# ---- platform administration ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["procurer", "employee", "citizen", "supplier", "researcher"])
def test_only_platform_administrators_see_the_organisations_page(
    client: TestClient, world: World, who: str
) -> None:
    login(client, getattr(world, who))
    assert client.get("/admin/organisations").status_code == 403
    assert (
        _post(client, "/admin/organisations", name="Ny kommune", kind="municipality").status_code
        == 403
    )


def test_a_platform_administrator_creates_verifies_and_deactivates(
    client: TestClient, world: World, session: Session
) -> None:
    login(client, world.admin)
    assert client.get("/admin/organisations", headers=EN).status_code == 200
    bad = _post(client, "/admin/organisations", name="X", kind="municipality")
    assert bad.status_code == 422
    assert (
        _post(client, "/admin/organisations", name="Nykommune", kind="municipality").status_code
        == 303
    )
    created = session.exec(select(Organisation).where(Organisation.name == "Nykommune")).one()
    assert (
        _post(
            client, f"/admin/organisations/{created.id}/admins", email=world.citizen.email
        ).status_code
        == 303
    )
    session.expire_all()
    citizen = session.get(User, world.citizen.id)
    assert citizen is not None and (citizen.role, citizen.organisation_id) == (
        "procurer",
        created.id,
    )
    verified = _post(client, f"/admin/organisations/{world.supplier_org.id}/verify-number")
    assert verified.status_code == 303
    path = f"/admin/organisations/{world.owner.id}/deactivate"
    assert _post(client, path).status_code == 422  # not confirmed
    assert _post(client, path, confirm="yes").status_code == 303
    session.expire_all()
    for member in (world.procurer, world.employee):
        stored = session.get(User, member.id)
        assert stored is not None and (stored.role, stored.organisation_id) == ("citizen", None)
    login(client, world.employee)
    assert client.get(f"/projects/{world.internal.id}").status_code == 404


# ---- several memberships -------------------------------------------------------------------------


def test_a_person_with_two_memberships_chooses_the_one_they_act_in(
    client: TestClient, world: World, session: Session
) -> None:
    memberships.grant(
        session,
        user=world.employee,
        organisation=world.partner,
        role=memberships.MembershipRole.procurer,
        vouched_by=VouchedBy.platform_admin,
        actor=world.admin,
    )
    session.commit()
    session.refresh(world.employee)
    assert world.employee.organisation_id == world.owner.id  # still acting where they were
    second = session.exec(
        select(Membership).where(
            Membership.user_id == world.employee.id, Membership.organisation_id == world.partner.id
        )
    ).one()
    login(client, world.employee)
    page = client.get("/profile/memberships", headers=EN)
    assert "Act in this role" in page.text
    assert _post(client, "/profile/act-as", membership_id=str(second.id)).status_code == 303
    me = client.get("/api/v1/auth/me").json()
    assert (me["role"], me["organisation_id"]) == ("procurer", world.partner.id)
    someone_elses = session.exec(
        select(Membership).where(Membership.user_id == world.procurer.id)
    ).first()
    assert someone_elses is not None
    assert _post(client, "/profile/act-as", membership_id=str(someone_elses.id)).status_code == 404


# ---- the organisation's audit log ----------------------------------------------------------------


def test_the_audit_log_records_every_decision_and_who_used_platform_powers(
    client: TestClient, other_client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    register(client, email="ola@example.org", role="employee", organisation_id=str(world.owner.id))
    request = _request_of(session, "ola@example.org")
    login(other_client, org_admin)
    _post(other_client, f"/organisations/{world.owner.id}/people/{request.id}/approve")
    entries = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.organisation_id == world.owner.id,
            AuditEntry.action != "membership_granted",  # the test cast, set up by the operator
        )
        .order_by(col(AuditEntry.id))
    ).all()
    assert [(e.action, e.as_platform_admin) for e in entries] == [
        ("org_admin_granted", True),
        ("domain_added", True),
        ("membership_requested", False),
        ("membership_approved", False),
    ]
    page = other_client.get(f"/organisations/{world.owner.id}/audit", headers=EN)
    assert page.status_code == 200
    assert "Request approved" in page.text and "as platform administrator" in page.text
    login(client, world.employee)
    assert client.get(f"/organisations/{world.owner.id}/audit").status_code == 403


def test_project_audit_entries_say_when_a_platform_administrator_acted(
    client: TestClient, world: World, session: Session
) -> None:
    for actor, following in (
        (world.procurer, Phase.market_dialogue),
        (world.admin, Phase.competition),
    ):
        rel = permissions.relation(session, actor, world.public)
        projects.move_phase(
            session, rel=rel, to_phase=following, rationale="Klare for neste steg nå."
        )
    session.commit()
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.project_id == world.public.id)
        .order_by(col(AuditEntry.id))
    ).all()
    assert [(e.actor_role, e.as_platform_admin) for e in entries] == [
        (Role.procurer, False),
        (Role.admin, True),
    ]
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}/audit-log", headers=EN)
    assert page.text.count("as platform administrator") == 1


def test_pages_of_an_unknown_organisation_are_404(client: TestClient, world: World) -> None:
    login(client, world.admin)
    for path in ("/organisations/999999/people", "/organisations/999999/audit"):
        assert client.get(path).status_code == 404


def test_pages_ask_visitors_to_log_in(client: TestClient, world: World) -> None:
    for path in (
        f"/organisations/{world.owner.id}/people",
        f"/organisations/{world.owner.id}/audit",
        "/admin/organisations",
        "/profile/memberships",
    ):
        assert client.get(path).status_code == 401, path


# ---- live sockets follow the membership ----------------------------------------------------------


def _closed_within(ws, timeout: float = 5.0) -> int:  # type: ignore[no-untyped-def]
    """The close code of the socket, failing (not hanging) if it stays open."""
    for _ in range(20):
        message = next_message(ws, timeout)
        if message["type"] == "websocket.close":
            return int(message["code"])
    raise AssertionError("the socket stayed open")


def test_revoking_closes_the_persons_live_sockets_and_they_cannot_come_back(
    client: TestClient, other_client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    membership = session.exec(
        select(Membership).where(Membership.user_id == world.employee.id)
    ).one()
    login(client, world.employee)
    login(other_client, org_admin)
    with client.websocket_connect(f"/ws/projects/{world.internal.id}", headers=ORIGIN) as ws:
        ws.receive_text()
        revoked = _post(
            other_client,
            f"/organisations/{world.owner.id}/people/{membership.id}/revoke",
            confirm="yes",
        )
        assert revoked.status_code == 303
        assert _closed_within(ws) == 1012  # reconnect, to be checked anew
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/ws/projects/{world.internal.id}", headers=ORIGIN) as ws,
    ):
        ws.receive_text()
