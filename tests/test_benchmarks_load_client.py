"""The fan-out benchmark's load client counts every socket that comes back after a kill.

A kill under load once left 147 of 2,500 sockets "not back": they were back, but their report
to the parent failed (uvloop had made the pipe non-blocking and the parent was busy), and the
task that sent it died unseen.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Any

import pytest

from benchmarks import load_client
from benchmarks.load_client import _Client, _Socket

uvloop = pytest.importorskip("uvloop")


def _pipes() -> tuple[Any, Any, Any, Any]:
    commands, command_end = multiprocessing.Pipe(duplex=False)
    report_end, reports = multiprocessing.Pipe(duplex=False)
    return commands, command_end, report_end, reports


def test_reports_wait_for_a_busy_parent_instead_of_being_lost() -> None:
    commands, _command_end, report_end, reports = _pipes()
    sent = 5000  # far more than a pipe's buffer holds
    started = threading.Event()
    received: list[tuple[Any, ...]] = []

    def busy_parent() -> None:
        started.wait()
        time.sleep(0.2)  # busy posting, say: the client's reports pile up meanwhile
        while len(received) < sent:
            received.append(report_end.recv())

    parent = threading.Thread(target=busy_parent)
    parent.start()

    async def client() -> None:
        child = _Client(commands, reports)
        child.listen()  # the loop watches the command pipe from now on, as in a client process
        started.set()
        for ident in range(sent):
            child.report(("reconnected", "pivotal", 3, 0, 0.0, 0.0, ident))

    try:
        uvloop.run(client())
    finally:
        started.set()
        parent.join(timeout=30)
    assert [message[-1] for message in received] == list(range(sent))


def test_a_lost_socket_tries_again_until_a_server_takes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands, _command_end, report_end, reports = _pipes()
    monkeypatch.setattr(load_client, "MAX_BACKOFF", 0.0)
    failures = [ConnectionRefusedError(111, "refused")] * 5 + [TimeoutError()] * 20

    async def connect(sock: _Socket, server: int, timeout: float) -> float:
        if failures:
            raise failures.pop(0)
        sock.server = server
        return 1.0

    async def lose_and_reconnect() -> _Socket:
        child = _Client(commands, reports)
        child.failover, child.failover_group = 0.0, "pivotal"
        child.urls["pivotal"] = ["http://a", "http://b", "http://c", "http://d"]
        monkeypatch.setattr(child, "_connect", connect)
        sock = _Socket(group="pivotal", origin=3, server=3, ident=7)
        child.sockets.append(sock)
        sock.lost_at = 0.0
        await child._reconnect(sock)
        assert child._failover_report() == [(3, "open", 26, "timeout")]
        return sock

    sock = uvloop.run(lose_and_reconnect())
    assert sock.phase == "open" and sock.attempts == 26  # 25 failed, then back
    kind, _group, origin, _server, _lost, resynced, ident = report_end.recv()
    assert (kind, origin, resynced, ident) == ("reconnected", 3, 1.0, 7)
