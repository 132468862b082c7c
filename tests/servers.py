"""Real server processes for tests and scripts: `pivotal serve` on a free 127.0.0.1 port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def pivotal_command() -> list[str]:
    """The `pivotal` console script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "pivotal"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from app.cli import main; main()"]


def run_cli(*args: str, env: dict[str, str]) -> None:
    """Run a `pivotal` subcommand to completion (migrate, demo, createuser)."""
    subprocess.run(
        [*pivotal_command(), *args], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120
    )


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Poll `url` until it answers 200; fail fast if the process dies or answers wrongly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError as exc:
            if exc.code != 503:  # 503: not ready yet (bus connecting)
                raise RuntimeError(
                    f"server answered {url} with {exc.code}:\n{log.read_text()}"
                ) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn shuts down gracefully), then SIGKILL the process group if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@dataclass(frozen=True)
class Server:
    """A running server process."""

    url: str
    pid: int


@contextlib.contextmanager
def serve(
    env: dict[str, str], log: Path, *, workers: int = 1, startup_timeout: float = 30.0
) -> Iterator[Server]:
    """Run `pivotal serve` with `env` on a free port until the block ends."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    env = {"PIVOTAL_BASE_URL": base_url, **env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *pivotal_command(),
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(f"{base_url}/readyz", process, log, startup_timeout)
        yield Server(url=base_url, pid=process.pid)
    finally:
        stop(process)
