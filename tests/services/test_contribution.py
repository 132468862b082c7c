"""Every write records what happened through one call, `contribution`, and nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
# The three records a change leaves: its participation event, its audit entry, its live push.
WRITES = re.compile(r"\b(participation\.record|audit\.record|announce(_\w+)?)\(")
# The unit itself, and the live hub where `announce` is defined.
OWNERS = {"services/contribution.py", "services/live/bus.py"}


def test_only_the_contribution_unit_writes_participation_audit_and_live_records() -> None:
    found = [
        f"{path.relative_to(APP)}:{number}: {line.strip()}"
        for path in sorted(APP.rglob("*.py"))
        if path.relative_to(APP).as_posix() not in OWNERS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if WRITES.search(line)
    ]
    assert found == []
