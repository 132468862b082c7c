"""The `pivotal` command: serve, migrate, demo, createuser, export."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from sqlmodel import select

from app.models.base import OrganisationKind, Role

if TYPE_CHECKING:
    from alembic.config import Config

cli = typer.Typer(
    help="Pivotal – open platform for innovative public procurement.", no_args_is_help=True
)
ROOT = Path(__file__).resolve().parent.parent
EnumT = TypeVar("EnumT", bound=StrEnum)


def _choice(kind: type[EnumT], value: str, option: str) -> EnumT:
    """An enumerated option's value; a wrong one is a one-line message, not a usage box."""
    try:
        return kind(value)
    except ValueError:
        from app.services.errors import Invalid

        choices = ", ".join(member.value for member in kind)
        raise Invalid(f"{option} must be one of {choices}, not {value!r}.") from None


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration for this project (PIVOTAL_DATABASE_URL unless a URL is given)."""
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cli.command()
def migrate(revision: str = "head") -> None:
    """Upgrade the database schema to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    typer.echo("Database is up to date.")


@cli.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only load into an empty database.")
    ] = False,
) -> None:
    """Load the demo: Trondheim, Stjørdal, Trøndelag, two suppliers, NTNU, two projects."""
    from app.db import new_session
    from app.demo import load_demo
    from app.models import User

    with new_session() as session:
        if session.exec(select(User).limit(1)).first() is not None:
            if if_empty:
                typer.echo("Database already has data; demo not loaded.")
                return
            typer.echo(
                "The database is not empty; the demo loads only into an empty database.", err=True
            )
            raise typer.Exit(code=1)
        load_demo(session)
        session.commit()
    typer.echo("Demo loaded. Log in with any demo account and the password pivotal-demo.")


@cli.command()
def createuser(
    email: Annotated[str, typer.Option(help="Login e-mail")],
    password: Annotated[str, typer.Option(help="At least 10 characters")],
    role: Annotated[
        str, typer.Option(help="citizen, employee, procurer, supplier, researcher or admin")
    ],
    org: Annotated[
        str | None, typer.Option(help="Organisation name (created if new) or organisation number")
    ] = None,
    org_kind: Annotated[
        str | None,
        typer.Option(
            help="municipality, county, supplier or research, when the organisation is new"
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    moderator: Annotated[
        bool, typer.Option(help="A platform moderator: works every visible moderation queue")
    ] = False,
) -> None:
    """Create a user of any role, in an organisation."""
    from pydantic import ValidationError

    from app.db import new_session
    from app.models import Organisation
    from app.models.organisation import OrganisationCreate
    from app.models.user import UserCreate
    from app.services import accounts
    from app.services.errors import PivotalError

    with new_session() as session:
        try:
            user_role = _choice(Role, role, "--role")
            kind = _choice(OrganisationKind, org_kind, "--org-kind") if org_kind else None
            org_id = None
            if org:
                found = session.exec(
                    select(Organisation).where(
                        (Organisation.name == org) | (Organisation.org_number == org)
                    )
                ).first()
                if found is None and org.replace(" ", "").isdigit():
                    typer.echo(f"No organisation has the number {org}; give its name.", err=True)
                    raise typer.Exit(code=2)
                if found is None:
                    kind = kind or accounts.default_org_kind(user_role)
                    data = OrganisationCreate(name=org, kind=kind)
                    found = Organisation.model_validate(data)
                    session.add(found)
                    session.flush()
                org_id = found.id
            user_data = UserCreate(
                email=email,
                password=password,
                role=user_role,
                organisation_id=org_id,
                display_name=name or email.split("@")[0],
            )
            user = accounts.create_user(session, data=user_data, email_verified=True)
            user.is_moderator = moderator
            session.commit()
        except ValidationError as exc:
            typer.echo(
                f"Invalid input: {exc.errors()[0]['loc'][-1]}: {exc.errors()[0]['msg']}", err=True
            )
            raise typer.Exit(code=2) from None
        except PivotalError as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(code=2) from None
    moderating = ", a platform moderator" if user.is_moderator else ""
    typer.echo(f"Created {user.role} {user.email} (id {user.id}){moderating}.")


# How `pivotal serve` runs uvicorn; benchmarks/serving.py serves its apps alike.
UVICORN_OPTIONS: dict[str, Any] = {
    "proxy_headers": True,
    # The sans-I/O WebSocket protocol writes a frame straight to the transport: about a third
    # less CPU per send than the legacy one and no tasks of its own per socket (docs/performance.md,
    # "Fan-out to 10,000: one loop per push").
    "ws": "websockets-sansio",
    "ws_ping_interval": 20,
    # Compression costs a zlib context per socket (most of a viewer's memory) and CPU per
    # socket per push; the fragments are small, so it is off.
    "ws_per_message_deflate": False,
    # Every request is logged once, as JSON with its id and time (app/observability.py):
    # uvicorn's own line for it said the same again, at some 4 % of a page's CPU.
    "access_log": False,
}


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Defaults to $HOST, else 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Defaults to $PORT, else 8000")] = None,
    workers: int = 1,
    reload: bool = False,
) -> None:
    """Serve the platform with uvicorn."""
    import uvicorn

    from app.config import get_settings

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    # The app (in this process or in uvicorn's workers) reads its settings again: an address
    # given here must reach it, so a public URL left unset follows it.
    os.environ["PIVOTAL_HOST"], os.environ["PIVOTAL_PORT"] = host, str(port)
    get_settings.cache_clear()
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        **UVICORN_OPTIONS,
    )


