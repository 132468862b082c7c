"""Fan-out: N WebSocket viewers on one project page, and the same number on a bare broadcast
server (`benchmarks/bare_broadcast.py`) beside it, measured alternately in one run.

For each round, a need is posted through the API and the time from sending the POST to the
moment the LAST Pivotal viewer has its fragment is taken; then the bare server is triggered and
the time until its last viewer has its fragment of the same size is taken. The ratio of the two
p99s is how far Pivotal is from what this machine and client can do at all. The viewers are
held by separate client processes (`benchmarks/load_client.py`), whose CPU share is reported,
as is how busy the whole machine was (other work included). With `--kill`, one server process
is then killed (SIGKILL) while needs keep being posted: its viewers reconnect to the others and
resync, and the report says how long they were gone and whether the others missed anything.
Loads only 127.0.0.1 and stops by itself.

    .venv/bin/python -m benchmarks.fanout              # 1,000 viewers, 1 process, SQLite
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.fanout --viewers 10000 \
        --processes 4 --kill --database-url "$PIVOTAL_TEST_DATABASE_URL"'  # 10,000 on 4 processes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.typing import Origin

from benchmarks.common import DEMO_PASSWORD, deployment, percentiles, raise_file_limit, rss_kib
from benchmarks.load_client import MARK, LoadClients
from tests.servers import HOST, ROOT, free_port, stop, wait_until_up

PROJECT_ID = 1
POSTER = "ansatt@trondheim.example"
PATH = f"/ws/projects/{PROJECT_ID}"
TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its reaped children so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / TICK  # utime stime cutime cstime


def _machine() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine so far (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


@contextlib.contextmanager
def bare_servers(count: int, tmp: Path) -> Iterator[list[tuple[str, int]]]:
    """Run `count` bare broadcast servers; yield their URLs and pids."""
    with contextlib.ExitStack() as stack:
        servers = []
        for i in range(count):
            port = free_port()
            log = (tmp / f"bare-{i}.log").open("wb")
            stack.callback(log.close)
            process = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.bare_broadcast", "--port", str(port)],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            stack.callback(stop, process)
            url = f"http://{HOST}:{port}"
            wait_until_up(url, process, tmp / f"bare-{i}.log", 30)
            servers.append((url, process.pid))
        yield servers


class Meter:
    """CPU seconds of the machine, the servers and the client processes over one stretch."""

    def __init__(
        self, clients: LoadClients, pids: list[int], bare_pids: tuple[int, ...] = ()
    ) -> None:
        self.clients, self.pids, self.bare_pids = clients, pids, list(bare_pids)

    async def start(self) -> None:
        self.wall = time.monotonic()
        self.machine = _machine()
        self.servers = sum(_process_cpu(pid) for pid in self.pids)
        self.bare = sum(_process_cpu(pid) for pid in self.bare_pids)
        self.client = await self.clients.cpu_seconds()
        self.parent = time.process_time()

    async def stop(self) -> dict[str, float]:
        """Each party's CPU in cores (CPU seconds ÷ wall seconds) since `start`, and the CPU
        seconds of Pivotal's servers, the bare servers and the clients."""
        wall = time.monotonic() - self.wall
        busy, total = _machine()
        cores = (total - self.machine[1]) / wall
        machine = (busy - self.machine[0]) / wall
        servers = sum(_process_cpu(pid) for pid in self.pids) - self.servers
        bare = sum(_process_cpu(pid) for pid in self.bare_pids) - self.bare
        client = await self.clients.cpu_seconds() - self.client
        parent = (time.process_time() - self.parent) / wall
        return {
            "wall_seconds": round(wall, 1),
            "cores": round(cores, 1),
            "machine_busy_cores": round(machine, 2),
            "servers_cores": round(servers / wall, 2),
            "bare_servers_cores": round(bare / wall, 2),
            "load_client_cores": round(client / wall, 2),
            "poster_cores": round(parent, 2),
            "others_cores": round(max(0.0, machine - (servers + bare + client) / wall - parent), 2),
            "servers_cpu_seconds": round(servers, 3),
            "bare_servers_cpu_seconds": round(bare, 3),
            "load_client_cpu_seconds": round(client, 3),
        }


