"""Fan-out: N WebSocket viewers on one project page, needs posted one after another.

Measures, for each post, the time from sending the POST to the moment the last viewer has the
new need's fragment. Loads only 127.0.0.1 and stops by itself.

    .venv/bin/python -m benchmarks.fanout                       # 1 process, SQLite
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.fanout \
        --processes 2 --database-url "$PIVOTAL_TEST_DATABASE_URL"'   # 2 processes, PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time

import httpx
from websockets.asyncio.client import ClientConnection, connect

from benchmarks.common import DEMO_PASSWORD, deployment, percentiles, rss_kib

PROJECT_ID = 1
POSTER = "ansatt@trondheim.example"
MARK = re.compile(r"FANOUT-(\d+)-END")


async def _viewer(
    url: str, origin: str, ready: asyncio.Queue[ClientConnection]
) -> ClientConnection:
    ws = await connect(url, origin=origin, open_timeout=60, max_queue=None, ping_interval=None)  # type: ignore[arg-type]
    await ws.recv()  # the resync fragment
    return ws


async def run(
    viewers: int, posts: int, processes: int, database_url: str | None, settle: float
) -> dict:
    """Run the benchmark and return its figures."""
    with deployment(processes=processes, database_url=database_url) as dep:
        # No keep-alive: an idle pooled connection can be closed by the server just as it is reused.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            token = (
                await http.post(
                    f"{dep.urls[0]}/api/v1/auth/token",
                    data={"username": POSTER, "password": DEMO_PASSWORD},
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            # Warm every process up (templates, render cache, the socket path) with a page view
            # and one viewer that comes and goes, so that one-time costs are not counted per viewer.
            for base in dep.urls:
                await http.get(f"{base}/projects/{PROJECT_ID}")
                warm = await _viewer(
                    base.replace("http", "ws", 1) + f"/ws/projects/{PROJECT_ID}", base, None
                )  # type: ignore[arg-type]
                await warm.close()
            await asyncio.sleep(1)
            rss_before = [rss_kib(s.pid) for s in dep.servers]

            sockets: list[ClientConnection] = []
            semaphore = asyncio.Semaphore(50)

            async def open_one(i: int) -> None:
                base = dep.urls[i % len(dep.urls)]
                async with semaphore:
                    ws = await _viewer(
                        base.replace("http", "ws", 1) + f"/ws/projects/{PROJECT_ID}", base, None
                    )  # type: ignore[arg-type]
                sockets.append(ws)

            started = time.perf_counter()
            await asyncio.gather(*(open_one(i) for i in range(viewers)))
            connect_seconds = time.perf_counter() - started
            await asyncio.sleep(settle)  # let the viewer counts settle, then measure memory idle
            rss_after = [rss_kib(s.pid) for s in dep.servers]

            arrived: list[list[float]] = [[] for _ in range(posts)]
            done = [asyncio.Event() for _ in range(posts)]

            async def read(ws: ClientConnection) -> None:
                async for message in ws:
                    now = time.perf_counter()
                    for match in MARK.finditer(str(message)):
                        index = int(match.group(1))
                        arrived[index].append(now)
                        if len(arrived[index]) == viewers:
                            done[index].set()

            readers = [asyncio.create_task(read(ws)) for ws in sockets]
            latencies: list[float] = []
            for i in range(posts):
                sent = time.perf_counter()
                response = await http.post(
                    f"{dep.urls[0]}/api/v1/projects/{PROJECT_ID}/needs",
                    json={"title": f"FANOUT-{i}-END", "problem": "Målt behov for fan-out-testen."},
                    headers=headers,
                )
                response.raise_for_status()
                try:
                    await asyncio.wait_for(done[i].wait(), timeout=30)
                except TimeoutError:
                    print(f"post {i}: only {len(arrived[i])}/{viewers} viewers got it within 30 s")
                    continue
                latencies.append((max(arrived[i]) - sent) * 1000)
            for task in readers:
                task.cancel()
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    return {
        "benchmark": "fanout",
        "viewers": viewers,
        "posts": posts,
        "processes": processes,
        "database": "postgresql" if database_url else "sqlite",
        "connect_seconds": round(connect_seconds, 2),
        "post_to_last_viewer_ms": percentiles(latencies),
        "rss_kib_before": rss_before,
        "rss_kib_with_viewers": rss_after,
        "rss_kib_per_viewer": round((sum(rss_after) - sum(rss_before)) / viewers, 1),
    }


def main() -> None:
    """Parse arguments, run, print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds idle before measuring memory"
    )
    args = parser.parse_args()
    result = asyncio.run(
        run(args.viewers, args.posts, args.processes, args.database_url, args.settle)
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
