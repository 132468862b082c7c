"""Supplier registration for the market dialogue: who, when, once per company, who sees the list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.models.base import OrganisationKind, Phase, Role
from app.services import permissions
from tests.conftest import SUPPLIER_ORG_NUMBER, Factory, World
from tests.helpers import Api

OTHER_ORG_NUMBER = "986105174"


@pytest.fixture
def dialogue(api: Api, world: World) -> World:
    """The world with its public project in the market dialogue."""
    api.advance(world.procurer, world.public.id, Phase.market_dialogue)
    return world


def _register(api: Api, world: World, user: Any) -> Any:
    return api.post(f"/projects/{world.public.id}/suppliers", user)


def _other_supplier(factory: Factory, org_number: str | None = OTHER_ORG_NUMBER) -> Any:
    org = factory.org(OrganisationKind.supplier, name="Konkurrent AS", org_number=org_number)
    return factory.user(Role.supplier, org, name="Kim Konkurrent")


# ---- registering ---------------------------------------------------------------------------------


def test_supplier_registers_its_company_for_the_market_dialogue(api: Api, dialogue: World) -> None:
    world = dialogue
    response = _register(api, world, world.supplier)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["project_id"] == world.public.id
    assert body["organisation_id"] == world.supplier_org.id
    assert body["organisation_name"] == "Leverandør AS"
    assert body["org_number"] == SUPPLIER_ORG_NUMBER
    assert body["registered_by"] == world.supplier.display_name


def test_registration_is_logged_as_participation(api: Api, dialogue: World) -> None:
    world = dialogue
    registration = _register(api, world, world.supplier).json()
    event = api.events(world.procurer, world.public.id)[-1]
    assert event["verb"] == "registered"
    assert (event["object_type"], event["object_id"]) == (
        "supplier_registration",
        registration["id"],
    )
    assert (event["actor_role"], event["actor_org_kind"]) == ("supplier", "supplier")
    assert event["phase"] == "market_dialogue"


def test_the_relation_knows_a_registered_supplier(
    api: Api, dialogue: World, session: Session, factory: Factory
) -> None:
    world = dialogue
    colleague = factory.user(Role.supplier, world.supplier_org)
    assert not permissions.relation(session, world.supplier, world.public).is_registered_supplier
    _register(api, world, world.supplier)
    session.expire_all()
    for user in (world.supplier, colleague):  # the company is registered, not the person
        assert permissions.relation(session, user, world.public).is_registered_supplier
    assert not permissions.relation(
        session, _other_supplier(factory), world.public
    ).is_registered_supplier
    assert not permissions.relation(session, world.procurer, world.public).is_registered_supplier
    assert not permissions.relation(session, None, world.public).is_registered_supplier
    assert permissions.is_registered_supplier(session, world.public, world.supplier_org.id)
    assert not permissions.is_registered_supplier(session, world.internal, world.supplier_org.id)


def test_a_company_registers_once(api: Api, dialogue: World, factory: Factory) -> None:
    world = dialogue
    assert _register(api, world, world.supplier).status_code == 201
    colleague = factory.user(Role.supplier, world.supplier_org)
    for user in (world.supplier, colleague):
        again = _register(api, world, user)
        assert again.status_code == 409
        assert again.json() == {
            "detail": "Your company is already registered for this market dialogue.",
            "code": "conflict",
        }
    assert len(api.get(f"/projects/{world.public.id}/suppliers", world.procurer).json()) == 1
    verbs = [e["verb"] for e in api.events(world.procurer, world.public.id)]
    assert verbs.count("registered") == 1


@pytest.mark.parametrize("phase", [Phase.needs, Phase.competition, Phase.aborted])
def test_registration_is_open_only_during_the_market_dialogue(
    api: Api, world: World, phase: Phase
) -> None:
    api.advance(world.procurer, world.public.id, phase)
    response = _register(api, world, world.supplier)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Suppliers can only register during the market")
    assert api.get(f"/projects/{world.public.id}/suppliers", world.procurer).json() == []


def test_registration_refusal_is_in_bokmal_by_default(api: Api, world: World) -> None:
    response = api.post(
        f"/projects/{world.public.id}/suppliers",
        world.supplier,
        headers={"Accept-Language": "nb"},
    )
    assert response.json()["detail"] == (
        "Leverandører kan bare melde seg på under markedsdialogen; "
        "prosjektet er nå i fasen «Behov»."
    )


@pytest.mark.parametrize(
    "user", ["citizen", "employee", "procurer", "other_procurer", "researcher", "admin"]
)
def test_only_suppliers_register(api: Api, dialogue: World, user: str) -> None:
    world = dialogue
    response = _register(api, world, world.member(user))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only suppliers can register a company for the market dialogue."
    )


def test_anonymous_visitor_cannot_register(api: Api, dialogue: World) -> None:
    assert _register(api, dialogue, None).status_code == 401


@pytest.mark.parametrize("org_number", [None, "123456789"])  # none, and a wrong check digit
def test_a_company_without_a_valid_organisation_number_cannot_register(
    api: Api, dialogue: World, factory: Factory, org_number: str | None
) -> None:
    world = dialogue
    response = _register(api, world, _other_supplier(factory, org_number))
    assert response.status_code == 403
    assert "valid Norwegian organisation number" in response.json()["detail"]
    assert api.get(f"/projects/{world.public.id}/suppliers", world.procurer).json() == []


def test_supplier_cannot_register_for_an_internal_project(api: Api, world: World) -> None:
    api.advance(world.procurer, world.internal.id, Phase.market_dialogue)
    response = api.post(f"/projects/{world.internal.id}/suppliers", world.supplier)
    assert response.status_code == 404


# ---- who sees the registrations ------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["procurer", "partner_procurer", "admin"])
def test_procurers_see_every_registered_company_with_its_number(
    api: Api, dialogue: World, factory: Factory, reader: str
) -> None:
    world = dialogue
    _register(api, world, world.supplier)
    _register(api, world, _other_supplier(factory))
    listed = api.get(f"/projects/{world.public.id}/suppliers", world.member(reader)).json()
    assert [(r["organisation_name"], r["org_number"]) for r in listed] == [
        ("Leverandør AS", SUPPLIER_ORG_NUMBER),
        ("Konkurrent AS", OTHER_ORG_NUMBER),
    ]


def test_a_supplier_sees_only_its_own_registration(
    api: Api, dialogue: World, factory: Factory
) -> None:
    world = dialogue
    competitor = _other_supplier(factory)
    assert api.get(f"/projects/{world.public.id}/suppliers", world.supplier).json() == []
    _register(api, world, competitor)
    assert api.get(f"/projects/{world.public.id}/suppliers", world.supplier).json() == []
    _register(api, world, world.supplier)
    [mine] = api.get(f"/projects/{world.public.id}/suppliers", world.supplier).json()
    assert mine["organisation_name"] == "Leverandør AS"


@pytest.mark.parametrize(
    "reader", ["other_procurer", "employee", "partner_employee", "citizen", "researcher"]
)
def test_others_cannot_list_registered_suppliers(api: Api, dialogue: World, reader: str) -> None:
    world = dialogue
    _register(api, world, world.supplier)
    response = api.get(f"/projects/{world.public.id}/suppliers", world.member(reader))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only the project's procurers can see which suppliers are registered."
    )


def test_anonymous_visitor_cannot_list_registered_suppliers(api: Api, dialogue: World) -> None:
    assert api.get(f"/projects/{dialogue.public.id}/suppliers").status_code == 401
