"""The demo tells ten weeks of dialogue, so every metrics figure has something to show."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, time
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from app.cli import cli
from app.demo import DEMO_PASSWORD, PEOPLE, WEEKS, first_day
from app.i18n import TIMEZONE, use_language
from app.models import AuditEntry, Comment, Need, Organisation, ParticipationEvent, Project, User
from app.models.base import Role
from app.models.vocabulary import AuditAction, AuditField, label_of
from tests.conftest import login


@pytest.fixture
def demo(database_url: str, session: Session) -> Session:
    """The demo loaded by `pivotal demo` into a fresh database."""
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    return session


def _figures(client: TestClient, project_id: int, email: str | None) -> dict[str, Any]:
    headers = {}
    if email is not None:
        form = {"username": email, "password": DEMO_PASSWORD}
        token = client.post("/api/v1/auth/token", data=form).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
    response = client.get(f"/api/v1/projects/{project_id}/metrics", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return {"view": body["view"], **{f["key"]: f for f in body["figures"]}}


def _project(session: Session, title_start: str) -> int:
    project = session.exec(select(Project).where(col(Project.title).startswith(title_start))).one()
    assert project.id is not None
    return project.id


@pytest.mark.parametrize("title", ["Trygge og energismarte", "Digital oppfølging"])
def test_procurer_sees_every_figure_filled_over_many_weeks(
    demo: Session, client: TestClient, title: str
) -> None:
    full = _figures(client, _project(demo, title), "innkjoper@trondheim.example")
    assert full["view"] == "full"
    weeks = {row["week"] for row in full["participation_by_week"]["rows"]}
    assert len(weeks) >= 6
    matrix = {
        (row["actor"], row["addressee"])
        for row in full["interaction_by_role"]["rows"]
        if row["exchanges"]
    }
    assert len(matrix) >= 4
    assert {("citizen", "employee"), ("employee", "citizen"), ("procurer", "employee")} <= matrix
    assert ("employee", "procurer") in matrix
    crossing = {
        row["exchange"]: row["exchanges"] for row in full["exchanges_across_organisations"]["rows"]
    }
    assert crossing["between_municipalities"] > 0 and crossing["with_citizens"] > 0
    verified = {
        row["author_role"]: row["verified"] for row in full["needs_verified_by_author_role"]["rows"]
    }
    assert verified["employee"] > 0 and verified["citizen"] > 0
    responses = {r["author_role"]: r for r in full["first_response_hours"]["rows"]}
    assert responses["employee"]["median_hours"] > 24
    assert responses["citizen"]["median_hours"] > 24
    [threads] = full["comment_threads"]["rows"]
    assert threads["max_depth"] >= 3


def test_market_dialogue_has_supplier_exchanges_and_an_answer_after_days(
    demo: Session, client: TestClient
) -> None:
    full = _figures(client, _project(demo, "Trygge og energismarte"), "innkjoper@trondheim.example")
    matrix = {
        (row["actor"], row["addressee"])
        for row in full["interaction_by_role"]["rows"]
        if row["exchanges"]
    }
    assert {("supplier", "procurer"), ("procurer", "supplier")} <= matrix
    crossing = {
        row["exchange"]: row["exchanges"] for row in full["exchanges_across_organisations"]["rows"]
    }
    assert crossing["with_suppliers"] > 0
    [answers] = full["question_answer_hours"]["rows"]
    assert answers["published"] == 1 and answers["asked"] == 2
    assert 48 <= answers["median_hours"] <= 7 * 24


@pytest.mark.parametrize("title", ["Trygge og energismarte", "Digital oppfølging"])
def test_anonymous_visitor_sees_citizens_and_employees_in_the_aggregate(
    demo: Session, client: TestClient, title: str
) -> None:
    public = _figures(client, _project(demo, title), None)
    assert public["view"] == "aggregate"
    by_role = {row["role"]: row for row in public["participation_by_role"]["rows"]}
    for role in (Role.citizen, Role.employee):
        assert by_role[role]["participants"] >= 5
    assert by_role[Role.procurer]["participants"] is None  # one procurer: suppressed
    assert any(row["participants"] for row in public["participation_by_week"]["rows"])


def test_demo_history_lies_in_the_past_weeks_and_in_order(demo: Session) -> None:
    now = datetime.now(UTC)
    start = datetime.combine(first_day(datetime.now(TIMEZONE).date()), time(), TIMEZONE)
    events = demo.exec(select(ParticipationEvent)).all()
    needs = {need.id: need for need in demo.exec(select(Need)).all()}
    comments = demo.exec(select(Comment)).all()
    stamps = [e.occurred_at for e in events] + [n.created_at for n in needs.values()]
    stamps += [c.created_at for c in comments]
    assert all(_utc(s) < now for s in stamps)
    assert all(_utc(s) >= start for s in stamps)
    weeks = {_utc(s).isocalendar()[:2] for s in stamps}
    assert len(weeks) >= WEEKS - 1
    by_id = {c.id: c for c in comments}
    for comment in comments:
        assert comment.created_at > needs[comment.need_id].created_at
        if comment.parent_id is not None:
            assert comment.created_at > by_id[comment.parent_id].created_at


def test_demo_people_can_log_in(demo: Session, client: TestClient) -> None:
    for email, _name, role, _org in PEOPLE[:: len(PEOPLE) // 3]:
        form = {"username": email, "password": DEMO_PASSWORD}
        response = client.post("/api/v1/auth/token", data=form)
        assert response.status_code == 200, email
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        assert client.get("/api/v1/auth/me", headers=headers).json()["role"] == role


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_the_first_projects_and_needs_keep_their_ids(demo: Session) -> None:
    """Links in the README, the browser tests and the screenshots name them by id."""
    projects = [p.title for p in demo.exec(select(Project).order_by(col(Project.id))).all()]
    assert projects == [
        "Digital oppfølging i hjemmetjenesten",
        "Utslippsfrie byggeplasser",
        "Trygge og energismarte omsorgsboliger",
    ]
    first = [n.title for n in demo.exec(select(Need).order_by(col(Need.id)).limit(6)).all()]
    assert first == [
        "Færre unødvendige nattbesøk",
        "Oversikt over legemidler på tvers av kommunene",
        "Mindre ensomhet mellom besøkene",
        "Mindre støy og eksos ved skoleveien",
        "Strøm nok til elektriske maskiner",
        "Vite at beboeren har det bra uten å gå inn",
    ]


# ---- the demo's audit log reads in words ---------------------------------------------------------

RAW_TOKEN = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # a snake_case key, such as merged_into_id
EARLIER = re.compile(r'href="([^"]*before_id=\d+)"')


class _AuditCells(HTMLParser):
    """The text of each cell, term and value of an audit table, with the tag that holds it."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("th", "td", "dt", "dd", "caption"):
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, parts = self._open.pop()
            self.cells.append((tag, " ".join("".join(parts).split())))

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)


