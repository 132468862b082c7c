"""Every page beside a minimal DB-backed page, in the same run (issue 17).

Loads the demo into a fresh SQLite database and adds to its first project 300 needs, 3,000
comments and 20,000 participation events (`generate_participation`, rolled up as the keeper
would), and one need with a thread of 200 comments. Then runs, as separate processes, one
`pivotal serve` and one `benchmarks.minimal_app` (the same stack with one SELECT of 20 needs and
a tiny template: the limit) on that database, and loads each with wrk (Debian package `wrk`,
script benchmarks/pages.lua) for a fixed time with N connections that never pause.

The minimal page is measured between the pages — minimal, page A, minimal, page B, …, minimal —
so that whatever else the machine does hits both; each page's ratio is the mean req/s of the
minimal runs just before and after it divided by the page's req/s (target: ≤ 2). Every page is
measured for a visitor and for logged-in participants (16 employees of one organisation, each
with a session cookie from POST /login; wrk takes turns among them request by request);
each run's answers are counted by status, so a page that answers 302 to the login page or 404
shows as wrong, not fast.

    .venv/bin/python -m benchmarks.pages                        # the table for docs/performance.md
    .venv/bin/python -m benchmarks.pages --seconds 2 --pages front,need --roles visitor
    .venv/bin/python -m benchmarks.pages --json
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import select

from app import db
from app.models import Project, User
from app.models.need import CommentCreate, NeedCreate
from app.models.user import UserCreate
from app.services import accounts, metrics, needs, permissions
from benchmarks.common import DEMO_PASSWORD, deployment, generate_participation
from tests.servers import HOST, ROOT, free_port, stop, wait_until_up

HERE = Path(__file__).resolve().parent
PROJECT = 1  # the demo's first project, in the needs phase: it gets the generated participation
MARKET_PROJECT = 3  # the demo's project in market dialogue: its questions, proposals, documents
NEEDS = 300
COMMENTS = 3_000
EVENTS = 20_000
THREAD = 200  # comments on the measured need
# The market project's questions, proposals, events and documents, each copied (the row alone,
# in SQL) until the project holds at least this many of each: a list longer than one page.
MARKET_ITEMS = 40
MARKET_TABLES = ("question", "proposal", "dialogue_event", "document")
PARTICIPANT = "ansatt@trondheim.example"
# The participant's colleagues (the same role and organisation: one audience), each logged in
# with a cookie of their own; wrk takes turns among them, so a page cached per person could not
# pass for one shared by the audience.
COLLEAGUES = [f"kollega{n}@trondheim.example" for n in range(1, 16)]
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """A page to measure: a short key for --pages, a label for the table, its path."""

    key: str
    label: str
    path: str


def page_list(*, need: int) -> list[Page]:
    """The pages of issue 17, with `need` the need whose page has the long thread."""
    return [
        Page("front", "front page", "/"),
        Page("project", "project page", f"/projects/{PROJECT}"),
        Page("need", f"need page ({THREAD} comments)", f"/needs/{need}"),
        Page("questions", "Q&A", f"/projects/{MARKET_PROJECT}/questions"),
        Page("proposals", "proposals", f"/projects/{MARKET_PROJECT}/proposals"),
        Page("events", "events", f"/projects/{MARKET_PROJECT}/events"),
        Page("documents", "documents", f"/projects/{MARKET_PROJECT}/documents"),
        Page("metrics", "metrics", f"/projects/{PROJECT}/metrics"),
    ]


MINIMAL = Page("minimal", "minimal DB-backed page", f"/needs?project={PROJECT}")


def seed(database_url: str) -> dict[str, int]:
    """Participation in the first project, a need with a long thread; the rollups counted."""
    generate_participation(
        database_url, project=PROJECT, events=EVENTS, needs=NEEDS, comments=COMMENTS
    )
    db.use_database(database_url)
    with db.new_session() as session:
        user = session.exec(select(User).where(User.email == PARTICIPANT)).one()
        rel = permissions.relation(
            session, user, session.exec(select(Project).where(Project.id == PROJECT)).one()
        )
        need = needs.post_need(
            session,
            rel=rel,
            data=NeedCreate(title="Behovet med lang tråd", problem="Et behov mange har svart på."),
        )
        for i in range(THREAD):
            needs.add_comment(
                session, rel=rel, need=need, data=CommentCreate(body=f"Kommentar **{i}** i tråden.")
            )
        for email in COLLEAGUES:
            accounts.create_user(
                session,
                data=UserCreate(
                    email=email,
                    display_name=f"Kollega {email.split('@')[0][7:]}",
                    password=DEMO_PASSWORD,
                    role=user.role,
                    organisation_id=user.organisation_id,
                ),
            )
        session.commit()
        result = {"need": int(need.id)}  # type: ignore[arg-type]
    metrics.refresh_rollups()
    db.reset_engine()
    result.update(fill_market_project(database_url))
    return result


def fill_market_project(database_url: str) -> dict[str, int]:
    """Copy each market-dialogue list's rows of the market project (all columns but the id)
    until it holds MARKET_ITEMS of each; how many rows each table then holds there."""
    engine = db.make_engine(database_url)
    counts = {}
    with engine.begin() as con:
        for table in MARKET_TABLES:
            columns = ", ".join(
                f'"{column.name}"'
                for column in sa.Table(table, sa.MetaData(), autoload_with=con).columns
                if column.name != "id"
            )
            count = sa.text(f"SELECT count(*) FROM {table} WHERE project_id = :p")
            params = {"p": MARKET_PROJECT}
            while 0 < con.execute(count, params).scalar_one() < MARKET_ITEMS:
                con.execute(
                    sa.text(
                        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} "
                        "WHERE project_id = :p"
                    ),
                    params,
                )
            counts[table] = con.execute(count, params).scalar_one()
    engine.dispose()
    return counts


@contextlib.contextmanager
def minimal_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """The minimal app in a process of its own on a free port; yields its URL."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.minimal_app", "--host", HOST, "--port", str(port)],
            env={**env, "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(f"{url}/readyz", process, log, 30.0)
        yield url
    finally:
        stop(process)


def session_cookie(base_url: str, email: str) -> str:
    """A Cookie header of a browser that logged in through the login form."""
    with httpx.Client(base_url=base_url) as client:
        token = CSRF_RE.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
        answer = client.post(
            "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        if answer.status_code != 303:
            raise SystemExit(f"login as {email} answered {answer.status_code}")
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.cookies.jar)


def check(url: str, cookie: str) -> dict[str, int]:
    """One request as wrk will make it (no redirects followed): status and bytes. Three more warm
    the page's caches and templates."""
    cookies = cookie.split("\n")
    headers = {"Cookie": cookies[0]} if cookie else {}
    for each in cookies[1:]:
        httpx.get(url, headers={"Cookie": each}, follow_redirects=False, timeout=30)
    for _ in range(3):
        httpx.get(url, headers=headers, follow_redirects=False, timeout=30)
    answer = httpx.get(url, headers=headers, follow_redirects=False, timeout=30)
    return {"status": answer.status_code, "bytes": len(answer.content)}


def wrk(url: str, *, cookie: str, seconds: int, connections: int, threads: int) -> dict:
    """One closed-loop wrk run against one URL; its figures (see pages.lua)."""
    base, path = _split(url)
    env = {**os.environ, "PIVOTAL_BENCH_COOKIE": cookie, "PIVOTAL_BENCH_PATH": path}
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / "pages.lua"),
            base,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("JSON "))
    return json.loads(line[5:])


