"""What the benchmarks share: a demo deployment on loopback, generated participation,
statistics, process memory."""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import statistics
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from app import db
from tests.servers import Server, run_cli, serve

DEMO_PASSWORD = "pivotal-demo"
# A benchmark's one account posts hundreds of needs and comments in seconds, in this process (its
# seed) and in the servers it starts: it measures load, not the per-account posting limits.
os.environ.setdefault("PIVOTAL_POST_LIMIT_PER_MINUTE", "0")
os.environ.setdefault("PIVOTAL_POST_LIMIT_PER_HOUR", "0")
# Verbs other than needs, comments and verifications, in turn, for generated events.
OTHER_VERBS = ["supported", "supported", "supported", "asked", "answered", "registered_for_event"]


def raise_file_limit() -> int:
    """Allow as many open sockets as the hard limit permits (children inherit it)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


@dataclass
class Deployment:
    """The running server processes and their database."""

    servers: list[Server]
    database_url: str
    tmp: Path

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]


@contextlib.contextmanager
def demo_database(database_url: str | None = None) -> Iterator[tuple[str, dict[str, str], Path]]:
    """Migrate and load the demo into a fresh database; yield its URL, the environment and a
    temporary folder (removed afterwards). SQLite (a file in that folder) unless given a URL."""
    with tempfile.TemporaryDirectory(prefix="pivotal-bench-") as tmp_name:
        tmp = Path(tmp_name)
        url = database_url or f"sqlite:///{tmp / 'pivotal.db'}"
        env = {
            **os.environ,
            "PIVOTAL_ENVIRONMENT": "production",
            "PIVOTAL_DATABASE_URL": url,
            "PIVOTAL_BUS_URL": url if url.startswith("postgresql") else "memory://",
            "PIVOTAL_SECRET_KEY": secrets.token_urlsafe(36),
        }
        env.pop("PIVOTAL_BASE_URL", None)
        run_cli("migrate", env=env)
        run_cli("demo", env=env)
        yield url, env, tmp


@contextlib.contextmanager
def deployment(
    *,
    processes: int = 1,
    database_url: str | None = None,
    prepare: Callable[[str], object] | None = None,
) -> Iterator[Deployment]:
    """Migrate and load the demo into a fresh database, then run `processes` servers on it.

    SQLite (a file in a temporary folder) with the in-process bus by default; with a PostgreSQL
    `database_url` the processes share the PostgreSQL LISTEN/NOTIFY bus.
    """
    raise_file_limit()
    with demo_database(database_url) as (url, env, tmp):
        if prepare is not None:
            prepare(url)
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(serve(env, tmp / f"server-{i}.log")) for i in range(processes)
            ]
            yield Deployment(servers=servers, database_url=url, tmp=tmp)


def _after_minutes(minutes: str, postgresql: bool) -> str:
    """SQL for `:start` plus a whole number of minutes (an SQL expression)."""
    if postgresql:
        return f"CAST(:start AS timestamp) + FLOOR({minutes}) * interval '1 minute'"
    return f"datetime(:start, '+' || CAST({minutes} AS INTEGER) || ' minutes')"


def generate_participation(
    database_url: str, *, project: int, events: int, needs: int, comments: int
) -> dict[str, int]:
    """Needs, comments and participation events in a project, with `INSERT … SELECT` over
    recursive CTEs (no ORM), on SQLite or PostgreSQL.

    Authors and actors go round every user but researchers; needs, then comments (every second
    one a reply once there are more comments than needs, so threads grow deep), over a year.
    Events: first the needs, then the comments, then a verification by a procurer of every
    fourth need, then supports and the rest (`OTHER_VERBS`); the first 70 % are in the needs
    phase. Every event but a posted need answers another person.
    """
    engine = db.make_engine(database_url)
    postgresql = engine.dialect.name == "postgresql"
    verbs = " ".join(f"WHEN {i} THEN '{verb}'" for i, verb in enumerate(OTHER_VERBS))
    # Event ids in the order of i (so in time order): SQLite's nested loop already yields that
    # order, PostgreSQL's hash join does not.
    order = "ORDER BY i" if postgresql else ""
    with engine.begin() as con:
        con.execute(
            text(
                """
                CREATE TEMP TABLE actor AS
                  SELECT row_number() OVER (ORDER BY u.id) - 1 AS k, u.id, u.role,
                         u.organisation_id AS org, o.kind
                  FROM "user" u LEFT JOIN organisation o ON o.id = u.organisation_id
                  WHERE u.role != 'researcher'
                """
            )
        )
        actors = con.execute(text("SELECT count(*) FROM actor")).scalar_one()
        need0 = con.execute(text("SELECT coalesce(max(id), 0) FROM need")).scalar_one()
        comment0 = con.execute(text("SELECT coalesce(max(id), 0) FROM comment")).scalar_one()
        params = {
            "p": project,
            "needs": needs,
            "comments": comments,
            "events": events,
            "phase_change": events * 7 // 10,
            "actors": actors,
            "need0": need0,
            "comment0": comment0,
            "start": "2025-01-06 08:00:00",
            "step": 365 * 24 * 60 / events,
        }
        con.execute(
            text(
                f"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :needs)
                INSERT INTO need (id, project_id, author_id, title, problem, affected, anonymous,
                                  status, status_reason, created_at)
                SELECT :need0 + i, :p, a.id, 'Behov ' || i, 'Et generert behov for målingene.',
                       '', false, CASE WHEN i % 4 = 0 THEN 'verified' ELSE 'submitted' END, '',
                       {_after_minutes("i * 26", postgresql)}
                FROM n JOIN actor a ON a.k = i % :actors
                """
            ),
            params,
        )
        con.execute(
            text(
                f"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :comments)
                INSERT INTO comment (id, need_id, parent_id, author_id, body, hidden,
                                     hidden_reason, created_at)
                SELECT :comment0 + i, :need0 + 1 + (i % :needs),
                       CASE WHEN i > :needs AND i % 2 = 0 THEN :comment0 + i - :needs END,
                       a.id, 'Generert kommentar.', false, '',
                       {_after_minutes("i * 2", postgresql)}
                FROM n JOIN actor a ON a.k = (i * 7) % :actors
                """
            ),
            params,
        )
        # Each reply's thread and depth, as the service sets them (walking down the threads).
        con.execute(
            text(
                """
                WITH RECURSIVE thread(id, root, depth) AS (
                    SELECT id, id, 1 FROM comment WHERE parent_id IS NULL AND id > :comment0
                    UNION ALL
                    SELECT c.id, thread.root, thread.depth + 1
                    FROM comment c JOIN thread ON c.parent_id = thread.id
                )
                UPDATE comment SET root_id = thread.root, depth = thread.depth
                FROM thread WHERE comment.id = thread.id AND thread.depth > 1
                """
            ),
            params,
        )
        con.execute(
            text(
                f"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :events)
                INSERT INTO participation_event (occurred_at, project_id, phase, actor_id,
                    actor_role, actor_org_id, actor_org_kind, verb, object_type, object_id,
                    addressee_id, addressee_role, addressee_org_id, addressee_org_kind)
                SELECT {_after_minutes("i * :step", postgresql)}, :p,
                       CASE WHEN i < :phase_change THEN 'needs' ELSE 'market_dialogue' END,
                       a.id, a.role, a.org, a.kind,
                       CASE WHEN i <= :needs THEN 'posted_need'
                            WHEN i <= :needs + :comments THEN
                              CASE WHEN (i - :needs) > :needs AND (i - :needs) % 2 = 0
                                   THEN 'replied' ELSE 'commented' END
                            WHEN i <= :needs + :comments + :needs / 4 THEN 'verified_need'
                            ELSE CASE i % {len(OTHER_VERBS)} {verbs} END END,
                       CASE WHEN i <= :needs THEN 'need'
                            WHEN i <= :needs + :comments THEN 'comment'
                            ELSE 'need' END,
                       CASE WHEN i <= :needs THEN :need0 + i
                            WHEN i <= :needs + :comments THEN :comment0 + i - :needs
                            WHEN i <= :needs + :comments + :needs / 4
                              THEN :need0 + 4 * (i - :needs - :comments)
                            ELSE :need0 + 1 + i % :needs END,
                       CASE WHEN i > :needs THEN b.id END, CASE WHEN i > :needs THEN b.role END,
                       CASE WHEN i > :needs THEN b.org END, CASE WHEN i > :needs THEN b.kind END
                FROM n JOIN actor a ON a.k = i % :actors
                       JOIN actor b ON b.k = (i * 3 + 1) % :actors
                {order}
                """
            ),
            params,
        )
        # Verifications are by a procurer.
        con.execute(
            text(
                """
                UPDATE participation_event
                SET (actor_id, actor_role, actor_org_id, actor_org_kind) =
                  (SELECT id, role, org, kind FROM actor WHERE role = 'procurer' LIMIT 1)
                WHERE verb = 'verified_need' AND project_id = :p
                """
            ),
            params,
        )
        if postgresql:  # ids were given explicitly: move the sequences past them
            for table in ("need", "comment"):
                con.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                        f"FROM {table}"
                    )
                )
        con.execute(text("DROP TABLE actor"))
    with engine.begin() as con:
        con.execute(text("ANALYZE"))
        total = con.execute(
            text("SELECT count(*) FROM participation_event WHERE project_id = :p"), {"p": project}
        ).scalar_one()
    engine.dispose()
    return {"events": total}


def percentiles(values: list[float]) -> dict[str, float]:
    """Median, p90, p95, p99 and max of a sample, in the sample's unit, rounded."""
    ordered = sorted(values)

    def pick(q: float) -> float:
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index]

    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 2),
        "p90": round(pick(0.90), 2),
        "p95": round(pick(0.95), 2),
        "p99": round(pick(0.99), 2),
        "max": round(ordered[-1], 2),
    }


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """Resident memory of a process and its children (uvicorn workers), in KiB; with
    field="VmHWM", their peak so far."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                total += int(line.split()[1])
    return total
