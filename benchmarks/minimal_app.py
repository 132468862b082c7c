"""The limit for benchmarks/pages.py: the best DB-backed list page on this machine.

A minimal app on Pivotal's own stack — FastAPI, Jinja2, SQLAlchemy with the engine Pivotal
makes (`app.db.make_engine`: the same pool and SQLite pragmas) on the same database, uvicorn
with the options of `pivotal serve` — and nothing else: no middleware, no sessions, no
permissions, no translations. GET /needs reads a project's 20 newest needs with one SELECT and
renders them with a tiny Jinja template; /readyz answers "ok" for the process that waits on it.

    PIVOTAL_DATABASE_URL=sqlite:///pivotal.db .venv/bin/python -m benchmarks.minimal_app --port 8001
"""

from __future__ import annotations

import os
from functools import cache

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, PlainTextResponse
from jinja2 import DictLoader, Environment
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.db import make_engine
from benchmarks.serving import serve_like_pivotal

ROWS = 20
TEMPLATE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Behov</title></head>
<body><main><h1>Behov i prosjekt {{ project }}</h1>
<ul>{% for need in needs %}
<li><a href="/needs/{{ need.id }}">{{ need.title }}</a>
  · {{ need.status }} · {{ need.created_at }}</li>
{%- endfor %}
</ul></main></body></html>
"""
NEEDS_SQL = text(
    "SELECT id, title, status, created_at FROM need WHERE project_id = :project "
    "ORDER BY id DESC LIMIT :rows"
)


@cache
def engine() -> Engine:
    """The engine on PIVOTAL_DATABASE_URL, made on first use."""
    return make_engine(os.environ.get("PIVOTAL_DATABASE_URL", "sqlite:///pivotal.db"))


template = Environment(loader=DictLoader({"needs.html": TEMPLATE}), autoescape=True).get_template(
    "needs.html"
)
app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/needs", response_class=HTMLResponse)
def needs(project: int = 1) -> HTMLResponse:
    """A project's newest needs: one SELECT, one small template (a sync route, as Pivotal's)."""
    with Session(engine()) as session:
        rows = session.execute(NEEDS_SQL, {"project": project, "rows": ROWS}).mappings().all()
    return HTMLResponse(template.render(project=project, needs=rows))


@app.get("/readyz", response_class=PlainTextResponse)
def readyz() -> str:
    """Up."""
    return "ok"


def main() -> None:
    """Serve the app with the options of `pivotal serve` (app/cli.py), one process."""
    serve_like_pivotal("benchmarks.minimal_app:app", description=__doc__, default_port=8001)


if __name__ == "__main__":
    main()
