"""A WebSocket load client in separate processes, so that the client is not the benchmark's
bottleneck and its CPU can be counted apart from the servers'.

Each client process (uvloop) holds a share of the sockets and reads them all with a minimal
frame parser (`benchmarks/ws_wire.py`: no task or queue per socket, the markers found in the
bytes); for every message carrying
a marker such as `FANOUT-3-END` it notes the arrival time (`time.monotonic()`, which is
CLOCK_MONOTONIC on Linux and so comparable between processes of one machine) and reports, every
few milliseconds, how many sockets got each marker and when the last of them did. With failover
on, a socket whose server goes away reconnects to the next server (after a random delay, as
htmx's ws extension backs off with jitter), reads its resync fragment and reports how long it
was gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import random
import re
import resource
import time
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.ws_wire import Wire, connect

MARK = re.compile(r"([A-Z]+-\d+)-END")
MARK_BYTES = re.compile(rb"([A-Z]+-\d+)-END")
FLUSH_SECONDS = 0.02


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class _Socket:
    group: str
    origin: int  # the index of the server it first connected to (kept across failover)
    server: int  # the index of the server it is connected to now
    wire: Wire | None = None
    seen: set[bytes] = field(default_factory=set)


class _Client:
    """The client process's side: sockets, readers, and the reports to the parent."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sockets: list[_Socket] = []
        self.readers: list[asyncio.Task[None]] = []
        # (group, origin, marker) -> [count, last arrival] since the last flush
        self.arrivals: dict[tuple[str, int, str], list[float]] = {}
        self.failover: float | None = None  # None: off; else the jitter in seconds
        self.failover_group = ""  # the group whose sockets reconnect
        self.urls: dict[str, list[str]] = {}
        self.paths: dict[str, str] = {}
        self.stopping = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

        def readable() -> None:
            while self.conn.poll():
                commands.put_nowait(self.conn.recv())

        loop.add_reader(self.conn.fileno(), readable)
        flusher = asyncio.create_task(self._flush_loop())
        while True:
            command = await commands.get()
            verb = command[0]
            if verb == "open":
                self.readers.append(asyncio.create_task(self._open_group(*command[1:])))
            elif verb == "cpu":
                self.conn.send(("cpu", _cpu_seconds(), time.monotonic()))
            elif verb == "failover":
                self.failover, self.failover_group = command[1], command[2]
            elif verb == "stop":
                break
        self.stopping = True
        flusher.cancel()
        for task in self.readers:
            task.cancel()
        for sock in self.sockets:
            if sock.wire is not None:
                sock.wire.close()
        await asyncio.sleep(0.5)  # the servers answer the close frames and end the connections
        self.conn.send(("stopped", _cpu_seconds()))

    async def _open_group(
        self, group: str, urls: list[str], path: str, count: int, offset: int, concurrency: int
    ) -> None:
        self.urls[group], self.paths[group] = urls, path
        semaphore = asyncio.Semaphore(concurrency)
        failures = 0
        by_origin: dict[int, int] = defaultdict(int)
        started = time.monotonic()

        async def one(j: int) -> None:
            nonlocal failures
            server = (offset + j) % len(urls)
            sock = _Socket(group=group, origin=server, server=server)
            async with semaphore:
                try:
                    await self._connect(sock, server)
                except (OSError, TimeoutError):
                    failures += 1
                    return
            self.sockets.append(sock)
            by_origin[server] += 1

        await asyncio.gather(*(one(j) for j in range(count)))
        self.conn.send(
            ("opened", group, dict(by_origin), failures, time.monotonic() - started, _cpu_seconds())
        )

    async def _connect(self, sock: _Socket, server: int) -> float:
        """Connect the socket to a server and read its resync; when that arrived."""
        base = self.urls[sock.group][server]
        url = base.replace("http", "ws", 1) + self.paths[sock.group]
        wire = await connect(url, base, lambda message, now: self._arrived(sock, message, now), 120)
        sock.wire, sock.server = wire, server
        wire.closed.add_done_callback(lambda _closed: self._lost(sock, wire))
        return await wire.opened

    def _arrived(self, sock: _Socket, message: bytes, now: float) -> None:
        for marker in MARK_BYTES.findall(message):
            if marker in sock.seen:
                continue
            sock.seen.add(marker)
            key = (sock.group, sock.origin, marker.decode())
            entry = self.arrivals.get(key)
            if entry is None:
                self.arrivals[key] = [1, now]
            else:
                entry[0] += 1
                entry[1] = max(entry[1], now)

    def _lost(self, sock: _Socket, wire: Wire) -> None:
        if sock.wire is not wire or self.stopping:
            return
        sock.wire = None
        if self.failover is not None and sock.group == self.failover_group:
            self.readers.append(asyncio.create_task(self._reconnect(sock)))

    async def _reconnect(self, sock: _Socket) -> None:
        """Back off with jitter, then try the next servers in turn until one takes the socket."""
        lost = time.monotonic()
        assert self.failover is not None
        await asyncio.sleep(random.uniform(0, self.failover))
        urls = self.urls[sock.group]
        attempts = 0
        while True:
            # Another server, picked at random (as a load balancer in front of them would).
            first = random.randrange(1, len(urls)) if len(urls) > 1 else 0
            for step in range(len(urls)):
                server = (sock.server + first + step) % len(urls)
                attempts += 1
                try:
                    resynced = await self._connect(sock, server)
                except (OSError, TimeoutError):
                    continue
                self.conn.send(("reconnected", sock.group, sock.origin, server, lost, resynced))
                return
            await asyncio.sleep(1.0)
            if attempts > 20 * len(urls):
                self.conn.send(("gave_up", sock.group, sock.origin, lost))
                return

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            if self.arrivals:
                batch = [(key, int(c), t) for key, (c, t) in self.arrivals.items()]
                self.arrivals = {}
                self.conn.send(("arrivals", batch))


