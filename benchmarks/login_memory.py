"""Login memory: 100 concurrent wrong logins against one server, and its peak resident memory.

Each login in progress holds Argon2's memory while it hashes; without a bound, as many logins
hash at once as there are worker threads. Fires the logins at 127.0.0.1 (all at once, each on
its own connection), then reads the server's peak RSS (VmHWM) and the answers' statuses.

    .venv/bin/python -m benchmarks.login_memory
    .venv/bin/python -m benchmarks.login_memory --logins 100 --failure-limit 1000  # no throttle
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections import Counter

import httpx

from benchmarks.common import demo_database, percentiles, raise_file_limit, rss_kib
from tests.servers import serve

ACCOUNT = "ansatt@trondheim.example"  # a demo account: the server checks its real hash


def peak_rss_kib(pid: int) -> int:
    """The process's (and its workers') peak resident memory so far, in KiB."""
    return rss_kib(pid, field="VmHWM")


async def run(logins: int, failure_limit: int | None) -> dict:
    """Run the benchmark and return its figures."""
    raise_file_limit()
    with demo_database() as (_url, env, tmp):
        if failure_limit is not None:
            env = {**env, "PIVOTAL_LOGIN_FAILURE_LIMIT": str(failure_limit)}
        with serve(env, tmp / "server.log") as server:
            limits = httpx.Limits(max_connections=logins, max_keepalive_connections=0)
            async with httpx.AsyncClient(timeout=120, limits=limits) as http:
                await http.get(f"{server.url}/login")  # warm up templates and the database
                await asyncio.sleep(1)
                rss_before = rss_kib(server.pid)
                peak_before = peak_rss_kib(server.pid)
                sampled: list[int] = []

                async def sample() -> None:
                    while True:
                        sampled.append(rss_kib(server.pid))
                        await asyncio.sleep(0.01)

                async def wrong_login(i: int) -> tuple[int, float]:
                    sent = time.perf_counter()
                    response = await http.post(
                        f"{server.url}/api/v1/auth/token",
                        data={"username": ACCOUNT, "password": f"wrong password {i}"},
                    )
                    return response.status_code, (time.perf_counter() - sent) * 1000

                sampler = asyncio.create_task(sample())
                started = time.perf_counter()
                answers = await asyncio.gather(*(wrong_login(i) for i in range(logins)))
                seconds = time.perf_counter() - started
                sampler.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sampler
                peak = peak_rss_kib(server.pid)
    return {
        "benchmark": "login_memory",
        "logins": logins,
        "failure_limit": failure_limit,
        "statuses": dict(Counter(status for status, _ms in answers)),
        "seconds": round(seconds, 2),
        "answer_ms": percentiles([ms for _status, ms in answers]),
        "rss_mib_before": round(rss_before / 1024, 1),
        "peak_rss_mib_before": round(peak_before / 1024, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "peak_rss_mib_sampled": round(max(sampled, default=0) / 1024, 1),
    }


def main() -> None:
    """Parse arguments, run, print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--logins", type=int, default=100)
    parser.add_argument(
        "--failure-limit",
        type=int,
        default=None,
        help="PIVOTAL_LOGIN_FAILURE_LIMIT for the server (default: the server's own)",
    )
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.logins, args.failure_limit)), indent=2))


if __name__ == "__main__":
    main()
