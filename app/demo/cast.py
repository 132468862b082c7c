"""The demo's cast, read from `story.toml`: organisations, accounts and people, and the
platform administrator's set-up of the organisations."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.models import Organisation, User
from app.models.base import OrganisationKind, Role
from app.models.user import UserCreate
from app.services import accounts, memberships, permissions

DEMO_PASSWORD = "pivotal-demo"
STORY: dict[str, Any] = tomllib.loads(Path(__file__).with_name("story.toml").read_text("utf-8"))

# (key, name, kind, organisation number) of every organisation.
ORGANISATIONS = [
    (o["key"], o["name"], OrganisationKind(o["kind"]), o["org_number"])
    for o in STORY["organisations"]
]


def _people(section: str) -> list[tuple[str, str, Role, str | None]]:
    """(e-mail, name, role, organisation key) of everyone in a section of the story."""
    return [(p["email"], p["name"], Role(p["role"]), p.get("organisation")) for p in STORY[section]]


USERS = _people("accounts")  # the demo accounts the README lists, one per role
PEOPLE = _people("people")  # the others who take part


def person_key(email: str) -> str:
    """How the story names a person: `ansatt@trondheim`, or `lars.eriksen` for the others."""
    local, domain = email.split("@")
    return local if any(email == p[0] for p in PEOPLE) else f"{local}@{domain.split('.')[0]}"


def create_cast(session: Session) -> tuple[dict[str, Organisation], dict[str, User]]:
    """The organisations and every account (one shared password), by their story keys."""
    orgs: dict[str, Organisation] = {}
    for key, name, kind, number in ORGANISATIONS:
        org = Organisation(name=name, kind=kind, org_number=number)
        session.add(org)
        session.flush()
        orgs[key] = org
    users: dict[str, User] = {}
    shared_hash = accounts.hash_password(DEMO_PASSWORD)
    for email, name, role, org_key in [*USERS, *PEOPLE]:
        data = UserCreate(
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            role=role,
            organisation_id=orgs[org_key].id if org_key else None,
        )
        users[person_key(email)] = accounts.create_user(
            session, data=data, password_hash=shared_hash, email_verified=True
        )
    return orgs, users


def set_up_organisations(
    session: Session, users: dict[str, User], orgs: dict[str, Organisation]
) -> None:
    """The platform administrator verifies every organisation's number and names the
    administrators (and verified domains) the story lists."""
    admin = users[STORY["platform_administrator"]]
    for org in orgs.values():
        rel = permissions.organisation_relation(session, admin, org)
        memberships.verify_org_number(session, rel=rel)
    for entry in STORY["administrator"]:
        rel = permissions.organisation_relation(session, admin, orgs[entry["organisation"]])
        memberships.grant_admin(session, rel=rel, email=entry["email"])
        for domain in entry.get("domains", []):
            memberships.add_domain(session, rel=rel, domain=domain)
