"""The `pivotal` command: create users of any role, load the demo once, explain mistakes briefly."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import cli
from app.demo import DEMO_PASSWORD, PEOPLE, USERS
from app.models import Organisation, Project, User

runner = CliRunner()


def _createuser(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, ["createuser", *args])


def _stored(session: Session, model: type, **where: object) -> list:  # type: ignore[type-arg]
    session.expire_all()
    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return list(session.exec(query).all())


def test_createuser_makes_a_procurer_in_a_new_municipality(
    database_url: str, session: Session
) -> None:
    result = _createuser(
        "--email",
        "Ingrid@Trondheim.example",
        "--password",
        "et langt passord",
        "--role",
        "procurer",
        "--org",
        "Trondheim kommune",
    )
    assert result.exit_code == 0, result.output
    assert "Created procurer ingrid@trondheim.example" in result.output
    [org] = _stored(session, Organisation, name="Trondheim kommune")
    assert org.kind == "municipality"
    [user] = _stored(session, User, email="ingrid@trondheim.example")
    assert user.role == "procurer"
    assert user.organisation_id == org.id
    assert user.password_hash.startswith("$argon2id$")


def test_createuser_joins_an_existing_organisation(database_url: str, session: Session) -> None:
    for email in ("a@trondheim.example", "b@trondheim.example"):
        result = _createuser(
            "--email", email, "--password", "et langt passord", "--role", "employee", "--org",
            "Trondheim kommune",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    assert len(_stored(session, Organisation, name="Trondheim kommune")) == 1


def test_created_user_can_log_in(database_url: str, client: TestClient) -> None:
    _createuser("--email", "admin@example.org", "--password", "et langt passord", "--role", "admin")
    response = client.post(
        "/api/v1/auth/token",
        data={"username": "admin@example.org", "password": "et langt passord"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "king"], "--role must be one of citizen, employee, procurer"),
        (["--role", "procurer", "--org", "X", "--org-kind", "kingdom"], "--org-kind must be one"),
        (["--role", "procurer", "--password", "kort"], "password"),
        (["--role", "citizen", "--email", "not-an-address"], "email"),
        (["--role", "citizen", "--org", "Trondheim kommune"], "does not belong to an organisation"),
        (["--role", "supplier"], "Choose an organisation of the right kind"),
    ],
)
def test_createuser_mistakes_exit_non_zero_with_a_short_message(
    database_url: str, session: Session, args: list[str], message: str
) -> None:
    defaults = {"--email": "ny@example.org", "--password": "et langt passord"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    flat = [item for pair in {**defaults, **given}.items() for item in pair]
    result = _createuser(*flat)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _stored(session, User) == []
    assert _stored(session, Organisation) == []


@pytest.mark.parametrize(("password", "role"), [("kort", "citizen"), ("et langt passord", "king")])
def test_createuser_bad_role_or_short_password_is_one_line(
    database_url: str, password: str, role: str
) -> None:
    result = _createuser("--email", "ny@example.org", "--password", password, "--role", role)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_createuser_refuses_a_taken_email(database_url: str, session: Session) -> None:
    args = ["--email", "ny@example.org", "--password", "et langt passord", "--role", "citizen"]
    assert _createuser(*args).exit_code == 0
    result = _createuser(*args)
    assert result.exit_code == 2
    assert result.output.strip() == "An account with this e-mail address already exists."
    assert len(_stored(session, User)) == 1


def test_refused_createuser_leaves_no_new_organisation_behind(
    database_url: str, session: Session
) -> None:
    args = ["--email", "ny@example.org", "--password", "et langt passord", "--role", "citizen"]
    assert _createuser(*args).exit_code == 0
    result = _createuser(*args[:-1], "employee", "--org", "Ny kommune")  # the e-mail is taken
    assert result.exit_code == 2
    assert _stored(session, Organisation, name="Ny kommune") == []


def test_demo_loads_the_demo_accounts_once(
    database_url: str, session: Session, client: TestClient
) -> None:
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    emails = {user.email for user in _stored(session, User)}
    assert emails == {email for email, _name, _role, _org in [*USERS, *PEOPLE]}
    assert len(_stored(session, Project)) == 3
    for email, _name, role, _org in USERS:
        response = client.post(
            "/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, email
        me = client.get(
            "/api/v1/auth/me",
            headers={"Authorization": f"Bearer {response.json()['access_token']}"},
        )
        assert me.json()["role"] == role

    again = runner.invoke(cli, ["demo"])
    assert again.exit_code == 1
    assert "not empty" in again.output
    assert len(_stored(session, User)) == len(USERS) + len(PEOPLE)


def test_demo_if_empty_skips_quietly_on_a_loaded_database(database_url: str) -> None:
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    result = runner.invoke(cli, ["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output


def test_demo_participation_log_is_as_real_as_any(database_url: str, client: TestClient) -> None:
    runner.invoke(cli, ["demo"])
    token = client.post(
        "/api/v1/auth/token",
        data={"username": "forsker@ntnu.example", "password": DEMO_PASSWORD},
    ).json()["access_token"]
    projects = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"}).json()
    verbs: set[str] = set()
    for project in projects:
        events = client.get(
            f"/api/v1/projects/{project['id']}/participation-events",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        verbs |= {event["verb"] for event in events}
    assert {"posted_need", "supported", "commented", "replied", "verified_need"} <= verbs
    assert {"moved_phase", "registered"} <= verbs


def test_demo_has_a_project_that_reached_the_market_dialogue_through_gate_decisions(
    database_url: str, client: TestClient
) -> None:
    runner.invoke(cli, ["demo"])
    token = client.post(
        "/api/v1/auth/token",
        data={"username": "innkjoper@trondheim.example", "password": DEMO_PASSWORD},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    [project] = [
        p for p in client.get("/api/v1/projects").json() if p["phase"] == "market_dialogue"
    ]
    phase = client.get(f"/api/v1/projects/{project['id']}/phase").json()
    assert [(m["from_phase"], m["to_phase"]) for m in phase["history"]] == [
        ("preparation", "needs"),
        ("needs", "market_dialogue"),
    ]
    assert all(len(m["rationale"]) >= 10 for m in phase["history"])
    suppliers = client.get(f"/api/v1/projects/{project['id']}/suppliers", headers=headers).json()
    assert {s["organisation_name"] for s in suppliers} == {"Helsetek AS", "Klimaløs AS"}
    log = client.get(f"/api/v1/projects/{project['id']}/audit-log", headers=headers).json()
    assert [e["action"] for e in log if e["object_type"] == "project"] == [
        "phase_moved",
        "phase_moved",
    ]
    demo_events = client.get(f"/api/v1/projects/{project['id']}/events", headers=headers).json()
    conference, meetings = demo_events
    assert (conference["confirmed_count"], conference["waitlist_count"]) == (2, 1)
    assert (meetings["slot_count"], meetings["free_slot_count"]) == (6, 5)


def test_demo_documents_go_to_their_audiences(database_url: str, client: TestClient) -> None:
    runner.invoke(cli, ["demo"])
    [project] = [
        p for p in client.get("/api/v1/projects").json() if p["phase"] == "market_dialogue"
    ]
    url = f"/api/v1/projects/{project['id']}/documents"
    [public] = client.get(url).json()
    assert public["kind"] == "needs_description"
    pdf = client.get(public["url"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    token = client.post(
        "/api/v1/auth/token",
        data={"username": "leverandor@helsetek.example", "password": DEMO_PASSWORD},
    ).json()["access_token"]
    seen = client.get(url, headers={"Authorization": f"Bearer {token}"}).json()
    assert {d["kind"] for d in seen} == {"needs_description", "draft_specification"}


def test_createuser_makes_a_platform_moderator(database_url: str, session: Session) -> None:
    result = _createuser(
        "--email",
        "mona@pivotal.example",
        "--password",
        "et langt passord",
        "--role",
        "citizen",
        "--moderator",
    )
    assert result.exit_code == 0, result.output
    assert "a platform moderator" in result.output
    [user] = _stored(session, User, email="mona@pivotal.example")
    assert user.is_moderator is True


def _served(
    monkeypatch: pytest.MonkeyPatch, *args: str, env: dict[str, str] | None = None
) -> dict[str, object]:
    """Run `pivotal serve` with uvicorn replaced, in an environment with only `env` for the
    address; what uvicorn would have been given, and the public URL the app would use."""
    import uvicorn

    from app.config import get_settings

    for name in ("HOST", "PORT", "PIVOTAL_HOST", "PIVOTAL_PORT", "PIVOTAL_BASE_URL"):
        monkeypatch.setenv(name, "")  # restored after the test, even what serve sets itself
        monkeypatch.delenv(name)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli, ["serve", *args])
        assert result.exit_code == 0, result.output
        seen["base_url"] = get_settings().base_url
    finally:
        get_settings.cache_clear()
    return seen


def test_serve_listens_on_this_machine_at_8000_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    served = _served(monkeypatch)
    assert (served["host"], served["port"]) == ("127.0.0.1", 8000)
    assert served["base_url"] == "http://127.0.0.1:8000"


def test_serve_takes_host_and_port_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    served = _served(monkeypatch, env={"HOST": "0.0.0.0", "PORT": "8081"})
    assert (served["host"], served["port"]) == ("0.0.0.0", 8081)


def test_serve_on_another_port_links_to_that_port(monkeypatch: pytest.MonkeyPatch) -> None:
    served = _served(monkeypatch, "--host", "localhost", "--port", "8090")
    assert (served["host"], served["port"]) == ("localhost", 8090)
    assert served["base_url"] == "http://localhost:8090"