@cli.command()
def retention(
    at: Annotated[
        str | None, typer.Option(help="Apply as of this moment (ISO 8601); defaults to now")
    ] = None,
) -> None:
    """Anonymise the contributions in closed projects past their owner's retention time."""
    from datetime import datetime

    from app.services.privacy import run_retention

    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            typer.echo(f"Not a moment in ISO 8601: {at}", err=True)
            raise typer.Exit(code=2) from None
        if moment.tzinfo is None:
            typer.echo(
                "Give the moment with its time zone, e.g. 2027-01-01T00:00:00+00:00.", err=True
            )
            raise typer.Exit(code=2)
    moved = run_retention(moment)
    typer.echo(f"Anonymised the contributions of {moved} people in closed projects.")


@cli.command("export")
def export_study(
    study: Annotated[int, typer.Option("--study", help="The study's id")],
    out: Annotated[Path, typer.Option("--out", help="The zip file to write")],
    free_text: Annotated[
        bool, typer.Option("--free-text", help="Include free text (if the study allows it)")
    ] = False,
) -> None:
    """Export a study's pseudonymised research data as a Frictionless Data Package (zip)."""
    from rich.progress import Progress

    from app.db import new_session
    from app.models import Study
    from app.services import research
    from app.services.errors import PivotalError

    with new_session() as session:
        found = session.get(Study, study)
        if found is None:
            typer.echo(f"No study has the id {study}.", err=True)
            raise typer.Exit(code=2)
        with Progress(transient=True) as bar:
            task = bar.add_task("Exporting", total=len(research.TABLES))

            def advance(step: str) -> None:
                table, _, rows = step.partition(":")
                if rows:
                    bar.update(task, description=f"{table} ({rows} rows)")
                else:
                    bar.update(task, description=table, completed=research.TABLES.index(table))

            try:
                summary = research.export_study(
                    session, study=found, out=out, free_text=free_text, progress=advance
                )
            except PivotalError as exc:
                typer.echo(exc.message, err=True)
                raise typer.Exit(code=2) from None
            bar.update(task, completed=len(research.TABLES))
    rows = ", ".join(f"{name} {count}" for name, count in summary.rows.items())
    typer.echo(f"Wrote {out} ({rows}).")


def main() -> None:
    """Entry point of the console script."""
    cli()
