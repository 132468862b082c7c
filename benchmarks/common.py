"""What the benchmarks share: a demo deployment on loopback, statistics, process memory."""

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

from tests.servers import Server, run_cli, serve

DEMO_PASSWORD = "pivotal-demo"


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
        if prepare is not None:
            prepare(url)
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(serve(env, tmp / f"server-{i}.log")) for i in range(processes)
            ]
            yield Deployment(servers=servers, database_url=url, tmp=tmp)


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


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (uvicorn workers), in KiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total
