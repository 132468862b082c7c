"""The page benchmark's pages exist: a renamed route breaks the build, not the benchmark."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import demo
from benchmarks import minimal_app
from benchmarks.common import DEMO_PASSWORD
from benchmarks.pages import CSRF_RE, MINIMAL, PARTICIPANT, page_list


@pytest.fixture
def demo_client(session: Session, client: TestClient) -> TestClient:
    """The app on a database holding the demo."""
    demo.load_demo(session)
    session.commit()
    return client


def test_every_measured_page_answers_a_visitor_and_a_participant(demo_client: TestClient) -> None:
    pages = page_list(need=1)
    for page in pages:
        answer = demo_client.get(page.path, follow_redirects=False)
        assert answer.status_code == 200, (page.path, answer.status_code)
    token = CSRF_RE.search(demo_client.get("/login").text).group(1)  # type: ignore[union-attr]
    login = demo_client.post(
        "/login",
        data={"email": PARTICIPANT, "password": DEMO_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert login.status_code == 303
    for page in pages:
        answer = demo_client.get(page.path, follow_redirects=False)
        assert answer.status_code == 200, (page.path, answer.status_code)


def test_the_minimal_page_reads_the_needs_table_of_the_same_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIVOTAL_DATABASE_URL", database_url)
    minimal_app.engine.cache_clear()
    try:
        answer = TestClient(minimal_app.app).get(MINIMAL.path)
    finally:
        minimal_app.engine().dispose()
        minimal_app.engine.cache_clear()
    assert answer.status_code == 200
    assert "<h1>Behov i prosjekt 1</h1>" in answer.text