async def _first_fragment_size(http: httpx.AsyncClient, base: str, headers: dict) -> int:
    """Post one need with a viewer watching (warming the path up); the size of its fragment."""
    async with connect(
        base.replace("http", "ws", 1) + PATH,
        origin=Origin(base),
        ping_interval=None,
    ) as ws:
        await ws.recv()  # the resync
        response = await http.post(
            f"{base}/api/v1/projects/{PROJECT_ID}/needs",
            json={"title": "WARM-0-END", "problem": "Målt behov for fan-out-testen."},
            headers=headers,
        )
        response.raise_for_status()
        while True:
            message = str(await asyncio.wait_for(ws.recv(), 30))
            if "WARM-0" in MARK.findall(message):
                return len(message.encode())


async def _warm_sockets(base: str, count: int) -> None:
    """Open `count` viewers at once, read their resync, close them."""

    async def one() -> None:
        async with connect(
            base.replace("http", "ws", 1) + PATH,
            origin=Origin(base),
            ping_interval=None,
        ) as ws:
            await ws.recv()

    await asyncio.gather(*(one() for _ in range(count)))


async def _post(http: httpx.AsyncClient, base: str, headers: dict, marker: str) -> float:
    """Post a need titled `marker`-END; when the answer came (time.monotonic())."""
    response = await http.post(
        f"{base}/api/v1/projects/{PROJECT_ID}/needs",
        json={"title": f"{marker}-END", "problem": "Målt behov for fan-out-testen."},
        headers=headers,
    )
    response.raise_for_status()
    return time.monotonic()


