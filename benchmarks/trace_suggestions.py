"""Trace suggestions with 5,000 needs in a project: the requirement page a writer opens.

Loads the demo, opens a project, generates 5,000 needs into it with Norwegian titles and
problems (as `benchmarks.similar_needs`), moves it to the market dialogue and drafts a
requirement. Times, in-process through the real app as the demo's procurer, 50 times each:

- `GET /requirements/{id}`: the page with its links, the suggested links (recorded as shown)
  and the form listing every input the writer may link;
- the suggestions alone (`trace_suggestions.suggest`, the needs' index cached);

and prints the percentiles in milliseconds.

    .venv/bin/python -m benchmarks.trace_suggestions
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from fastapi.testclient import TestClient

from app import db
from app.models import Project, Requirement, User
from app.services import permissions, trace_suggestions
from benchmarks.common import demo_database, generate_participation, percentiles
from benchmarks.needs_list import PROJECT, log_in
from benchmarks.similar_needs import NEEDS, retitle, sentence

TIMES = 50


def main() -> None:
    """Load, generate, time; print the figures as JSON."""
    figures: dict[str, Any] = {"benchmark": "trace_suggestions", "needs": NEEDS}
    with demo_database() as (url, _env, _tmp):
        db.use_database(url)
        from app.main import app

        with TestClient(app) as client:
            log_in(client)
            project = client.post("/api/v1/projects", json=PROJECT).json()["id"]
            generate_participation(url, project=project, events=NEEDS, needs=NEEDS, comments=0)
            retitle(url, project)
            for phase in ("market_dialogue",):
                move = {"to_phase": phase, "rationale": "Behovene er kjent; markedet høres."}
                client.post(f"/api/v1/projects/{project}/phase", json=move).raise_for_status()
            rng = random.Random(7)
            body = {"kind": "functional", "title": sentence(rng, 5), "text": sentence(rng, 20)}
            created = client.post(f"/api/v1/projects/{project}/requirements", json=body)
            requirement = created.raise_for_status().json()["id"]
            page = f"/requirements/{requirement}"
            client.get(page).raise_for_status()
            pages = []
            for _ in range(TIMES):
                began = time.perf_counter()
                client.get(page).raise_for_status()
                pages.append((time.perf_counter() - began) * 1000)
            figures["requirement page, ms"] = percentiles(pages)
            alone, shown = [], 0
            me = client.get("/api/v1/auth/me").json()["id"]
            with db.new_session() as session:
                found = session.get(Requirement, requirement)
                assert found is not None
                user, where = session.get(User, me), session.get(Project, project)
                assert where is not None
                rel = permissions.relation(session, user, where)
                for _ in range(TIMES):
                    began = time.perf_counter()
                    shown = len(trace_suggestions.suggest(session, rel=rel, requirement=found))
                    alone.append((time.perf_counter() - began) * 1000)
                session.rollback()
            figures["suggestions alone, ms"] = percentiles(alone)
            figures["suggestions shown"] = shown
        db.reset_engine()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
