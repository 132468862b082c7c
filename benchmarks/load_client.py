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
was gone; it retries until it is back, as a browser does, and can say at any time where each
lost socket is (open again, backing off, or how far its attempt got).

The client reads its commands and writes its reports on two pipes. The loop watches the command
pipe, and uvloop (libuv) makes every descriptor it watches non-blocking: a report written on that
same descriptor while the parent was busy failed with `BlockingIOError` (or went out in part),
and the task that wrote it died unseen, so sockets that were back were counted as lost. The
report pipe is never watched and stays blocking: a report waits for the parent instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.ws_wire import Wire, connect

MARK = re.compile(r"([A-Z]+-\d+)-END")
MARK_BYTES = re.compile(rb"([A-Z]+-\d+)-END")
FLUSH_SECONDS = 0.02
OPEN_TIMEOUT = 120.0  # seconds for a first connection to get its resync
# Seconds a reconnection attempt may wait for its resync before it gives up and tries again,
# and the most a socket waits between two rounds of attempts (it backs off with full jitter).
ATTEMPT_TIMEOUT = 30.0
MAX_BACKOFF = 8.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class _Socket:
    group: str
    origin: int  # the index of the server it first connected to (kept across failover)
    server: int  # the index of the server it is connected to now
    ident: int = 0  # its number in this client process
    wire: Wire | None = None
    seen: set[bytes] = field(default_factory=set)
    # Failover: what the socket does ("open", "lost" with failover off, "backing off",
    # "connecting"), the attempt under way, how many it made since it was first lost and why the
    # last one failed.
    phase: str = "open"
    attempt: Wire | None = None
    attempts: int = 0
    last_error: str = ""
    lost_at: float | None = None

    @property
    def state(self) -> str:
        """The phase, and for a connection under way how far it got."""
        if self.phase == "connecting" and self.attempt is not None:
            return f"connecting: {self.attempt.stage}"
        return self.phase


