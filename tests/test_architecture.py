"""The code's shape: the rules issue 11 set, checked on every run so they stay true.

- no router imports another router (shared rendering lives outside `app/routers/`);
- no HTML is built in Python strings (`f"<…"`): markup lives in templates;
- no module under `app/` over 500 lines and no function over 80 (the demo's data aside).

That only the contribution unit records is checked in `tests/services/test_contribution.py`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
SOURCES = sorted(APP.rglob("*.py"))
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _relative(path: Path) -> str:
    return str(path.relative_to(APP.parent))


def test_no_router_imports_another_router() -> None:
    offenders = []
    for path in sorted((APP / "routers").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.routers"):
                offenders.append(f"{_relative(path)}:{node.lineno}")
            if isinstance(node, ast.Import) and any(
                alias.name.startswith("app.routers") for alias in node.names
            ):
                offenders.append(f"{_relative(path)}:{node.lineno}")
    assert offenders == []


def test_no_html_is_built_in_python_strings() -> None:
    pattern = re.compile(r"""\bf["']<""")
    offenders = [
        f"{_relative(path)}:{number}"
        for path in SOURCES
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_modules_and_functions_stay_small(path: Path) -> None:
    source = path.read_text()
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long_functions = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long_functions == []