def _split(url: str) -> tuple[str, str]:
    """`http://host:port/path?q` → (`http://host:port`, `/path?q`)."""
    scheme, rest = url.split("://", 1)
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host}", slash + path


def measure(
    pivotal: str,
    minimal: str,
    pages: list[Page],
    *,
    role: str,
    cookie: str,
    seconds: int,
    connections: int,
    threads: int,
) -> list[dict]:
    """minimal, page, minimal, page, …, minimal; each page with the minimal runs around it."""
    load = functools.partial(wrk, seconds=seconds, connections=connections, threads=threads)
    minimal_check = check(minimal + MINIMAL.path, "")
    minimal_runs = [load(minimal + MINIMAL.path, cookie="")]
    rows = []
    for page in pages:
        answer = check(pivotal + page.path, cookie)
        figures = load(pivotal + page.path, cookie=cookie)
        minimal_runs.append(load(minimal + MINIMAL.path, cookie=""))
        around = minimal_runs[-2:]
        reference = statistics.mean(r["rps"] for r in around)
        rows.append(
            {
                "page": page.key,
                "label": page.label,
                "path": page.path,
                "role": role,
                "status": answer["status"],
                "bytes": answer["bytes"],
                **figures,
                "minimal": {
                    "status": minimal_check["status"],
                    "bytes": minimal_check["bytes"],
                    "rps": round(reference, 1),
                    "p99_ms": round(statistics.mean(r["latency_ms"]["p99"] for r in around), 2),
                    "runs": around,
                },
                "ratio": round(reference / figures["rps"], 2) if figures["rps"] else None,
            }
        )
        print(_line(rows[-1]), file=sys.stderr, flush=True)
    return rows


