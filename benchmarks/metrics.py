"""Metrics over 1,000,000 participation events: computing them, and the dashboard page.

Generates into the demo's first project (SQLite) 20,000 needs, 200,000 comments (every second
one a reply, threads up to ten deep) and 1,000,000 participation events spread over a year and
over every demo user, with plain INSERT … SELECT over recursive CTEs (no ORM). Then times
`metrics.for_project` in-process for a procurer and for a researcher (5 runs each: the first
also brings the rollup up to date from nothing; the median) and GET /projects/{id}/metrics
through a running server (first and median of 5).

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
NEEDS = 20_000
COMMENTS = 200_000
EVENTS = 1_000_000
RUNS = 5


def generate(database_url: str) -> dict[str, int]:
    """Needs, comments and events, straight into the database."""
    return generate_participation(
        database_url, project=PROJECT, events=EVENTS, needs=NEEDS, comments=COMMENTS
    )


def time_metrics(database_url: str, email: str) -> list[float]:
    """Seconds of RUNS computations of the project's metrics as this user, in one transaction.

    The first run also builds the rollup (rolled back at the end, so each reader and the
    server start cold).
    """
    db.use_database(database_url)
    times = []
    with db.new_session() as session:
        user = session.exec(User.__table__.select().where(User.email == email)).first()
        reader = session.get(User, user.id)
        project = session.get(Project, PROJECT)
        rel = permissions.relation(session, reader, project)
        for _ in range(RUNS):
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
        times = []
        for _ in range(RUNS):
            began = time.perf_counter()
            response = httpx.get(f"{base}/projects/{PROJECT}/metrics", headers=headers, timeout=60)
            times.append(time.perf_counter() - began)
            response.raise_for_status()
        figures["dashboard_page_first_s"] = round(times[0], 3)
        figures["dashboard_page_median_s"] = round(statistics.median(times), 3)
        figures["dashboard_page_kib"] = round(len(response.content) / 1024)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
