"""A needs list of 5,000 needs against the project page as it was with the demo's data.

Loads the demo, times the demo project's page (the baseline: before issue 12 that page drew
every need of the project), then opens a second project and generates into it 5,000 needs,
15,000 comments (every second one a reply once there are more comments than needs) and about
20,000 supports (0–8 per need) with plain INSERT … SELECT (no ORM). Times, in-process through
the real app as a logged-in procurer (so no visitor page cache), each of:

- the project page (first page of the needs list, newest first),
- a filtered page (status verified), a search (`q=behov 12`), the most supported order,
- a "load more" page (the htmx fragment after the first page's cursor),
- the API list (`GET /api/v1/projects/{id}/needs`, 25 and 100 a page, and its 20th page),

each 25 times after a new comment (so the project's content version moved and nothing the
page shows is cached) and 25 times unchanged; prints the medians in milliseconds (wall and
CPU time of the process) and the SQL
statements per request. `--baseline-only` times the demo page and the big project's page alone
(to run on the code before the change, with that code first on PYTHONPATH).

    .venv/bin/python -m benchmarks.needs_list
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.needs_list \\
        --database-url "$PIVOTAL_TEST_DATABASE_URL"'
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, text

from app import db
from benchmarks.common import DEMO_PASSWORD, demo_database, generate_participation

RUNS = 25
NEEDS = 5_000
COMMENTS = 15_000
PROCURER = "innkjoper@trondheim.example"
DEMO_PROJECT = 1
PROJECT = {
    "title": "Stort behovsprosjekt",
    "summary": "Et prosjekt med 5 000 behov for målingene.",
    "service_area": "Helse og omsorg",
    "innovation_ambition": "Se hvordan listen tåler en ekte dialog.",
}


def add_supports(database_url: str, project: int) -> int:
    """0–8 supports per need of the project (need i gets i % 9), from distinct users."""
    engine = db.make_engine(database_url)
    with engine.begin() as con:
        con.execute(
            text(
                """
                INSERT INTO support (need_id, user_id, created_at)
                SELECT n.id, u.id, n.created_at
                FROM need n
                JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM "user") u
                  ON u.k < n.id % 9
                WHERE n.project_id = :p
                """
            ),
            {"p": project},
        )
        total = con.execute(
            text(
                "SELECT count(*) FROM support s JOIN need n ON n.id = s.need_id "
                "WHERE n.project_id = :p"
            ),
            {"p": project},
        ).scalar_one()
    engine.dispose()
    return int(total)


class Timer:
    """Requests through the app as one logged-in person, timed and their queries counted."""

    def __init__(self, client: TestClient, need_to_comment: int) -> None:
        self.client = client
        self.need = need_to_comment
        self.statements = 0
        event.listen(db.get_engine(), "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    def move_version(self, n: int) -> None:
        """A new comment: the project's content version moves, its fragments are stale."""
        response = self.client.post(
            f"/api/v1/needs/{self.need}/comments", json={"body": f"Målekommentar {n}."}
        )
        response.raise_for_status()

    def measure(self, get: Callable[[], Any], *, after_a_change: bool) -> dict[str, float]:
        """Median and max milliseconds of RUNS requests (wall time, and CPU time of this
        process: the app and its SQLite, not other work on the machine), and the statements of
        the last one."""
        times, cpu = [], []
        get().raise_for_status()  # warm
        for n in range(RUNS):
            if after_a_change:
                self.move_version(n)
            self.statements = 0
            began, began_cpu = time.perf_counter(), time.process_time()
            response = get()
            cpu.append((time.process_time() - began_cpu) * 1000)
            times.append((time.perf_counter() - began) * 1000)
            response.raise_for_status()
        return {
            "median_ms": round(statistics.median(times), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1),
            "max_ms": round(max(times), 1),
            "queries": self.statements,
            "kib": round(len(response.content) / 1024),
        }


def log_in(client: TestClient) -> None:
    """Log in as the demo's procurer (a cookie session, and a bearer token for the API)."""
    token = client.post(
        "/api/v1/auth/token", data={"username": PROCURER, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"


def cases(client: TestClient, project: int) -> dict[str, Callable[[], Any]]:
    """The requests to time on the big project."""
    page = f"/projects/{project}"
    api = f"/api/v1/projects/{project}/needs"
    first = client.get(api, params={"limit": 25})
    cursor = first.headers["X-Next-Cursor"]
    deep = ""
    for _ in range(19):
        deep = client.get(api, params={"limit": 25, "cursor": deep or cursor}).headers[
            "X-Next-Cursor"
        ]
    htmx = {"HX-Request": "true"}
    return {
        "project page, first page": lambda: client.get(page),
        "filtered (status verified)": lambda: client.get(page, params={"status": "verified"}),
        "search q=behov 12": lambda: client.get(page, params={"q": "behov 12"}),
        "most supported": lambda: client.get(page, params={"sort": "supported"}),
        "load more (fragment)": lambda: client.get(
            f"{page}/needs", params={"cursor": cursor}, headers=htmx
        ),
        "API, 25 a page": lambda: client.get(api, params={"limit": 25}),
        "API, 100 a page": lambda: client.get(api),
        "API, 20th page of 25": lambda: client.get(api, params={"limit": 25, "cursor": deep}),
    }


def time_big_project(
    client: TestClient, timer: Timer, url: str, *, baseline: bool
) -> dict[str, Any]:
    """Open the big project, generate its needs, comments and supports, time its requests."""
    figures: dict[str, Any] = {}
    project = client.post("/api/v1/projects", json=PROJECT).json()["id"]
    began = time.perf_counter()
    generate_participation(
        url, project=project, events=NEEDS + COMMENTS, needs=NEEDS, comments=COMMENTS
    )
    figures["supports"] = add_supports(url, project)
    figures["generate_s"] = round(time.perf_counter() - began, 1)
    some_need = client.get(f"/api/v1/projects/{project}/needs", params={"limit": 1})
    timer.need = some_need.json()[0]["id"]
    timed = (
        {"project page, first page": lambda: client.get(f"/projects/{project}")}
        if baseline  # the code before: the page draws all 5,000 needs
        else cases(client, project)
    )
    for name, get in timed.items():
        figures[f"{name}, after a change"] = timer.measure(get, after_a_change=True)
        figures[f"{name}, unchanged"] = timer.measure(get, after_a_change=False)
    return figures


def main() -> None:
    """Load, generate, time; print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--baseline-only", action="store_true")
    args = parser.parse_args()
    figures: dict[str, Any] = {"benchmark": "needs_list", "runs": RUNS}
    with demo_database(args.database_url) as (url, _env, _tmp):
        figures["database"] = url.split(":")[0]
        db.use_database(url)
        from app.main import app

        with TestClient(app) as client:
            log_in(client)
            demo_needs = client.get(f"/api/v1/projects/{DEMO_PROJECT}/needs").json()
            figures["demo_needs"] = len(demo_needs)
            timer = Timer(client, demo_needs[0]["id"])
            demo = lambda: client.get(f"/projects/{DEMO_PROJECT}")  # noqa: E731
            figures["baseline: demo project page, after a change"] = timer.measure(
                demo, after_a_change=True
            )
            figures["baseline: demo project page, unchanged"] = timer.measure(
                demo, after_a_change=False
            )
            figures.update(time_big_project(client, timer, url, baseline=args.baseline_only))
        db.reset_engine()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
