"""Metrics over 1,000,000 participation events: computing them, and the dashboard page.

Generates into the demo's first project (SQLite) 20,000 needs, 200,000 comments (every second
one a reply, threads up to ten deep) and 1,000,000 participation events spread over a year and
over every demo user, with plain INSERT … SELECT over recursive CTEs (no ORM). Then times
`metrics.for_project` in-process: once before anything is rolled up (every event counted
live), the rollup keeper's round that counts them all, and 5 runs each for a procurer and a
researcher (first and median); and, through a running server,
GET /projects/{id}/metrics after a new comment each time (so the figures are recomputed, as
for a live push), the same page unchanged (cached), and the municipality's dashboard
/organisations/{id}/metrics (first and median of 5).

    .venv/bin/python -m benchmarks.metrics
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import httpx

from app import db
from app.models import Project, User
from app.services import metrics, permissions
from benchmarks.common import DEMO_PASSWORD, deployment, generate_participation

PROJECT = 1
ORGANISATION = 1  # Trondheim, which owns the project: its dashboard counts all its projects
NEED = 1  # a need of the project, commented on to move the project's version between loads
NEEDS = 20_000
COMMENTS = 200_000
EVENTS = 1_000_000
RUNS = 5


def generate(database_url: str) -> dict[str, int]:
    """Needs, comments and events, straight into the database."""
    return generate_participation(
        database_url, project=PROJECT, events=EVENTS, needs=NEEDS, comments=COMMENTS
    )


def time_rollup(database_url: str) -> float:
    """Seconds for the rollup keeper's round to count every settled event (after a bulk load)."""
    db.use_database(database_url)
    began = time.perf_counter()
    metrics.refresh_rollups()
    seconds = time.perf_counter() - began
    db.reset_engine()
    return seconds


def time_metrics(database_url: str, email: str, runs: int = RUNS) -> list[float]:
    """Seconds of `runs` computations of the project's metrics as this user."""
    db.use_database(database_url)
    times = []
    with db.new_session() as session:
        user = session.exec(User.__table__.select().where(User.email == email)).first()
        reader = session.get(User, user.id)
        project = session.get(Project, PROJECT)
        rel = permissions.relation(session, reader, project)
        for _ in range(runs):
            began = time.perf_counter()
            metrics.for_project(session, rel)
            times.append(time.perf_counter() - began)
    db.reset_engine()
    return times


def main() -> None:
    """Generate, compute, serve, print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
    figures: dict[str, object] = {"benchmark": "metrics", "database": "sqlite"}

    def prepare(url: str) -> None:
        began = time.perf_counter()
        figures.update(generate(url))
        figures["generate_s"] = round(time.perf_counter() - began, 1)
        before = time_metrics(url, "innkjoper@trondheim.example", runs=1)[0]
        figures["metrics_procurer_before_rollup_s"] = round(before, 3)  # every event live
        figures["rollup_catch_up_s"] = round(time_rollup(url), 3)
        for who, email in (
            ("procurer", "innkjoper@trondheim.example"),
            ("researcher", "forsker@ntnu.example"),
        ):
            times = time_metrics(url, email)
            figures[f"metrics_{who}_first_s"] = round(times[0], 3)
            figures[f"metrics_{who}_median_s"] = round(statistics.median(times), 3)

    with deployment(prepare=prepare) as dep:
        base = dep.urls[0]
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "innkjoper@trondheim.example", "password": DEMO_PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def timed(path: str, *, after_a_contribution: bool) -> list[float]:
            """Seconds of RUNS page loads; after a new comment each time, so nothing is cached."""
            times = []
            for n in range(RUNS):
                if after_a_contribution:
                    comment = httpx.post(
                        f"{base}/api/v1/needs/{NEED}/comments",
                        headers=headers,
                        json={"body": f"Benchmark comment {n} moves the project's version."},
                    )
                    comment.raise_for_status()
                began = time.perf_counter()
                response = httpx.get(f"{base}{path}", headers=headers, timeout=60)
                times.append(time.perf_counter() - began)
                response.raise_for_status()
            figures[f"{path}_kib"] = round(len(response.content) / 1024)
            return times

        fresh = timed(f"/projects/{PROJECT}/metrics", after_a_contribution=True)
        figures["dashboard_page_first_s"] = round(fresh[0], 3)
        figures["dashboard_page_median_s"] = round(statistics.median(fresh), 3)
        cached = timed(f"/projects/{PROJECT}/metrics", after_a_contribution=False)
        figures["dashboard_page_unchanged_median_s"] = round(statistics.median(cached), 3)
        organisation = timed(f"/organisations/{ORGANISATION}/metrics", after_a_contribution=True)
        figures["organisation_page_median_s"] = round(statistics.median(organisation), 3)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
