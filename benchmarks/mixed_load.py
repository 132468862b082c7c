"""Mixed load: 100 concurrent users for 60 s; a project with 300 needs, a need with 100 comments.

75 % project-page views, 20 % need-page views, 5 % posts (comments through the API on another
need, so the measured pages keep their size). The load comes from wrk (Debian package `wrk`)
with benchmarks/mixed_load.lua; it targets only 127.0.0.1 and stops after the duration. Reads
and writes are timed apart (p50, p99, max, count over 2 s, 503s shed), and the write lane
(app/web/lanes.py) runs off and on in turn on the same seeded database (`--lanes`), so the
comparison is made under the same load on the machine.

    .venv/bin/python -m benchmarks.mixed_load --think-ms 200    # 1 process, SQLite, users pause
    .venv/bin/python -m benchmarks.mixed_load                   # no pauses: saturation
    .venv/bin/python -m benchmarks.mixed_load --lanes off,on,off,on --duration 15
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.mixed_load \
        --processes 2 --database-url "$PIVOTAL_TEST_DATABASE_URL"'
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx

from app import db
from app.models import Project, User
from app.models.need import CommentCreate, NeedCreate
from app.services import needs, permissions
from benchmarks.common import DEMO_PASSWORD, demo_database, raise_file_limit
from tests.servers import serve

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


def _lane(results: list[dict[str, Any]], lane: str, duration: int) -> dict[str, Any]:
    """One lane's figures (reads or writes) over all processes: the worst process's
    percentiles, the counts summed, and the share of answers that were 503 (shed)."""
    parts = [r[lane] for r in results]
    count = sum(p["count"] for p in parts)
    shed = sum(p["statuses"].get("503", 0) for p in parts)
    return {
        "count": count,
        "per_s": round(count / duration, 1),
        "p50_ms": max(p["p50_ms"] for p in parts),
        "p99_ms": max(p["p99_ms"] for p in parts),
        "max_ms": max(p["max_ms"] for p in parts),
        "over_2s": sum(p["over_2s"] for p in parts),
        "unanswered": sum(p["unanswered"] for p in parts),
        "shed_503": shed,
        "shed_share": round(shed / count, 4) if count else 0.0,
        "statuses": {k: sum(p["statuses"].get(k, 0) for p in parts) for k in _keys(parts)},
    }


def _keys(parts: list[dict[str, Any]]) -> list[str]:
    return sorted({k for p in parts for k in p["statuses"]})


def _load(args: argparse.Namespace, urls: list[str], ids: dict[str, int]) -> list[dict[str, Any]]:
    """Run wrk against each server (the users split evenly) and return each one's figures."""
    token = httpx.post(
        f"{urls[0]}/api/v1/auth/token",
        data={"username": "ansatt@trondheim.example", "password": DEMO_PASSWORD},
    ).json()["access_token"]
    for url in urls:  # a server in use has its pages cached: not the load's first seconds
        for path in (f"/projects/{ids['project']}", f"/needs/{ids['need']}"):
            httpx.get(f"{url}{path}", timeout=30).raise_for_status()
    env = {
        **os.environ,
        "PIVOTAL_BENCH_TOKEN": token,
        "PIVOTAL_BENCH_PROJECT": str(ids["project"]),
        "PIVOTAL_BENCH_NEED": str(ids["need"]),
        "PIVOTAL_BENCH_POST_NEED": str(ids["post_need"]),
        "PIVOTAL_BENCH_THINK_MS": str(args.think_ms),
    }
    per_process = max(1, args.users // len(urls))
    runs = [
        subprocess.Popen(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{per_process}",
                f"-d{args.duration}s",
                "--latency",
                f"--timeout={args.timeout}s",
                "-s",
                str(HERE / "mixed_load.lua"),
                url,
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for url in urls
    ]
    results = []
    for run in runs:
        out, _ = run.communicate(timeout=args.duration + args.timeout + 60)
        line = next(line for line in out.splitlines() if line.startswith("JSON "))
        results.append(json.loads(line[5:]))
    return results


def _lane_env(lane: str) -> dict[str, str] | None:
    """The settings for `off`, `on` (the defaults) or `on/R/B` (R reads in flight, B beside
    writes); None: not one of these."""
    if lane == "off":
        return {"PIVOTAL_LANE_READS_IN_FLIGHT": "0"}
    if lane == "on":
        return {}
    parts = lane.split("/")
    if len(parts) != 3 or parts[0] != "on" or not all(p.isdigit() for p in parts[1:]):
        return None
    return {"PIVOTAL_LANE_READS_IN_FLIGHT": parts[1], "PIVOTAL_LANE_READS_BESIDE_WRITES": parts[2]}


def _cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process and its threads have used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _row(run: dict[str, Any]) -> str:
    """A row of the table in docs/performance.md."""
    r, w = run["reads"], run["writes"]
    return (
        f"| {run['lane']} | {w['p50_ms']:.0f} ms | {w['p99_ms']:.0f} ms | {w['max_ms']:,.0f} ms "
        f"| {w['over_2s']} of {w['count']} | {r['per_s']:.0f} | {r['p99_ms']:.0f} ms "
        f"| {100 * r['shed_share']:.1f} % |"
    )


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
    parser.add_argument(
        "--lanes",
        default="off,on",
        help="the write lane off (PIVOTAL_LANE_READS_IN_FLIGHT=0), on (the defaults) or on/R/B "
        "(R reads in flight, B beside writes), in turn: off,on or on/8/0,on/32/2",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=10,
        help="wrk's timeout in seconds (above 2, so a request over 2 s is timed, not dropped)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    lanes = [lane.strip() for lane in args.lanes.split(",") if lane.strip()]
    if not lanes or any(_lane_env(lane) is None for lane in lanes):
        raise SystemExit("--lanes takes a list of on, off and on/R/B, such as off,on,on/8/0")
    ids: dict[str, int] = {}
    runs: list[dict[str, Any]] = []
    with demo_database(args.database_url) as (url, env, tmp):
        raise_file_limit()
        ids.update(seed(url))
        # One seeded database, the lane settings in turn (one server at a time): what the lane
        # changes is compared within one run, under the same load on the machine.
        for i, lane in enumerate(lanes):
            lane_env = {**env, **(_lane_env(lane) or {})}
            with contextlib.ExitStack() as stack:
                servers = [
                    stack.enter_context(serve(lane_env, tmp / f"server-{i}-{n}.log"))
                    for n in range(args.processes)
                ]
                cpu_before = [_cpu_seconds(server.pid) for server in servers]
                results = _load(args, [server.url for server in servers], ids)
                cpu = [_cpu_seconds(s.pid) - c for s, c in zip(servers, cpu_before, strict=True)]
            runs.append(
                {
                    "lane": lane,
                    "rps_total": round(sum(r["rps"] for r in results), 1),
                    "errors": sum(r["errors"] for r in results),
                    "reads": _lane(results, "reads", args.duration),
                    "writes": _lane(results, "writes", args.duration),
                    # How much of a core each server had: under 1.0 at saturation, the machine
                    # (other work, wrk) took the rest, and the figures are the machine's.
                    "server_cores_used": [round(c / args.duration, 2) for c in cpu],
                    "load_average_1min": round(os.getloadavg()[0], 2),
                    "slow_writes_at_s": sorted(t for r in results for t in r["slow_writes_at_s"]),
                    "per_process": results,
                }
            )
    figures = {
        "benchmark": "mixed_load",
        "users": args.users,
        "duration_s": args.duration,
        "think_ms": args.think_ms,
        "processes": args.processes,
        "database": "postgresql" if args.database_url else "sqlite",
        "needs_on_project_page": NEEDS,
        "comments_on_need_page": COMMENTS,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "runs": runs,
        "table": [_row(run) for run in runs],
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
