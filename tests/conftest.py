"""Test harness: a migrated database per test (copied from one migrated template), real app."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("PIVOTAL_ENVIRONMENT", "test")
os.environ.setdefault("PIVOTAL_SECRET_KEY", "test-secret-key-that-is-long-enough-for-production")
os.environ.setdefault("PIVOTAL_BASE_URL", "http://testserver")
# Tests read their writes back at once; the visitor-page max age has tests of its own.
os.environ.setdefault("PIVOTAL_VISITOR_PAGE_MAX_AGE", "0")
os.environ.setdefault("PIVOTAL_ROLLUP_INTERVAL", "0")  # tests roll up when they mean to
os.environ.setdefault("PIVOTAL_RETENTION_INTERVAL", "0")  # tests apply retention with their clock
os.environ.setdefault("PIVOTAL_MAIL_INTERVAL", "0")  # tests send the outbox when they mean to
os.environ.setdefault("PIVOTAL_DIGEST_INTERVAL", "0")  # and the digests, with a clock of their own
# Tests post far faster than a person; the posting limits have tests of their own, and a limit
# this high still runs their counting query on every post.
os.environ.setdefault("PIVOTAL_POST_LIMIT_PER_MINUTE", "100000")
os.environ.setdefault("PIVOTAL_POST_LIMIT_PER_HOUR", "100000")
os.environ.setdefault("PIVOTAL_MAIL_DIR", tempfile.mkdtemp(prefix="pivotal-test-mail-"))

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from app import db
from app.cli import alembic_config
from app.models import Organisation, User
from app.models.base import OrganisationKind, Role
from app.models.user import UserCreate
from app.services import accounts
from app.services.render_cache import clear_all
from tests.once import built_once, run_dir

PASSWORD = "correct horse battery"
TEST_POSTGRES = os.environ.get("PIVOTAL_TEST_DATABASE_URL", "")
# One template per pytest-xdist worker (they share the server, not the template).
TEMPLATE_DB = f"pivotal_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
WORLD_DB = f"pivotal_world_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SUPPLIER_ORG_NUMBER = "974760673"  # 9 digits with a valid mod-11 check digit


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database with every migration applied; each test gets a copy of it (its path, or on
    PostgreSQL its name).

    SQLite by default, a file migrated once per run and shared by the pytest-xdist workers;
    PostgreSQL when PIVOTAL_TEST_DATABASE_URL names a server (scripts/with-postgres.sh starts a
    throwaway one), one template per worker; there a copy is CREATE DATABASE … TEMPLATE.
    """
    from alembic import command

    if TEST_POSTGRES:
        _pg_drop(TEMPLATE_DB)
        with _pg_admin() as admin:
            admin.execute(text(f'CREATE DATABASE "{TEMPLATE_DB}"'))
        command.upgrade(alembic_config(_pg_url(TEMPLATE_DB)), "head")
        yield TEMPLATE_DB
        _pg_copies.close()  # no copy may be under way while the templates go
        _pg_drop(WORLD_DB)
        _pg_drop(TEMPLATE_DB)
        return

    def migrate(folder: Path) -> None:
        folder.mkdir()
        command.upgrade(alembic_config(f"sqlite:///{folder / 'template.db'}"), "head")

    # One template for every worker of the run, migrated by the first that needs it.
    yield str(built_once(run_dir(tmp_path_factory) / "template", migrate) / "template.db")


