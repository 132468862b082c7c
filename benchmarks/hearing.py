"""The hearing page and API with many comments: how long the demo's hearing takes to draw.

Loads the demo, adds 2,000 comments (`--comments` sets how many) to its open hearing, split over
its two requirements, every second on one of 40 passages, authors cycling through the demo's
people, with plain INSERTs; then times in-process through the real app, 25 times each, the
hearing page, the API's hearing with its comments (as the procurer and as a supplier: the company
lookup is the procurer's alone) and a new comment through the API (a write, with its live push).
Prints the medians in milliseconds (wall) and the SQL statements per request.

    .venv/bin/python -m benchmarks.hearing
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.hearing \\
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
from benchmarks.common import DEMO_PASSWORD, demo_database

RUNS = 25
COMMENTS = 2_000
PROCURER = "innkjoper@trondheim.example"
SUPPLIER = "leverandor@klimalos.example"


def add_comments(url: str, hearing: int, count: int) -> None:
    """`count` comments in the hearing, every second on a passage of its requirement."""
    engine = db.make_engine(url)
    with engine.begin() as con:
        rows = con.execute(
            text("SELECT DISTINCT requirement_id FROM hearing_comment WHERE hearing_id = :h"),
            {"h": hearing},
        ).all()
        people = [r[0] for r in con.execute(text('SELECT id FROM "user" ORDER BY id')).all()]
        for n in range(count):
            requirement = rows[n % len(rows)][0]
            passage = n % 2 == 0
            con.execute(
                text(
                    "INSERT INTO hearing_comment (hearing_id, requirement_id, author_id, body, "
                    "passage_start, passage_end, passage_quote, passage_version, created_at) "
                    "SELECT :h, r.id, :a, :b, :s, :e, "
                    "CASE WHEN :p THEN substr(r.text, :s + 1, :e - :s) END, "
                    "CASE WHEN :p THEN r.version END, CURRENT_TIMESTAMP "
                    "FROM requirement r WHERE r.id = :r"
                ),
                {
                    "h": hearing,
                    "a": people[n % len(people)],
                    "b": f"Høringskommentar nummer {n}.",
                    "s": (n % 40) * 2 if passage else None,
                    "e": (n % 40) * 2 + 12 if passage else None,
                    "p": passage,
                    "r": requirement,
                },
            )
    engine.dispose()


def measure(client: TestClient, get: Callable[[], Any]) -> dict[str, float]:
    """Median wall time and SQL statements of a request, over `RUNS` runs."""
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    engine = db.get_engine()
    times = []
    for _ in range(RUNS):
        statements[0] = 0
        event.listen(engine, "before_cursor_execute", count)
        began = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - began) * 1000)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code < 300, response.text
    return {"ms": round(statistics.median(times), 1), "sql": statements[0]}


def token(client: TestClient, email: str) -> dict[str, str]:
    """Bearer headers for a demo account."""
    answer = client.post("/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def main() -> None:
    """Load, generate, time; print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--comments", type=int, default=COMMENTS, help="comments to add")
    args = parser.parse_args()
    figures: dict[str, Any] = {"benchmark": "hearing", "runs": RUNS, "comments": args.comments}
    with demo_database(args.database_url) as (url, _env, _tmp):
        figures["database"] = url.split(":")[0]
        db.use_database(url)
        from app.main import app

        with TestClient(app) as client:
            procurer, supplier = token(client, PROCURER), token(client, SUPPLIER)
            projects = client.get("/api/v1/projects", headers=procurer).json()
            items = projects["items"] if isinstance(projects, dict) else projects
            project = next(p["id"] for p in items if p["title"].startswith("Trygge"))
            [hearing] = client.get(f"/api/v1/projects/{project}/hearings", headers=procurer).json()
            add_comments(url, hearing["id"], args.comments)
            detail = client.get(f"/api/v1/hearings/{hearing['id']}", headers=procurer).json()
            requirement = detail["comments"][0]["requirement_id"]
            body = {"requirement_id": requirement, "body": "Enda en kommentar."}
            cases = {
                "hearing page (procurer)": lambda: client.get(
                    f"/hearings/{hearing['id']}", headers=procurer
                ),
                "API hearing with comments (procurer)": lambda: client.get(
                    f"/api/v1/hearings/{hearing['id']}", headers=procurer
                ),
                "API hearing with comments (supplier)": lambda: client.get(
                    f"/api/v1/hearings/{hearing['id']}", headers=supplier
                ),
                "API new comment (supplier)": lambda: client.post(
                    f"/api/v1/hearings/{hearing['id']}/comments", headers=supplier, json=body
                ),
            }
            for name, get in cases.items():
                figures[name] = measure(client, get)
        db.reset_engine()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
