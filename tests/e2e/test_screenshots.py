"""The README's screenshots come from the project's own script, which keeps working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import screenshot  # noqa: E402


def test_the_list_names_every_role_and_both_widths() -> None:
    roles = {shot.role for shot in screenshot.SHOTS}
    everyone = {"visitor", "citizen", "employee", "procurer", "supplier", "researcher", "admin"}
    assert everyone <= roles
    assert set(screenshot.WIDTHS) == {1280, 390}
    names = [f"{s.role}-{s.name}" for s in screenshot.SHOTS]
    assert len(names) == len(set(names)), "two shots would write the same file"


def test_the_script_photographs_the_demo_at_both_widths(
    browser: object, server_url: str, tmp_path: Path
) -> None:
    only = ["procurer-project", "supplier-meetings"]
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "screenshot.py"),
            "--base-url",
            server_url,
            "--out",
            str(tmp_path),
            "--only",
            *only,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(f"{name}-{w}.png" for name in only for w in (1280, 390))
    for name in only:
        for width, height in screenshot.WIDTHS.items():
            path = tmp_path / f"{name}-{width}.png"
            with Image.open(path) as image:
                assert image.size == (width, height)
                assert image.mode == "P", "not reduced to a palette"
            assert 5_000 < path.stat().st_size < 300_000, f"{path.name}: {path.stat().st_size} B"
