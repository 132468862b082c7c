"""Issue 10: an account that only *claims* to be a municipality's employee sees nothing inside it.

Mallory registers as "employee of" the owner municipality. Until the municipality vouches for
her (a proven address in its domain, an administrator's approval, an invitation), she is a
citizen everywhere: the API, the pages and the live socket. Once an administrator approves
her, the same look succeeds: the refusals come from the membership, not from a broken scene.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.websockets import WebSocketDisconnect

from app.config import get_settings
from app.demo import demo_pdf
from app.models import Membership, User
from app.models.base import Phase
from app.models.membership import MembershipStatus
from app.services import memberships, permissions
from tests.conftest import World, bearer, login
from tests.helpers import EN, NEW_PASSWORD, ORIGIN, Api, register, stored_user

INTERNAL_NEED = "Nattevakten mangler oversikt over hvem som sover"
INTERNAL_DOCUMENT = "Internt notat om bemanning"
PARTICIPANTS_DOCUMENT = "Utkast på høring for deltakerne"
MALLORY = "mallory@evil.example"


class Scene:
    """The internal project with a need, documents and a conference; a participants-only document
    in the public project; and Mallory, registered as an employee of the owner municipality."""

    def __init__(self, client: TestClient, api: Api, world: World, session: Session) -> None:
        self.world = world
        self.internal = world.internal.id
        self.public = world.public.id
        self.need = api.post_need(world.employee, self.internal, title=INTERNAL_NEED)["id"]
        self.internal_document = self._document(api, self.internal, INTERNAL_DOCUMENT, "public")
        self.participants_document = self._document(
            api, self.public, PARTICIPANTS_DOCUMENT, "participants"
        )
        self.internal_event = self._conference(api, self.internal)
        self.public_event = self._conference(api, self.public)
        response = register(
            client,
            email=MALLORY,
            display_name="Mallory",
            role="employee",
            organisation_id=str(world.owner.id),
        )
        assert response.status_code == 303, response.text
        mallory = stored_user(session, MALLORY)
        assert mallory is not None
        self.mallory: User = mallory

    def _document(self, api: Api, project: int, title: str, audience: str) -> int:
        uploaded = api.post(
            f"/projects/{project}/documents",
            self.world.procurer,
            data={"title": title, "kind": "other", "audience": audience},
            files={"file": ("notat.pdf", demo_pdf(title, [title]), "application/pdf")},
        )
        assert uploaded.status_code == 201, uploaded.text
        document = int(uploaded.json()["id"])
        published = api.post(f"/documents/{document}/publish", self.world.procurer)
        assert published.status_code == 200, published.text
        return document

    def _conference(self, api: Api, project: int) -> int:
        moved = api.move_phase(self.world.procurer, project, Phase.market_dialogue)
        assert moved.status_code == 200, moved.text
        start = datetime.now(UTC) + timedelta(days=10)
        created = api.post(
            f"/projects/{project}/events",
            self.world.procurer,
            json={
                "kind": "conference",
                "title": "Dialogkonferanse",
                "description": "For leverandører og ansatte.",
                "location": "Rådhuset",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "capacity": 20,
            },
        )
        assert created.status_code == 201, created.text
        return int(created.json()["id"])


@pytest.fixture
def scene(
    client: TestClient,
    api: Api,
    world: World,
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Scene:
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    return Scene(client, api, world, session)


def what_they_get(client: TestClient, scene: Scene, user: User) -> dict[str, bool]:
    """Which of the internal things this user reaches, through API, pages and socket."""
    headers = {**bearer(client, user, password=_password(scene, user)), **EN}

    def api_ok(path: str, marker: str | None = None) -> bool:
        response = client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code < 500, response.text
        return response.status_code == 200 and (marker is None or marker in response.text)

    seen = {
        "project via API": api_ok(f"/projects/{scene.internal}"),
        "needs via API": api_ok(f"/projects/{scene.internal}/needs", INTERNAL_NEED),
        "need via API": api_ok(f"/needs/{scene.need}", INTERNAL_NEED),
        "documents via API": api_ok(f"/projects/{scene.internal}/documents", INTERNAL_DOCUMENT),
        "document file via API": api_ok(f"/documents/{scene.internal_document}/file"),
        "participants' document of another project via API": api_ok(
            f"/projects/{scene.public}/documents", PARTICIPANTS_DOCUMENT
        ),
        "participants' file of another project via API": api_ok(
            f"/documents/{scene.participants_document}/file"
        ),
        "internal project in the list via API": api_ok("/projects", "Internt prosjekt"),
    }
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, user, password=_password(scene, user))

    def page_ok(path: str, marker: str) -> bool:
        response = client.get(path)
        assert response.status_code < 500, response.text
        return response.status_code == 200 and marker in response.text

    seen |= {
        "project page": page_ok(f"/projects/{scene.internal}", INTERNAL_NEED),
        "internal project on the front page": page_ok("/", "Internt prosjekt"),
        "documents page": page_ok(f"/projects/{scene.internal}/documents", INTERNAL_DOCUMENT),
        "participants' document of another project on its page": page_ok(
            f"/projects/{scene.public}/documents", PARTICIPANTS_DOCUMENT
        ),
    }
    try:
        with client.websocket_connect(f"/ws/projects/{scene.internal}", headers=ORIGIN) as ws:
            seen["live socket"] = INTERNAL_NEED in ws.receive_text()
    except WebSocketDisconnect:
        seen["live socket"] = False
    return seen


def what_they_may_do(client: TestClient, scene: Scene, user: User) -> dict[str, bool]:
    """Which writes inside the municipality this user gets through (each one is undone)."""
    headers = {**bearer(client, user, password=_password(scene, user)), **EN}
    posted = client.post(
        f"/api/v1/projects/{scene.internal}/needs",
        json={"title": "Mallorys behov", "problem": "Jeg vil inn i det interne prosjektet."},
        headers=headers,
    )
    commented = client.post(
        f"/api/v1/needs/{scene.need}/comments", json={"body": "Hei fra Mallory"}, headers=headers
    )
    seats = {
        f"seat at the {name} conference": client.post(
            f"/api/v1/events/{event}/registrations", headers=headers
        )
        for name, event in (("internal", scene.internal_event), ("public", scene.public_event))
    }
    for response in (posted, commented, *seats.values()):
        assert response.status_code < 500, response.text
    return {
        "posting a need": posted.status_code == 201,
        "commenting": commented.status_code == 201,
        **{name: r.status_code == 201 for name, r in seats.items()},
    }


def _password(scene: Scene, user: User) -> str:
    from tests.conftest import PASSWORD

    return NEW_PASSWORD if user.email == MALLORY else PASSWORD


def test_a_pending_employee_reaches_nothing_inside_the_municipality(
    client: TestClient, scene: Scene
) -> None:
    seen = what_they_get(client, scene, scene.mallory)
    assert [what for what, shown in seen.items() if shown] == []
    done = what_they_may_do(client, scene, scene.mallory)
    assert [what for what, ok in done.items() if ok] == []


def test_the_municipalitys_real_employee_reaches_all_of_it(
    client: TestClient, scene: Scene
) -> None:
    """The control: the same look, by a vouched-for employee, finds everything."""
    seen = what_they_get(client, scene, scene.world.employee)
    assert [what for what, shown in seen.items() if not shown] == []
    done = what_they_may_do(client, scene, scene.world.employee)
    assert [what for what, ok in done.items() if not ok] == []


def test_once_an_administrator_approves_her_she_is_an_employee(
    client: TestClient, scene: Scene, session: Session
) -> None:
    admin_rel = permissions.organisation_relation(session, scene.world.admin, scene.world.owner)
    request = session.exec(select(Membership).where(Membership.user_id == scene.mallory.id)).one()
    memberships.decide(session, rel=admin_rel, membership_id=request.id, approve=True)  # type: ignore[arg-type]
    session.commit()
    assert request.status == MembershipStatus.active
    seen = what_they_get(client, scene, scene.mallory)
    assert [what for what, shown in seen.items() if not shown] == []
