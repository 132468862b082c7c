"""Existing databases, the command line and the demo all come with vouched memberships."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import alembic_config, cli
from app.db import make_engine
from app.models import Membership, Organisation, OrganisationDomain, User
from app.models.membership import MembershipStatus, VouchedBy

BEFORE_MEMBERSHIPS = "3c1d9e7a5b20"


def test_the_migration_gives_every_existing_member_an_active_membership(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, BEFORE_MEMBERSHIPS)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (id, name, kind) VALUES (1, 'Gamle kommune', "
                "'municipality'), (2, 'Gammel AS', 'supplier')"
            )
        )
        for uid, role, org in (
            (1, "procurer", 1),
            (2, "employee", 1),
            (3, "supplier", 2),
            (4, "citizen", None),
            (5, "admin", None),
        ):
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, display_name, role, organisation_id, '
                    "language, password_hash, created_at) VALUES (:id, :email, 'Navn', :role, "
                    ":org, 'nb', 'x', '2026-01-01 00:00:00')"
                ),
                {"id": uid, "email": f"u{uid}@example.org", "role": role, "org": org},
            )
    command.upgrade(config, "head")
    with Session(engine) as session:
        found = {
            (m.user_id, m.organisation_id, m.role, m.status, m.vouched_by)
            for m in session.exec(select(Membership)).all()
        }
    engine.dispose()
    active, vouched = MembershipStatus.active, VouchedBy.cli_or_demo
    assert found == {
        (1, 1, "procurer", active, vouched),
        (2, 1, "employee", active, vouched),
        (3, 2, "supplier", active, vouched),
    }


def test_createuser_makes_an_active_membership_vouched_by_the_operator(
    database_url: str, session: Session
) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "createuser",
            "--email",
            "ny@kommune.example",
            "--password",
            "et langt passord",
            "--role",
            "procurer",
            "--org",
            "Nykommune",
        ],
    )
    assert result.exit_code == 0, result.output
    user = session.exec(select(User).where(User.email == "ny@kommune.example")).one()
    membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert (membership.role, membership.status, membership.vouched_by) == (
        "procurer",
        MembershipStatus.active,
        VouchedBy.cli_or_demo,
    )
    assert (user.role, user.organisation_id) == ("procurer", membership.organisation_id)


def test_the_demo_has_administrators_and_trondheims_domain(
    database_url: str, session: Session
) -> None:
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    trondheim = session.exec(
        select(Organisation).where(Organisation.name == "Trondheim kommune")
    ).one()
    domains = session.exec(
        select(OrganisationDomain.domain).where(OrganisationDomain.organisation_id == trondheim.id)
    ).all()
    assert domains == ["trondheim.example"]
    admins = session.exec(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)  # type: ignore[arg-type]
        .where(Membership.is_org_admin, Membership.status == MembershipStatus.active)
    ).all()
    assert set(admins) == {
        "innkjoper@trondheim.example",
        "leverandor@helsetek.example",
        "leverandor@klimalos.example",
    }
    every_member = session.exec(
        select(User).where(User.organisation_id.is_not(None))  # type: ignore[union-attr]
    ).all()
    for user in every_member:
        if user.role == "admin":
            continue
        assert session.exec(
            select(Membership).where(
                Membership.user_id == user.id,
                Membership.organisation_id == user.organisation_id,
                Membership.status == MembershipStatus.active,
            )
        ).first(), user.email