def _child(conn: Connection) -> None:
    """A client process: open sockets on command and report what they receive."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_Client(conn).run())


class LoadClients:
    """The parent's handle on the client processes: open sockets, read arrivals, count CPU."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        for _ in range(processes):
            parent, child = context.Pipe()
            proc = context.Process(target=_child, args=(child,), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)
        # (group, origin, marker) -> [count, last arrival]
        self.arrivals: dict[tuple[str, int, str], list[float]] = {}
        self.reconnects: list[tuple[str, int, int, float, float]] = []
        self.gave_up: list[tuple[str, int, float]] = []
        self.opened: dict[str, dict[int, int]] = {}
        self.open_failures: dict[str, int] = defaultdict(int)
        self._replies: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self._changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        for conn in self.conns:
            loop.add_reader(conn.fileno(), self._readable, conn)

    def _readable(self, conn: Connection) -> None:
        while conn.poll():
            try:
                message = conn.recv()
            except EOFError:
                asyncio.get_running_loop().remove_reader(conn.fileno())
                return
            kind = message[0]
            if kind == "arrivals":
                for key, count, last in message[1]:
                    entry = self.arrivals.setdefault(key, [0, 0.0])
                    entry[0] += count
                    entry[1] = max(entry[1], last)
                self._changed.set()
            elif kind == "reconnected":
                self.reconnects.append(message[1:])
            elif kind == "gave_up":
                self.gave_up.append(message[1:])
            else:
                self._replies.put_nowait(message)

    async def _all_replies(self, kind: str) -> list[tuple[Any, ...]]:
        replies: list[tuple[Any, ...]] = []
        while len(replies) < len(self.conns):
            reply = await self._replies.get()
            assert reply[0] == kind, reply
            replies.append(reply)
        return replies

    async def open(
        self, group: str, urls: list[str], path: str, count: int, concurrency: int = 50
    ) -> dict[str, Any]:
        """Open `count` sockets on `path`, round-robin over the servers, shared by the clients;
        return how many each server got, failures and the seconds it took."""
        share, extra = divmod(count, len(self.conns))
        offset = 0
        for i, conn in enumerate(self.conns):
            n = share + (1 if i < extra else 0)
            conn.send(("open", group, urls, path, n, offset, concurrency))
            offset += n
        started = time.monotonic()
        by_origin: dict[int, int] = defaultdict(int)
        for _kind, _group, origins, failures, _s, _cpu in await self._all_replies("opened"):
            for origin, n in origins.items():
                by_origin[origin] += n
            self.open_failures[group] += failures
        self.opened[group] = dict(by_origin)
        return {
            "by_server": [by_origin[i] for i in range(len(urls))],
            "failures": self.open_failures[group],
            "seconds": round(time.monotonic() - started, 2),
        }

    async def cpu_seconds(self) -> float:
        """The CPU seconds (user + system) the client processes used so far."""
        for conn in self.conns:
            conn.send(("cpu",))
        return sum(reply[1] for reply in await self._all_replies("cpu"))

    def set_failover(self, group: str, jitter: float | None) -> None:
        """Reconnect the group's lost sockets to the other servers after up to `jitter`
        seconds (None: off)."""
        for conn in self.conns:
            conn.send(("failover", jitter, group))

    def received(
        self, group: str, marker: str, origins: list[int] | None = None
    ) -> tuple[int, float]:
        """How many sockets of the group (first connected to `origins`, default all) got the
        marker, and when the last of them did."""
        count, last = 0, 0.0
        for origin in self.opened[group] if origins is None else origins:
            entry = self.arrivals.get((group, origin, marker))
            if entry:
                count += int(entry[0])
                last = max(last, entry[1])
        return count, last

    async def wait_for(
        self,
        group: str,
        marker: str,
        expected: int,
        timeout: float,
        origins: list[int] | None = None,
    ) -> tuple[int, float]:
        """Wait until `expected` sockets got the marker (or the timeout); (count, last arrival)."""
        deadline = time.monotonic() + timeout
        while True:
            count, last = self.received(group, marker, origins)
            remaining = deadline - time.monotonic()
            if count >= expected or remaining <= 0:
                return count, last
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def stop(self) -> float:
        """Close every socket, end the processes; return their total CPU seconds."""
        for conn in self.conns:
            conn.send(("stop",))
        total = sum(reply[1] for reply in await self._all_replies("stopped"))
        loop = asyncio.get_running_loop()
        for conn in self.conns:
            loop.remove_reader(conn.fileno())
        for proc in self.procs:
            proc.join(timeout=10)
        return total
