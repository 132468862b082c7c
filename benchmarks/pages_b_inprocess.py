"""Proposals, events, documents and metrics pages in-process: queries and time per request.

Loads the demo into a temporary SQLite database, adds to its first project many proposals
(half with published summaries), dialogue events with registrations, documents for every
audience and participation events, then requests each page through the real app (TestClient)
as a visitor and as each demo participant, counting SQL statements and timing the median of a
few requests. `--profile PAGE` prints a cProfile of one page for one viewer.

    .venv/bin/python -m benchmarks.pages_b_inprocess [--scale 1] [--runs 5]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import event as sa_event
from sqlmodel import select

from app import db
from app.models import DialogueEvent, Document, Need, Proposal, ProposalNeed, User
from app.models.event import EventRegistration
from benchmarks.common import DEMO_PASSWORD, demo_database, generate_participation

PROJECT = 1
START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
VIEWERS = {
    "visitor": None,
    "procurer": "innkjoper@trondheim.example",
    "employee": "ansatt@trondheim.example",
    "supplier": "leverandor@helsetek.example",
}
PAGES = {
    "proposals": f"/projects/{PROJECT}/proposals",
    "events": f"/projects/{PROJECT}/events",
    "documents": f"/projects/{PROJECT}/documents",
    "metrics": f"/projects/{PROJECT}/metrics",
    "org_metrics": "/organisations/1/metrics",
    "platform_metrics": "/platform/metrics",
}


def seed(url: str, *, proposals: int, events: int, documents: int, participation: int) -> None:
    """Many proposals, events with registrations, documents and participation events."""
    db.use_database(url)
    with db.new_session() as session:
        users = list(session.exec(select(User)).all())
        supplier = next(u for u in users if u.email == VIEWERS["supplier"])
        procurer = next(u for u in users if u.email == VIEWERS["procurer"])
        suppliers = [u for u in users if u.organisation_id and u.role == "supplier"] or [supplier]
        need_ids = list(session.exec(select(Need.id).where(Need.project_id == PROJECT)).all())
        for n in range(proposals):
            who = suppliers[n % len(suppliers)]
            p = Proposal(
                project_id=PROJECT,
                organisation_id=who.organisation_id,
                submitted_by_id=who.id,
                title=f"Forslag {n:04d}",
                summary="Et forslag til løsning som svarer på behovet.",
                body="Hele forslaget med detaljer.",
                submitted_at=START + timedelta(minutes=n),
                summary_published=n % 2 == 0,
            )
            session.add(p)
            session.flush()
            for need_id in need_ids[n % max(len(need_ids), 1) :][:2]:
                session.add(ProposalNeed(proposal_id=p.id, need_id=need_id))
        for n in range(events):
            e = DialogueEvent(
                project_id=PROJECT,
                created_by_id=procurer.id,
                kind="conference",
                title=f"Dialogkonferanse {n:03d}",
                description="Om behovene.",
                location="Rådhuset",
                starts_at=START + timedelta(days=n),
                ends_at=START + timedelta(days=n, hours=2),
                capacity=20,
            )
            session.add(e)
            session.flush()
            for k, u in enumerate(users[:25]):
                status = "confirmed" if k < 20 else "waitlisted"
                session.add(EventRegistration(event_id=e.id, user_id=u.id, status=status))
        audiences = ["public", "participants", "procurers"]
        for n in range(documents):
            session.add(
                Document(
                    project_id=PROJECT,
                    kind="other",
                    title=f"Dokument {n:04d}",
                    audience=audiences[n % 3],
                    sha256="0" * 64,
                    size=1000,
                    content_type="application/pdf",
                    filename=f"dokument-{n}.pdf",
                    uploaded_by_id=procurer.id,
                    uploaded_at=START + timedelta(minutes=n),
                    published_at=START + timedelta(minutes=n) if n % 5 else None,
                )
            )
        session.commit()
    db.reset_engine()
    if participation:
        generate_participation(
            url,
            project=PROJECT,
            events=participation,
            needs=participation // 50,
            comments=participation // 5,
        )


def _statements(request: object) -> list[str]:
    """The SQL statements the app's engine runs during `request()`."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = db.get_engine()
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        request()  # type: ignore[operator]
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    return statements


def measure(runs: int, profile: tuple[str, str] | None) -> dict[str, dict[str, object]]:
    """Queries and median milliseconds per page and viewer."""
    from fastapi.testclient import TestClient

    from app.main import app

    figures: dict[str, dict[str, object]] = {}
    with TestClient(app) as client:
        for viewer, email in VIEWERS.items():
            client.cookies.clear()
            if email:
                page = client.get("/login")
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
                r = client.post(
                    "/login",
                    data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token},
                    follow_redirects=False,
                )
                assert r.status_code in (302, 303), r.text[:300]
            for name, path in PAGES.items():
                response = client.get(path)  # warm
                statements = _statements(lambda path=path: client.get(path))
                times = []
                for _ in range(runs):
                    began = time.perf_counter()
                    client.get(path)
                    times.append((time.perf_counter() - began) * 1000)
                figures[f"{name} {viewer}"] = {
                    "status": response.status_code,
                    "queries": len(statements),
                    "ms": round(statistics.median(times), 1),
                    "kB": len(response.content) // 1024,
                }
                if profile == (name, viewer):
                    prof = cProfile.Profile()
                    prof.enable()
                    for _ in range(runs):
                        client.get(path)
                    prof.disable()
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    return figures


def main() -> None:
    """Seed, measure, print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", nargs=2, metavar=("PAGE", "VIEWER"))
    args = parser.parse_args()
    s = args.scale
    with demo_database() as (url, env, _tmp):
        seed(
            url,
            proposals=int(200 * s),
            events=int(100 * s),
            documents=int(200 * s),
            participation=int(100_000 * s),
        )
        for key in ("PIVOTAL_DATABASE_URL", "PIVOTAL_BUS_URL", "PIVOTAL_SECRET_KEY"):
            os.environ[key] = env[key]
        os.environ["PIVOTAL_ENVIRONMENT"] = "development"
        db.use_database(url)
        figures = measure(args.runs, tuple(args.profile) if args.profile else None)
    print(json.dumps({"scale": s}))
    print(f"{'page':32} {'status':>6} {'queries':>8} {'ms':>8} {'kB':>6}")
    for key, row in figures.items():
        print(f"{key:32} {row['status']:>6} {row['queries']:>8} {row['ms']:>8} {row['kB']:>6}")


if __name__ == "__main__":
    main()
