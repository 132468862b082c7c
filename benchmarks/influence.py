"""The influence report of a project with 5,000 needs, 400 final requirements and 4,000 trace
links: `GET /api/v1/projects/{id}/influence` and the project's metrics with the ledger figures.

Loads the demo, opens a project and generates 5,000 needs into it (`generate_participation`),
marks every fourth verified, then inserts 400 final requirements and 4,000 trace links (three in
four to needs, the rest to proposals-less sources are left out: needs only, one in ten rejected
input). Times, in-process through the real app, as the demo's procurer (full report) and as a
visitor (restricted, suppressed), 20 requests each, and counts the SQL statements of one.

    .venv/bin/python -m benchmarks.influence
"""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, text

from app import db
from benchmarks.common import demo_database, generate_participation, percentiles
from benchmarks.needs_list import PROJECT, log_in

NEEDS = 5_000
REQUIREMENTS = 400
LINKS = 4_000
RUNS = 20


def seed(url: str, project: int) -> None:
    """Verified needs, final requirements and trace links, with plain SQL."""
    engine = db.make_engine(url)
    with engine.begin() as con:
        con.execute(
            text("UPDATE project SET phase = 'market_dialogue' WHERE id = :p"), {"p": project}
        )
        con.execute(
            text("UPDATE need SET status = 'verified' WHERE project_id = :p AND id % 4 = 0"),
            {"p": project},
        )
        author = con.execute(
            text("SELECT created_by_id FROM project WHERE id = :p"), {"p": project}
        )
        by = author.scalar_one_or_none() or 1
        for n in range(REQUIREMENTS):
            con.execute(
                text(
                    "INSERT INTO requirement (project_id, kind, title, text, status, "
                    "created_by_id, position, version, created_at, updated_at) VALUES "
                    "(:p, 'functional', :t, 'Tekst', 'final', :by, :n, 1, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"p": project, "t": f"Krav {n}", "by": by, "n": n},
            )
        requirements = [
            r
            for (r,) in con.execute(
                text("SELECT id FROM requirement WHERE project_id = :p"), {"p": project}
            )
        ]
        needs = [
            n
            for (n,) in con.execute(
                text("SELECT id FROM need WHERE project_id = :p ORDER BY id"), {"p": project}
            )
        ]
        for n in range(LINKS):
            con.execute(
                text(
                    "INSERT INTO trace_link (project_id, requirement_id, source_type, source_id, "
                    "relation, rationale, confidential, created_by_id, created_at) VALUES "
                    "(:p, :r, 'need', :s, :rel, 'Fordi.', false, :by, CURRENT_TIMESTAMP)"
                ),
                {
                    "p": project,
                    "r": requirements[n % len(requirements)],
                    "s": needs[(n * 7) % len(needs)],
                    "rel": "rejected_input" if n % 10 == 0 else "derived_from",
                    "by": by,
                },
            )


def timed(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, float]:
    """Percentiles in milliseconds of `RUNS` requests."""
    client.get(url, headers=headers).raise_for_status()
    took = []
    for _ in range(RUNS):
        began = time.perf_counter()
        client.get(url, headers=headers).raise_for_status()
        took.append((time.perf_counter() - began) * 1000)
    return percentiles(took)


def statements(client: TestClient, url: str, headers: dict[str, str]) -> int:
    """How many SQL statements one request runs."""
    count = 0

    def counted(*_args: Any) -> None:
        nonlocal count
        count += 1

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", counted)
    try:
        client.get(url, headers=headers).raise_for_status()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def main() -> None:
    """Load, generate, time; print the figures as JSON."""
    figures: dict[str, Any] = {
        "benchmark": "influence",
        "needs": NEEDS,
        "requirements": REQUIREMENTS,
        "links": LINKS,
    }
    with demo_database() as (url, _env, _tmp):
        db.use_database(url)
        from app.main import app

        with TestClient(app) as client:
            log_in(client)
            procurer = {"Authorization": client.headers["Authorization"]}
            project = client.post("/api/v1/projects", json=PROJECT).json()["id"]
            generate_participation(url, project=project, events=NEEDS, needs=NEEDS, comments=0)
            seed(url, project)
            report = f"/api/v1/projects/{project}/influence"
            metrics = f"/api/v1/projects/{project}/metrics"
            del client.headers["Authorization"]
            visitor: dict[str, str] = {}
            figures["report_procurer_ms"] = timed(client, report, procurer)
            figures["report_visitor_ms"] = timed(client, report, visitor)
            figures["metrics_procurer_ms"] = timed(client, metrics, procurer)
            figures["report_statements"] = statements(client, report, procurer)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