def _statuses(row: dict) -> str:
    """The statuses wrk saw, e.g. `200` or `200 ×980, 302 ×20`."""
    seen = row["statuses"]
    if not seen:
        return "none completed"
    if len(seen) == 1:
        return next(iter(seen))
    return ", ".join(f"{status} ×{n}" for status, n in sorted(seen.items())) or "none"


def _line(row: dict) -> str:
    """One row of the markdown table."""
    ratio = row["ratio"]
    verdict = "—" if ratio is None else ("yes" if ratio <= 2 else "**no**")
    return (
        f"| {row['label']} `{row['path']}` | {row['role']} | {_statuses(row)} | {row['bytes']:,} "
        f"| {row['rps']:,.0f} | {row['latency_ms']['median']:.1f} | {row['latency_ms']['p99']:.1f} "
        f"| {row['minimal']['rps']:,.0f} | {row['minimal']['p99_ms']:.1f} "
        f"| {'—' if ratio is None else f'{ratio:.2f}'} | {verdict} |"
    )


def table(rows: list[dict], *, seconds: int, connections: int) -> str:
    """The markdown table for docs/performance.md."""
    head = (
        f"wrk, {connections} connections, {seconds} s per run, one uvicorn process each, SQLite. "
        "Ratio = minimal page's req/s (mean of the runs just before and after) ÷ page's req/s.\n\n"
        "| page | as | status | bytes | req/s | p50 ms | p99 ms | minimal req/s "
        "| minimal p99 ms | ratio | ≤ 2× |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    return "\n".join([head, *(_line(row) for row in rows)])


def main() -> None:
    """Seed, serve both apps, measure every page for each role beside the minimal page."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=10, help="wrk's concurrent connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated keys (default: all): "
        + ", ".join(page.key for page in page_list(need=0)),
    )
    parser.add_argument("--roles", default="visitor,participant", help="visitor, participant")
    parser.add_argument(
        "--participant",
        default=PARTICIPANT,
        help="the first participant's e-mail (the 15 others are the demo participant's colleagues)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    wanted = [key for key in args.pages.split(",") if key]
    known = {page.key for page in page_list(need=0)}
    if unknown := set(wanted) - known:
        raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")
    roles = [role for role in args.roles.split(",") if role]
    if unknown := set(roles) - {"visitor", "participant"}:
        raise SystemExit(f"unknown roles: {', '.join(sorted(unknown))}")

    ids: dict[str, int] = {}
    with deployment(prepare=lambda url: ids.update(seed(url))) as dep:
        print(f"seeded: {ids}", file=sys.stderr, flush=True)
        env = {**os.environ, "PIVOTAL_DATABASE_URL": dep.database_url}
        with minimal_server(env, dep.tmp / "minimal.log") as minimal:
            pages = [p for p in page_list(need=ids["need"]) if not wanted or p.key in wanted]
            rows = []
            for role in roles:
                people = [args.participant, *COLLEAGUES] if role == "participant" else []
                cookie = "\n".join(session_cookie(dep.urls[0], email) for email in people)
                rows += measure(
                    dep.urls[0],
                    minimal,
                    pages,
                    role=role,
                    cookie=cookie,
                    seconds=args.seconds,
                    connections=args.connections,
                    threads=args.threads,
                )
    # Not 200 each time, or no request ended within the run (no throughput to compare).
    wrong = [row for row in rows if row["status"] != 200 or set(row["statuses"]) != {"200"}]
    # A page none of whose requests ended within the run has no throughput to compare.
    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "pages",
                    "seconds": args.seconds,
                    "connections": args.connections,
                    "threads": args.threads,
                    "participant": args.participant,
                    "seed": {
                        "needs": NEEDS,
                        "comments": COMMENTS,
                        "events": EVENTS,
                        "thread": THREAD,
                    },
                    "load_average": os.getloadavg(),
                    "rows": rows,
                },
                indent=2,
            )
        )
    else:
        print(table(rows, seconds=args.seconds, connections=args.connections))
        print(f"\nLoad average after the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for row in wrong:
        seen = _statuses(row) if row["statuses"] else f"{row['status']} (none within the run)"
        print(f"WRONG: {row['path']} as {row['role']} answered {seen}", file=sys.stderr)


if __name__ == "__main__":
    main()
