"""Files every test process needs, built once per run: the first pytest-xdist worker to ask
builds, the others wait on a file lock and reuse what it built."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test run shared by all its workers (each worker's temp dir is inside)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(target: Path, build: Callable[[Path], None]) -> Path:
    """`target` (a file or folder), built by `build(path)` unless an earlier caller built it.

    `build` writes to a scratch path that is renamed to `target` when complete, so nobody ever
    sees half a build; a failed build leaves nothing, and the next caller tries again.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.exists():
                scratch = target.with_name(f".{target.name}.building")
                _remove(scratch)
                try:
                    build(scratch)
                except BaseException:
                    _remove(scratch)
                    raise
                scratch.rename(target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