@pytest.fixture
def database_url(
    migrated_template: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A fresh, migrated database for this test, made the app's database; with the `world`
    already in it when the test asks for the world (a copy of the world template)."""
    template = migrated_template
    if "world" in request.fixturenames:
        template = request.getfixturevalue("world_template").database
    clear_all()  # ids and versions repeat across test databases
    if TEST_POSTGRES:
        name = _pg_copies.take(template)
        url = _pg_url(name)
        db.use_database(url)
        yield url
        db.reset_engine()
        _pg_copies.discard(name)
        return
    path = tmp_path / "pivotal.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    db.use_database(url)
    yield url
    db.reset_engine()


def _pg_url(database: str) -> str:
    return make_url(TEST_POSTGRES).set(database=database).render_as_string(hide_password=False)


class _PgCopies:
    """Copies of a template database, made two tests ahead and dropped after, in threads.

    Copying a database takes the server about a quarter of a second, more under load: longer
    than many tests. Made side by side while the previous tests run, the copies cost the suite
    next to nothing instead of minutes.
    """

    AHEAD = 2  # copies under way per template while a test runs

    def __init__(self) -> None:
        self._worker: ThreadPoolExecutor | None = None
        self._next: dict[str, deque[Future[str]]] = {}

    def take(self, template: str) -> str:
        """A fresh copy of the template (a database name), for this test alone."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(self.AHEAD, thread_name_prefix="pg-copies")
        queue = self._next.setdefault(template, deque())
        while len(queue) <= self.AHEAD:
            queue.append(self._worker.submit(self._copy, template))
        return queue.popleft().result()

    def discard(self, name: str) -> None:
        """Drop a copy once its test is done."""
        assert self._worker is not None
        self._worker.submit(_pg_drop, name)

    def close(self) -> None:
        """Finish every copy and drop under way (before the templates themselves are dropped)."""
        if self._worker is not None:
            self._worker.shutdown(wait=True)
        for queue in self._next.values():
            for copy in queue:
                if copy.exception() is None:
                    _pg_drop(copy.result())
        self._worker, self._next = None, {}

    @staticmethod
    def _copy(template: str) -> str:
        name = f"pivotal_test_{uuid.uuid4().hex[:12]}"
        with _pg_admin() as admin:
            admin.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return name


def _pg_drop(name: str) -> None:
    with _pg_admin() as admin:
        admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


_pg_copies = _PgCopies()


@contextmanager
def _pg_admin() -> Iterator[Connection]:
    engine = create_engine(TEST_POSTGRES, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test keeps its uploads in a folder of its own."""
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _fresh_organisation_looks() -> Iterator[None]:
    """Organisation ids repeat across test databases: no test sees another's kept looks."""
    from app.services import organisation_look

    organisation_look.forget_all()
    yield
    organisation_look.forget_all()


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on the test database for building data; commit to make it visible."""
    with db.new_session() as s:
        yield s


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """The real app (lifespan, live hub and all) on the test database."""
    from app.main import app

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def other_client(client: TestClient) -> Iterator[TestClient]:
    """A second browser: its own cookies, the same running app."""
    from app.main import app

    yield TestClient(app)


class Factory:
    """Builds organisations and users directly through the services."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._n = 0

    def org(
        self,
        kind: OrganisationKind = OrganisationKind.municipality,
        name: str | None = None,
        org_number: str | None = None,
    ) -> Organisation:
        self._n += 1
        org = Organisation(
            name=name or f"{kind.value.title()} {self._n}", kind=kind, org_number=org_number
        )
        self.session.add(org)
        self.session.commit()
        return org

    def user(self, role: Role, org: Organisation | None = None, name: str | None = None) -> User:
        self._n += 1
        data = UserCreate(
            email=f"{role.value}{self._n}@example.org",
            display_name=name or f"{role.value.title()} {self._n}",
            password=PASSWORD,
            role=role,
            organisation_id=org.id if org else None,
        )
        user = accounts.create_user(self.session, data=data)
        self.session.commit()
        return user


@pytest.fixture
def factory(session: Session) -> Factory:
    """Factories for test data."""
    return Factory(session)


def login(client: TestClient, user: User, password: str = PASSWORD) -> TestClient:
    """Log the client in through the login form and set its CSRF header for htmx-like posts."""
    page = client.get("/login")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/login",
        data={"email": user.email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    client.headers["X-CSRF-Token"] = CSRF_RE.search(home.text).group(1)  # type: ignore[union-attr]
    return client


def bearer(client: TestClient, user: User, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers with an API token for the user."""
    response = client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class World:
    """A typical cast: owner and partner municipalities, another one, and every role."""

    def __init__(self, factory: Factory, session: Session) -> None:
        from app.models.project import ProjectCreate
        from app.services import projects

        self.owner = factory.org(name="Eierkommune")
        self.partner = factory.org(name="Partnerkommune")
        self.elsewhere = factory.org(name="Annen kommune")
        self.supplier_org = factory.org(
            OrganisationKind.supplier, name="Leverandør AS", org_number=SUPPLIER_ORG_NUMBER
        )
        self.research_org = factory.org(OrganisationKind.research, name="Universitetet")
        self.procurer = factory.user(Role.procurer, self.owner, name="Petra Procurer")
        self.partner_procurer = factory.user(Role.procurer, self.partner)
        self.other_procurer = factory.user(Role.procurer, self.elsewhere)
        self.employee = factory.user(Role.employee, self.owner, name="Emil Employee")
        self.partner_employee = factory.user(Role.employee, self.partner)
        self.other_employee = factory.user(Role.employee, self.elsewhere)
        self.citizen = factory.user(Role.citizen, name="Cecilie Citizen")
        self.supplier = factory.user(Role.supplier, self.supplier_org)
        self.researcher = factory.user(Role.researcher, self.research_org)
        self.admin = factory.user(Role.admin)
        base = {
            "summary": "Bedre oppfølging hjemme.",
            "service_area": "Helse",
            "innovation_ambition": "Fra besøk etter liste til oppfølging etter behov.",
        }
        self.public = projects.create_project(
            session,
            user=self.procurer,
            data=ProjectCreate(
                title="Offentlig prosjekt", partner_org_ids=[self.partner.id], **base
            ),
        )
        self.internal = projects.create_project(
            session,
            user=self.procurer,
            data=ProjectCreate(
                title="Internt prosjekt",
                visibility="internal",
                partner_org_ids=[self.partner.id],
                **base,
            ),
        )
        session.commit()

    @classmethod
    def reopen(cls, session: Session, members: dict[str, tuple[str, int]]) -> World:
        """The world a template database holds, its members read by the ids `ids()` gave."""
        from app.models import Project

        models: dict[str, type[Any]] = {
            "Organisation": Organisation,
            "User": User,
            "Project": Project,
        }
        world = cls.__new__(cls)
        for name, (model, id_) in members.items():
            member = session.get(models[model], id_)
            _as_built(member)
            setattr(world, name, member)
        return world

    def ids(self) -> dict[str, tuple[str, int]]:
        """Each member's attribute name, model and id (to reopen the world in a copy)."""
        return {name: (type(obj).__name__, obj.id) for name, obj in vars(self).items()}

    def member(self, name: str | None) -> User | None:
        """The cast member of that attribute name ("citizen", "procurer"); None is anonymous."""
        return getattr(self, name) if name else None


def _as_built(row: Any) -> None:
    """Enum columns as the enums they were built with (the database gives back plain text), so a
    reopened member equals the one the builder held."""
    for key, field in type(row).model_fields.items():
        kind, value = field.annotation, getattr(row, key)
        if isinstance(kind, type) and issubclass(kind, Enum) and not isinstance(value, Enum):
            set_committed_value(row, key, kind(value))


@dataclass(frozen=True)
class WorldTemplate:
    """A database holding the world (a file, or on PostgreSQL a database name), and how to
    reopen it: the members' ids and how many the factory had made."""

    database: str
    members: dict[str, tuple[str, int]]
    factory_count: int


def _build_world(url: str) -> tuple[dict[str, tuple[str, int]], int]:
    db.use_database(url)
    try:
        with db.new_session() as s:
            factory = Factory(s)
            members = World(factory, s).ids()
    finally:
        db.reset_engine()
        clear_all()
    return members, factory._n


@pytest.fixture(scope="session")
def world_template(
    migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> WorldTemplate:
    """The world built once into a template (on SQLite once per run, shared by the workers):
    the tests that ask for `world` start from a copy of it instead of building it anew."""
    if TEST_POSTGRES:
        _pg_drop(WORLD_DB)
        with _pg_admin() as admin:
            admin.execute(text(f'CREATE DATABASE "{WORLD_DB}" TEMPLATE "{migrated_template}"'))
        members, count = _build_world(_pg_url(WORLD_DB))
        return WorldTemplate(WORLD_DB, members, count)

    def build(folder: Path) -> None:
        folder.mkdir()
        shutil.copy(migrated_template, folder / "world.db")
        members, count = _build_world(f"sqlite:///{folder / 'world.db'}")
        (folder / "world.json").write_text(json.dumps({"members": members, "count": count}))

    folder = built_once(run_dir(tmp_path_factory) / "world", build)
    built = json.loads((folder / "world.json").read_text())
    members = {name: (model, id_) for name, (model, id_) in built["members"].items()}
    return WorldTemplate(str(folder / "world.db"), members, built["count"])


@pytest.fixture
def world(factory: Factory, session: Session, world_template: WorldTemplate) -> World:
    """The typical cast and two projects (one public, one internal), from the world template
    the test's database was copied from; the factory numbers on from where the world stopped."""
    factory._n = world_template.factory_count
    return World.reopen(session, world_template.members)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """Argon2id with its cheapest parameters: the same code path at a fraction of the cost."""
    from argon2 import PasswordHasher, profiles

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        yield


@pytest.fixture
def api(client: TestClient):
    """The JSON API as any user of the test, one cached bearer token per user."""
    from tests.helpers import Api

    return Api(client)


T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on an event loop of its own, in a thread of its own: the
    browser tests' Playwright keeps a loop running in the main thread of the test process."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Mailbox:
    """What a real SMTP server on loopback (aiosmtpd) received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to this address, oldest first."""
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> EmailMessage:
        """The `count`-th message to this address, waiting for it to arrive."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.to(address)) >= count, timeout):
                raise AssertionError(f"no mail number {count} to {address} within {timeout} s")
        return self.to(address)[count - 1]


def body_of(message: EmailMessage) -> str:
    """The plain-text body of a received mail."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@contextmanager
def smtp_on_loopback() -> Iterator[tuple[str, Mailbox]]:
    """A real SMTP server on a free loopback port; yields its smtp:// URL and its mailbox."""
    from aiosmtpd.controller import Controller

    from tests.servers import free_port

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """The app sends its mail to a real SMTP server on loopback; the test reads what arrived."""
    from app.config import get_settings

    with smtp_on_loopback() as (url, mailbox):
        monkeypatch.setattr(get_settings(), "smtp_url", url)
        yield mailbox


def routes_of(app: Any) -> Iterator[tuple[str, Any]]:
    """Every route of the app with its full path, walking included routers (any FastAPI version)."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI ≥ 0.160 keeps included routers
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            else:
                yield prefix + getattr(route, "path", ""), route

    yield from walk(app.routes, "")
