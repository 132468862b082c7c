"""Self-registration gives a citizen's account; asking to be an employee waits to be vouched for."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Membership, User
from app.models.membership import MembershipStatus
from tests.conftest import World, login
from tests.helpers import EN, NEW_PASSWORD, register, stored_user


def _me(client: TestClient):
    return client.get("/api/v1/auth/me", headers=EN)


def test_citizen_registers_and_is_told_to_check_the_mail(
    client: TestClient, world: World, session: Session
) -> None:
    response = register(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/register/sent"
    assert "Check your e-mail" in client.get("/register/sent", headers=EN).text
    user = stored_user(session, "ny@example.org")
    assert user is not None and user.role == "citizen" and user.organisation_id is None
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash


def test_asking_to_be_an_employee_gives_a_citizen_account_and_a_pending_request(
    client: TestClient, world: World, session: Session
) -> None:
    response = register(client, role="employee", organisation_id=str(world.owner.id))
    assert response.status_code == 303
    user = stored_user(session, "ny@example.org")
    assert user is not None
    assert (user.role, user.organisation_id) == ("citizen", None)
    request = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert (request.organisation_id, request.role, request.status) == (
        world.owner.id,
        "employee",
        MembershipStatus.pending,
    )
    login(client, user, password=NEW_PASSWORD)
    assert _me(client).json()["role"] == "citizen"


@pytest.mark.parametrize("employer", ["none", "supplier_org", "research_org"])
def test_employee_must_name_a_municipality_or_county(
    client: TestClient, world: World, session: Session, employer: str
) -> None:
    org = getattr(world, employer, None)
    response = register(client, role="employee", organisation_id=str(org.id) if org else "")
    assert response.status_code == 422
    assert "organisation of the right kind" in response.text
    assert stored_user(session, "ny@example.org") is None


@pytest.mark.parametrize("role", ["procurer", "admin", "supplier", "researcher"])
def test_privileged_roles_cannot_register_themselves(
    client: TestClient, world: World, session: Session, role: str
) -> None:
    org = world.owner if role == "procurer" else None
    response = register(client, role=role, organisation_id=str(org.id) if org else "")
    assert response.status_code == 422
    assert "citizen or a public-sector employee" in response.text
    assert stored_user(session, "ny@example.org") is None


def test_citizen_does_not_belong_to_an_organisation(
    client: TestClient, world: World, session: Session
) -> None:
    response = register(client, role="citizen", organisation_id=str(world.owner.id))
    assert response.status_code == 422
    assert stored_user(session, "ny@example.org") is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"display_name": "    "}, "Your name cannot be blank."),
        ({"password": "kort"}, "Password must be at least 10 characters."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    client: TestClient, world: World, session: Session, fields: dict[str, str], message: str
) -> None:
    response = register(client, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert stored_user(session, "ny@example.org") is None


@pytest.mark.parametrize("email", ["ny@example.org", "Ny@Example.ORG"])
def test_registering_a_taken_address_answers_exactly_as_a_new_one(
    client: TestClient, other_client: TestClient, world: World, session: Session, email: str
) -> None:
    first = register(client)
    again = register(other_client, email=email, display_name="Mallory", password="noe annet helt")
    assert (again.status_code, again.headers["location"]) == (
        first.status_code,
        first.headers["location"],
    )
    owners = session.exec(select(User).where(col(User.email) == "ny@example.org")).all()
    assert [u.display_name for u in owners] == ["Nina Ny"]
    login(other_client, owners[0], password=NEW_PASSWORD)  # the owner's password still works


def test_registering_a_taken_address_makes_no_request_in_its_name(
    client: TestClient, world: World, session: Session
) -> None:
    response = register(
        client, email=world.citizen.email, role="employee", organisation_id=str(world.owner.id)
    )
    assert response.status_code == 303
    requests = session.exec(select(Membership).where(Membership.user_id == world.citizen.id)).all()
    assert requests == []