class _Client:
    """The client process's side: sockets, readers, and the reports to the parent."""

    def __init__(self, commands: Connection, reports: Connection) -> None:
        self.commands, self.reports = commands, reports
        self.sockets: list[_Socket] = []
        self.readers: list[asyncio.Task[None]] = []
        # (group, origin, marker) -> [count, last arrival] since the last flush
        self.arrivals: dict[tuple[str, int, str], list[float]] = {}
        self.failover: float | None = None  # None: off; else the jitter in seconds
        self.failover_group = ""  # the group whose sockets reconnect
        self.urls: dict[str, list[str]] = {}
        self.paths: dict[str, str] = {}
        self.stopping = False

    def listen(self) -> asyncio.Queue[tuple[Any, ...]]:
        """Watch the command pipe; the queue its commands arrive on."""
        commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

        def readable() -> None:
            while self.commands.poll():
                commands.put_nowait(self.commands.recv())

        asyncio.get_running_loop().add_reader(self.commands.fileno(), readable)
        return commands

    def report(self, message: tuple[Any, ...]) -> None:
        """Send the parent a report (waits while the parent's pipe is full: nothing is lost)."""
        self.reports.send(message)

    def _start(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run a reader or reconnection; a failure says so on stderr instead of dying unseen."""
        task = asyncio.create_task(coroutine)
        task.add_done_callback(_complain)
        self.readers.append(task)

    async def run(self) -> None:
        commands = self.listen()
        flusher = asyncio.create_task(self._flush_loop())
        flusher.add_done_callback(_complain)
        while True:
            command = await commands.get()
            verb = command[0]
            if verb == "open":
                self._start(self._open_group(*command[1:]))
            elif verb == "cpu":
                self.report(("cpu", _cpu_seconds(), time.monotonic()))
            elif verb == "failover":
                self.failover, self.failover_group = command[1], command[2]
            elif verb == "failover_report":
                self.report(("failover_report", self._failover_report()))
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
        self.report(("stopped", _cpu_seconds()))

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
            sock = _Socket(group=group, origin=server, server=server, ident=offset + j)
            async with semaphore:
                try:
                    await self._connect(sock, server)
                except (OSError, TimeoutError):
                    failures += 1
                    return
            self.sockets.append(sock)
            by_origin[server] += 1

        await asyncio.gather(*(one(j) for j in range(count)))
        self.report(
            ("opened", group, dict(by_origin), failures, time.monotonic() - started, _cpu_seconds())
        )

    async def _connect(self, sock: _Socket, server: int, timeout: float = OPEN_TIMEOUT) -> float:
        """Connect the socket to a server and read its resync; when that arrived."""
        base = self.urls[sock.group][server]
        url = base.replace("http", "ws", 1) + self.paths[sock.group]
        wire = Wire(lambda message, now: self._arrived(sock, message, now))
        sock.attempt = wire
        await connect(url, base, wire, timeout)
        sock.wire, sock.server, sock.attempt = wire, server, None
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
        if sock.lost_at is None:
            sock.lost_at = time.monotonic()
        sock.phase = "lost"
        if wire.close_code is not None:
            sock.last_error = f"closed {wire.close_code}"
        if self.failover is not None and sock.group == self.failover_group:
            self._start(self._reconnect(sock))

    async def _reconnect(self, sock: _Socket) -> None:
        """Back off with jitter, then try the other servers in turn until one takes the socket;
        after a round in which none did, back off longer (full jitter, as htmx does) and go on:
        a browser never gives up on a page it shows."""
        lost = time.monotonic()
        assert self.failover is not None
        sock.phase = "backing off"
        await asyncio.sleep(random.uniform(0, self.failover))
        urls = self.urls[sock.group]
        rounds = 0
        while True:
            # Another server, picked at random (as a load balancer in front of them would).
            first = random.randrange(1, len(urls)) if len(urls) > 1 else 0
            for step in range(len(urls)):
                server = (sock.server + first + step) % len(urls)
                sock.attempts += 1
                sock.phase = "connecting"
                try:
                    resynced = await self._connect(sock, server, ATTEMPT_TIMEOUT)
                except (OSError, TimeoutError) as exc:
                    sock.last_error = _error(exc)
                    sock.phase, sock.attempt = "backing off", None
                    continue
                sock.phase = "open"
                self.report(
                    ("reconnected", sock.group, sock.origin, server, lost, resynced, sock.ident)
                )
                return
            rounds += 1
            await asyncio.sleep(random.uniform(0, min(MAX_BACKOFF, self.failover * 2**rounds)))

    def _failover_report(self) -> list[tuple[int, str, int, str]]:
        """Each socket that lost its server: where it came from, its state, attempts, last
        error."""
        return [
            (sock.origin, sock.state, sock.attempts, sock.last_error)
            for sock in self.sockets
            if sock.lost_at is not None
        ]

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            if self.arrivals:
                batch = [(key, int(c), t) for key, (c, t) in self.arrivals.items()]
                self.arrivals = {}
                self.report(("arrivals", batch))


def _error(exc: BaseException) -> str:
    """A failed attempt's error, short: its kind, and its errno or message."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    errno = getattr(exc, "errno", None)
    return f"{type(exc).__name__} {errno}" if errno else f"{type(exc).__name__}: {exc}"


def _complain(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        print(f"load client: {task.get_coro()!r} failed: {task.exception()!r}", file=sys.stderr)


def _child(commands: Connection, reports: Connection) -> None:
    """A client process: open sockets on command and report what they receive."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_Client(commands, reports).run())


class LoadClients:
    """The parent's handle on the client processes: open sockets, read arrivals, count CPU."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conns: list[Connection] = []  # the command pipes, one per process
        self.reports: list[Connection] = []
        self.procs: list[Any] = []
        for _ in range(processes):
            commands, command_end = context.Pipe(duplex=False)
            report_end, reports = context.Pipe(duplex=False)
            proc = context.Process(target=_child, args=(commands, reports), daemon=True)
            proc.start()
            commands.close()
            reports.close()
            self.conns.append(command_end)
            self.reports.append(report_end)
            self.procs.append(proc)
        # (group, origin, marker) -> [count, last arrival]
        self.arrivals: dict[tuple[str, int, str], list[float]] = {}
        self.reconnects: list[tuple[str, int, int, float, float]] = []
        self._back: set[tuple[int, int]] = set()  # (client's pipe, socket) that came back
        self.opened: dict[str, dict[int, int]] = {}
        self.open_failures: dict[str, int] = defaultdict(int)
        self._replies: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self._changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        for conn in self.reports:
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
                *reconnect, ident = message[1:]
                # The first time a socket came back (one lost again counts once).
                if (conn.fileno(), ident) not in self._back:
                    self._back.add((conn.fileno(), ident))
                    self.reconnects.append(tuple(reconnect))
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

    async def failover_report(self, origins: list[int]) -> dict[str, Any]:
        """The sockets first connected to `origins` that lost their server: how many are in
        each state now, how many attempts each made, and their last errors."""
        for conn in self.conns:
            conn.send(("failover_report",))
        states: Counter[str] = Counter()
        attempts: Counter[int] = Counter()
        errors: Counter[str] = Counter()
        for _kind, sockets in await self._all_replies("failover_report"):
            for origin, state, tried, error in sockets:
                if origin in origins:
                    states[state] += 1
                    attempts[tried] += 1
                    errors[error or "none"] += 1
        return {
            "states": dict(states.most_common()),
            "attempts": {str(n): c for n, c in sorted(attempts.items())},
            "last_errors": dict(errors.most_common(8)),
        }

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
        for conn in self.reports:
            loop.remove_reader(conn.fileno())
        for proc in self.procs:
            proc.join(timeout=10)
        return total
