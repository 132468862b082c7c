"""Mixed load: 100 concurrent users for 60 s; a project with 300 needs, a need with 100 comments.

75 % project-page views, 20 % need-page views, 5 % posts (comments through the API on another
need, so the measured pages keep their size). The load comes from wrk (Debian package `wrk`)
with benchmarks/mixed_load.lua; it targets only 127.0.0.1 and stops after the duration.

    .venv/bin/python -m benchmarks.mixed_load --think-ms 200    # 1 process, SQLite, users pause
    .venv/bin/python -m benchmarks.mixed_load                   # no pauses: saturation
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.mixed_load \
        --processes 2 --database-url "$PIVOTAL_TEST_DATABASE_URL"'
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx

from app import db
from app.models import Project, User
from app.models.need import CommentCreate, NeedCreate
from app.services import needs, permissions
from benchmarks.common import DEMO_PASSWORD, deployment

HERE = Path(__file__).resolve().parent
NEEDS = 300
COMMENTS = 100


def seed(database_url: str) -> dict[str, int]:
    """A project with NEEDS needs; one need with COMMENTS comments; one need to post on."""
    db.use_database(database_url)
    with db.new_session() as session:
        employee = session.exec(
            User.__table__.select().where(User.email == "ansatt@trondheim.example")
        ).first()
        user = session.get(User, employee.id)
        project = session.get(Project, 1)
        rel = permissions.relation(session, user, project)
        created = []
        for i in range(NEEDS):
            need = needs.post_need(
                session,
                rel=rel,
                data=NeedCreate(
                    title=f"Lastbehov {i}", problem=f"Beskrivelse av behov nummer {i} i lasttesten."
                ),
            )
            created.append(need)
        session.flush()
        measured, target = created[0], created[1]
        for i in range(COMMENTS):
            needs.add_comment(
                session,
                rel=rel,
                need=measured,
                data=CommentCreate(body=f"Kommentar **{i}** i lasttesten."),
            )
        session.commit()
        result = {"project": project.id, "need": measured.id, "post_need": target.id}
    db.reset_engine()
    return result


def main() -> None:
    """Seed, serve, load with wrk, print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--think-ms",
        type=int,
        default=0,
        help="each user's mean pause between an answer and its next request (0: none)",
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    ids: dict[str, int] = {}
    with deployment(
        processes=args.processes,
        database_url=args.database_url,
        prepare=lambda url: ids.update(seed(url)),
    ) as dep:
        token = httpx.post(
            f"{dep.urls[0]}/api/v1/auth/token",
            data={"username": "ansatt@trondheim.example", "password": DEMO_PASSWORD},
        ).json()["access_token"]
        env = {
            **os.environ,
            "PIVOTAL_BENCH_TOKEN": token,
            "PIVOTAL_BENCH_PROJECT": str(ids["project"]),
            "PIVOTAL_BENCH_NEED": str(ids["need"]),
            "PIVOTAL_BENCH_POST_NEED": str(ids["post_need"]),
            "PIVOTAL_BENCH_THINK_MS": str(args.think_ms),
        }
        results = []
        # wrk drives one URL; with several processes, split the users across them evenly.
        per_process = max(1, args.users // len(dep.urls))
        runs = [
            subprocess.Popen(
                [
                    "wrk",
                    f"-t{args.threads}",
                    f"-c{per_process}",
                    f"-d{args.duration}s",
                    "--latency",
                    "-s",
                    str(HERE / "mixed_load.lua"),
                    url,
                ],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for url in dep.urls
        ]
        for run in runs:
            out, _ = run.communicate(timeout=args.duration + 60)
            line = next(line for line in out.splitlines() if line.startswith("JSON "))
            results.append(json.loads(line[5:]))
    figures = {
        "benchmark": "mixed_load",
        "users": args.users,
        "duration_s": args.duration,
        "think_ms": args.think_ms,
        "processes": args.processes,
        "database": "postgresql" if args.database_url else "sqlite",
        "needs_on_project_page": NEEDS,
        "comments_on_need_page": COMMENTS,
        "rps_total": round(sum(r["rps"] for r in results), 1),
        "errors": sum(r["errors"] for r in results),
        "per_process": results,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