def _audit_cells(client: TestClient, path: str) -> list[tuple[str, str]]:
    """Every cell of every page of one audit log, following its links to earlier entries."""
    cells: list[tuple[str, str]] = []
    while path:
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        if "<table" in page.text:
            parser = _AuditCells()
            parser.feed(page.text[page.text.index("<table") : page.text.index("</table>")])
            cells += parser.cells
        following = EARLIER.search(page.text)
        path = following.group(1).replace("&amp;", "&") if following else ""
    return cells


def test_the_demos_audit_logs_read_in_bokmal_without_a_raw_key(
    demo: Session, client: TestClient
) -> None:
    admin = demo.exec(select(User).where(User.email == "admin@pivotal.example")).one()
    login(client, admin, DEMO_PASSWORD)
    paths = [f"/projects/{p.id}/audit-log" for p in demo.exec(select(Project)).all()]
    paths += [f"/organisations/{o.id}/audit" for o in demo.exec(select(Organisation)).all()]
    cells = [cell for path in paths for cell in _audit_cells(client, path)]
    raw = {str(key) for key in [*AuditAction, *AuditField]}
    recorded = set(demo.exec(select(AuditEntry.action)).all())
    assert len(recorded) >= 10  # the demo's log has many kinds of decision to show
    assert (
        len([text for tag, text in cells if tag == "td"])
        >= 7 * demo.exec(select(func.count()).select_from(AuditEntry)).one()
    )
    assert [text for _, text in cells if text in raw] == []
    assert [text for _, text in cells if RAW_TOKEN.search(text)] == []
    shown = {text for tag, text in cells if tag == "td"}
    with use_language("nb"):
        assert {label_of(AuditAction(action)) for action in recorded} <= shown
    for path in paths:  # the exports say the same in the same words
        export = client.get(f"{path}.csv")
        assert export.status_code == 200, path
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]
        words = [cell for row in rows for cell in row[1:]]
        assert [cell for cell in words if cell in raw or RAW_TOKEN.search(cell)] == [], path
