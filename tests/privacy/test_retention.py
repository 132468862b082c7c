"""Retention: past the owner's retention time after a project closed, the people's
contributions there are anonymised; tested with the clock given to the job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import cli
from app.models import AuditEntry, Comment, Erasure, Need, Organisation, ParticipationEvent, User
from app.models.base import Phase, utcnow
from app.services import permissions, privacy
from tests.conftest import World, login
from tests.helpers import Api
from tests.market import Market

DAY = timedelta(days=1)


def set_owner_retention(session: Session, world: World, months: int | None) -> None:
    rel = permissions.organisation_relation(session, world.admin, world.owner)
    privacy.set_retention(session, rel=rel, months=months)
    session.commit()


def contribute(api: Api, world: World) -> dict[str, int]:
    """The employee posts a need in each project; the citizen comments on the public one."""
    public = api.post_need(world.employee, world.public.id)["id"]
    internal = api.post_need(world.employee, world.internal.id)["id"]
    comment = api.comment(world.citizen, public)["id"]
    assert api.post(f"/needs/{public}/supports", world.citizen).status_code == 201
    return {"public": public, "internal": internal, "comment": comment}


def test_a_month_is_a_calendar_month() -> None:
    assert privacy.months_before(datetime(2027, 3, 31, 12, tzinfo=UTC), 1) == datetime(
        2027, 2, 28, 12, tzinfo=UTC
    )
    assert privacy.months_before(datetime(2027, 1, 15, tzinfo=UTC), 13).date().isoformat() == (
        "2025-12-15"
    )


def test_contributions_are_anonymised_once_the_closed_project_is_past_retention(
    api: Api, world: World, session: Session
) -> None:
    ids = contribute(api, world)
    set_owner_retention(session, world, 12)
    assert api.move_phase(world.procurer, world.public.id, Phase.aborted).status_code == 200
    closed = utcnow()

    assert privacy.apply_retention(session, now=closed + 364 * DAY) == 0  # not yet a year
    assert privacy.apply_retention(session, now=closed + 367 * DAY) == 2
    session.commit()
    session.expire_all()
    need, comment = session.get(Need, ids["public"]), session.get(Comment, ids["comment"])
    assert need is not None and comment is not None
    for row, person in ((need, world.employee), (comment, world.citizen)):
        stand_in = session.get(User, row.author_id)
        assert stand_in is not None and row.author_id != person.id
        assert stand_in.deleted_at is not None and stand_in.display_name == "Slettet bruker"
        assert stand_in.role == person.role
    events = session.exec(
        select(ParticipationEvent).where(ParticipationEvent.project_id == world.public.id)
    ).all()
    assert events and all(e.actor_id is None and e.actor_org_id is None for e in events)
    assert all(e.addressee_id is None for e in events)
    # The other project, and the people themselves, are untouched.
    internal = session.get(Need, ids["internal"])
    assert internal is not None and internal.author_id == world.employee.id
    assert api.get("/auth/me", world.employee).status_code == 200
    mine = api.get("/me/export", world.employee).json()["tables"]["need"]
    assert [n["id"] for n in mine] == [ids["internal"]]
    erasure = session.exec(select(Erasure)).one()
    assert (erasure.cause, erasure.project_id, erasure.people) == ("retention", world.public.id, 2)
    # Running again changes nothing.
    assert privacy.apply_retention(session, now=closed + 400 * DAY) == 0
    assert len(session.exec(select(Erasure)).all()) == 1


def test_open_projects_and_organisations_without_a_limit_are_kept(
    api: Api, world: World, session: Session
) -> None:
    ids = contribute(api, world)
    assert api.move_phase(world.procurer, world.public.id, Phase.aborted).status_code == 200
    far = utcnow() + 100 * 365 * DAY
    assert privacy.apply_retention(session, now=far) == 0  # the owner set no limit
    set_owner_retention(session, world, 1)
    assert privacy.due_projects(session, now=far) == [world.public.id]  # the internal one is open
    set_owner_retention(session, world, None)
    assert privacy.apply_retention(session, now=far) == 0
    session.expire_all()
    assert session.get(Need, ids["public"]).author_id == world.employee.id  # type: ignore[union-attr]


def test_the_command_applies_retention_as_of_a_moment(
    api: Api, world: World, session: Session
) -> None:
    contribute(api, world)
    set_owner_retention(session, world, 6)
    assert api.move_phase(world.procurer, world.public.id, Phase.aborted).status_code == 200
    runner = CliRunner()
    soon = runner.invoke(cli, ["retention", "--at", (utcnow() + 30 * DAY).isoformat()])
    assert soon.exit_code == 0 and "of 0 people" in soon.output
    later = runner.invoke(cli, ["retention", "--at", (utcnow() + 200 * DAY).isoformat()])
    assert later.exit_code == 0 and "of 2 people" in later.output
    bad = runner.invoke(cli, ["retention", "--at", "i morgen"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_the_owners_administrators_set_the_retention_time_on_the_people_page(
    client: TestClient, world: World, scene: Market, session: Session
) -> None:
    login(client, world.procurer)  # the market makes the owner's procurer its administrator
    page = client.get(f"/organisations/{world.owner.id}/people")
    assert 'id="retention-form"' in page.text
    url = f"/organisations/{world.owner.id}/retention"
    assert client.post(url, data={"months": "abc"}).status_code == 422
    assert client.post(url, data={"months": "0"}).status_code == 422
    saved = client.post(url, data={"months": "36"}, follow_redirects=False)
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(Organisation, world.owner.id).retention_months == 36  # type: ignore[union-attr]
    entry = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "retention_set")).one()
    assert entry.after == {"retention_months": 36} and entry.organisation_id == world.owner.id
    assert client.post(url, data={"months": ""}, follow_redirects=False).status_code == 303
    session.expire_all()
    assert session.get(Organisation, world.owner.id).retention_months is None  # type: ignore[union-attr]


def test_other_people_cannot_set_it(
    client: TestClient, world: World, scene: Market, session: Session
) -> None:
    for person in (world.citizen, world.employee, world.other_procurer):
        client.cookies.clear()
        client.headers.pop("X-CSRF-Token", None)
        login(client, person)
        url = f"/organisations/{world.owner.id}/retention"
        assert client.post(url, data={"months": "1"}).status_code == 403
    session.expire_all()
    assert session.get(Organisation, world.owner.id).retention_months is None  # type: ignore[union-attr]