async def run(args: argparse.Namespace) -> dict:
    """Run the benchmark and return its figures."""
    raise_file_limit()
    viewers = args.viewers
    load = os.getloadavg()
    clients = LoadClients(args.clients or (1 if viewers <= 2000 else 2))
    result: dict = {
        "benchmark": "fanout",
        "viewers": viewers,
        "processes": args.processes,
        "database": "postgresql" if args.database_url else "sqlite",
        "load_client_processes": len(clients.conns),
        "loadavg_before": [round(x, 2) for x in load],
    }
    with (
        deployment(processes=args.processes, database_url=args.database_url) as dep,
        bare_servers(args.processes if args.bare else 0, dep.tmp) as bare,
    ):
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            token = (
                await http.post(
                    f"{dep.urls[0]}/api/v1/auth/token",
                    data={"username": POSTER, "password": DEMO_PASSWORD},
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            # Warm every process up (templates, render cache, the socket path, the threads that
            # render a resync) with a page view, a viewer that sees one need arrive and as many
            # viewers at once as the clients open at once, so one-time costs are not counted.
            for base in dep.urls:
                await http.get(f"{base}/projects/{PROJECT_ID}")
                size = await _first_fragment_size(http, base, headers)
                await _warm_sockets(base, 50)
            result["fragment_bytes"] = size
            await asyncio.sleep(1)
            pids = [s.pid for s in dep.servers]
            bare_pids = [pid for _url, pid in bare]
            rss_before = [rss_kib(pid) for pid in pids]
            bare_rss_before = [rss_kib(pid) for pid in bare_pids]

            result["connect"] = {"pivotal": await clients.open("pivotal", dep.urls, PATH, viewers)}
            bare_urls = [url for url, _pid in bare]
            if bare:
                result["connect"]["bare"] = await clients.open("bare", bare_urls, "/", viewers)
            await asyncio.sleep(args.settle)  # let the viewer counts settle; memory idle
            rss_after = [rss_kib(pid) for pid in pids]
            per_server = result["connect"]["pivotal"]["by_server"]
            result["rss_kib_before"] = rss_before
            result["rss_kib_with_viewers"] = rss_after
            result["rss_kib_per_viewer"] = round((sum(rss_after) - sum(rss_before)) / viewers, 1)
            grown = zip(rss_after, rss_before, per_server, strict=True)
            result["rss_kib_per_viewer_worst_process"] = round(
                max((a - b) / max(n, 1) for a, b, n in grown), 1
            )
            if bare:  # the same sockets on the bare server: what uvicorn and websockets cost
                bare_after = [rss_kib(pid) for pid in bare_pids]
                result["bare_rss_kib_per_viewer"] = round(
                    (sum(bare_after) - sum(bare_rss_before)) / viewers, 1
                )

            meter = Meter(clients, pids, tuple(bare_pids))
            await meter.start()
            pivotal_ms: list[float] = []
            bare_ms: list[float] = []
            answered_ms: list[float] = []  # the POST's answer: the write, before the fan-out
            missed = {"pivotal": 0, "bare": 0}
            for i in range(args.posts):
                marker = f"FANOUT-{i}"
                sent = time.monotonic()
                answered = await _post(http, dep.urls[0], headers, marker)
                answered_ms.append((answered - sent) * 1000)
                count, last = await clients.wait_for("pivotal", marker, viewers, 30)
                if count < viewers:
                    missed["pivotal"] += 1
                    print(f"{marker}: only {count}/{viewers} viewers within 30 s", file=sys.stderr)
                else:
                    pivotal_ms.append((last - sent) * 1000)
                if not bare:
                    continue
                marker = f"BARE-{i}"
                sent = time.monotonic()
                await asyncio.gather(
                    *(
                        http.post(f"{url}/broadcast", params={"marker": marker, "size": size})
                        for url in bare_urls
                    )
                )
                count, last = await clients.wait_for("bare", marker, viewers, 30)
                if count < viewers:
                    missed["bare"] += 1
                    print(f"{marker}: only {count}/{viewers} viewers within 30 s", file=sys.stderr)
                else:
                    bare_ms.append((last - sent) * 1000)
            cpu = result["cpu_during_posts"] = await meter.stop()
            # Per socket send (µs): the servers' CPU over the posts, each post's write and
            # render included; the client's per message received (both groups).
            sends = len(pivotal_ms) * viewers
            if sends:
                result["servers_cpu_us_per_send"] = round(
                    cpu["servers_cpu_seconds"] / sends * 1e6, 1
                )
            if bare_ms:
                bare_sends = len(bare_ms) * viewers
                result["bare_cpu_us_per_send"] = round(
                    cpu["bare_servers_cpu_seconds"] / bare_sends * 1e6, 1
                )
            if sends:
                received = sends + len(bare_ms) * viewers
                result["load_client_cpu_us_per_message"] = round(
                    cpu["load_client_cpu_seconds"] / received * 1e6, 1
                )
            result["post_to_last_viewer_ms"] = {"pivotal": percentiles(pivotal_ms)}
            result["pivotal_post_answered_ms"] = percentiles(answered_ms)
            result["posts_missed_by_some_viewer"] = missed
            if bare_ms:
                result["post_to_last_viewer_ms"]["bare"] = percentiles(bare_ms)
                result["ratio_p99"] = round(
                    percentiles(pivotal_ms)["p99"] / percentiles(bare_ms)["p99"], 2
                )
                result["ratio_median"] = round(
                    percentiles(pivotal_ms)["median"] / percentiles(bare_ms)["median"], 2
                )
            if args.kill:
                result["kill"] = await _kill_one(args, dep, clients, http, headers, pids)
        result["load_client_cpu_seconds_total"] = round(await clients.stop(), 1)
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


async def _kill_one(
    args: argparse.Namespace,
    dep: object,
    clients: LoadClients,
    http: httpx.AsyncClient,
    headers: dict,
    pids: list[int],
) -> dict:
    """SIGKILL the last server process while needs are posted to the first; its viewers fail
    over to the others. How long they were gone, and whether anyone else missed a post."""
    urls: list[str] = dep.urls  # type: ignore[attr-defined]
    victim = len(urls) - 1
    survivors = [i for i in range(len(urls)) if i != victim]
    opened = clients.opened["pivotal"]
    expected = sum(opened.get(i, 0) for i in survivors)
    lost = opened.get(victim, 0)
    clients.set_failover("pivotal", args.reconnect_jitter)
    await asyncio.sleep(0.2)
    accepted_before = sum(_accepted(dep, i) for i in survivors)
    meter = Meter(clients, [pids[i] for i in survivors])
    await meter.start()
    sent: dict[str, float] = {}
    post_errors = 0
    killed_at = 0.0
    all_back_at: float | None = None
    started = time.monotonic()
    k = 0
    while True:
        marker = f"KILL-{k}"
        sent[marker] = time.monotonic()
        try:
            await _post(http, urls[0], headers, marker)
        except httpx.HTTPError:
            post_errors += 1
        if k == 3:
            os.kill(pids[victim], signal.SIGKILL)
            killed_at = time.monotonic()
        k += 1
        back = sum(1 for r in clients.reconnects if r[1] == victim)
        if killed_at and back >= lost and all_back_at is None:
            all_back_at = time.monotonic()
        # Go on until every lost viewer is back (or the window closes), then 10 posts more.
        since_back = time.monotonic() - all_back_at if all_back_at is not None else 0.0
        if k >= 10 and since_back > 10 * args.interval:
            break
        if time.monotonic() - started > args.window:
            break
        await asyncio.sleep(args.interval)
    # Where each lost socket is as the window closes: back, or how far its attempt got.
    at_window_end = await clients.failover_report([victim])
    gaps = []
    latencies = []
    deadline = time.monotonic() + 15
    for marker, at in sent.items():
        remaining = max(0.0, deadline - time.monotonic())
        count, last = await clients.wait_for("pivotal", marker, expected, remaining, survivors)
        if count < expected:
            gaps.append({"post": marker, "got": count, "of": expected})
        else:
            latencies.append((last - at) * 1000)
    after = [m for m, at in sent.items() if all_back_at is not None and at > all_back_at]
    victims_after = [clients.received("pivotal", m, [victim])[0] for m in after]
    failed_over = [r for r in clients.reconnects if r[1] == victim]
    gone = [(resynced - lost_at) * 1000 for _g, _o, _s, lost_at, resynced in failed_over]
    moved: dict[int, int] = {}
    for _g, _o, server, _l, _r in failed_over:
        moved[server] = moved.get(server, 0) + 1
    # A surviving process's viewer that lost its socket anyway (a ping unanswered in time).
    dropped = [r for r in clients.reconnects if r[1] != victim]
    return {
        "killed_process": victim,
        "viewers_lost": lost,
        "reconnected": len(failed_over),
        # What the survivors say: the sockets their logs show accepted during the stretch (a
        # socket the client counts as lost though a server took it is the client's doing).
        "survivors_accepted": sum(_accepted(dep, i) for i in survivors) - accepted_before,
        "killed_process_viewers_at_window_end": at_window_end,
        "surviving_processes_viewers_dropped_and_back": len(dropped),
        "surviving_processes_viewers_dropped": await clients.failover_report(survivors),
        "reconnected_to": {str(k): v for k, v in sorted(moved.items())},
        "reconnect_jitter_seconds": args.reconnect_jitter,
        "gone_until_resynced_ms": percentiles(gone) if gone else None,
        "posts": len(sent),
        "post_errors": post_errors,
        "posts_with_a_surviving_viewer_missing": len(gaps),
        "gaps": gaps[:5],
        "survivors_post_to_last_viewer_ms": percentiles(latencies) if latencies else None,
        "posts_after_all_back": len(after),
        "failed_over_viewers_got_them": f"{min(victims_after, default=0)}/{lost}",
        "cpu": await meter.stop(),
    }


def _accepted(dep: object, server: int) -> int:
    """How many sockets the server's log shows it accepted so far."""
    log = dep.tmp / f"server-{server}.log"  # type: ignore[attr-defined]
    return log.read_bytes().count(b"[accepted]")


def main() -> None:
    """Parse arguments, run, print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--viewers", type=int, default=1000)
    # 200 rounds: the p99 of 50 is the slowest round, which on a shared machine is whatever
    # else ran at that moment; of 200 it is the second slowest.
    parser.add_argument("--posts", type=int, default=200, help="rounds (a post and a broadcast)")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument(
        "--clients", type=int, default=0, help="load client processes (default 1, 2 over 2,000)"
    )
    parser.add_argument(
        "--no-bare", dest="bare", action="store_false", help="leave the bare broadcast out"
    )
    parser.add_argument("--kill", action="store_true", help="then SIGKILL one server process")
    parser.add_argument(
        "--interval", type=float, default=0.25, help="seconds between posts (--kill)"
    )
    parser.add_argument(
        "--reconnect-jitter", type=float, default=1.0, help="a lost socket waits up to this (s)"
    )
    parser.add_argument(
        "--window", type=float, default=120.0, help="seconds the lost viewers have to come back"
    )
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds idle before measuring memory"
    )
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
