# ruff: noqa: SIM905 (word lists read better as text)
"""Similar needs with 5,000 needs in a project: `GET /api/v1/projects/{id}/needs/similar`.

Loads the demo, opens a project and generates 5,000 needs into it (`generate_participation`),
then gives each a Norwegian title and problem made of words from a few hundred (so the index
has a realistic vocabulary: compounds, inflections, shared words). Times, in-process through
the real app as the demo's procurer:

- the answer when the project's index is cached (unchanged project), 200 texts;
- the answer just after a change, 20 times each: a comment (the index is kept: only the needs'
  texts count), a new need (added to the index), an edit of a need's text (the index is rebuilt
  from the database in that request);

and prints the percentiles in milliseconds.

    .venv/bin/python -m benchmarks.similar_needs
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from app import db
from benchmarks.common import demo_database, generate_participation, percentiles
from benchmarks.needs_list import PROJECT, log_in

NEEDS = 5_000
WARM = 200
COLD = 20
NOUNS = (
    "hjemmetjenesten tjenester hjemmet heimetenesta sykehjemmet sjukeheimen bemanning nattevakt "
    "fortau brøyting snørydding strøing vinteren biblioteket åpningstid opningstida skolebussen "
    "skolevei fotgjengerfelt legevakten ventetid avfallshenting søppel containere hyttefeltet "
    "flomvarsling elva belysning parken velferdsteknologi sensorer tilsyn byggesøknad papir "
    "kommunikasjon pårørende medisiner dosett trygghetsalarm rehabilitering fysioterapi "
    "kjøkken mattilbud ernæring transport drosje bestilling timebok digitalisering skjema "
    "innbyggere eldre barn ungdom ansatte brukere rutiner kapasitet kvalitet oppfølging"
).split()
VERBS = "kommer mangler trenger venter blir tar gir bør må kan".split()
ADJECTIVES = "sent dårlig lang kort tryggere bedre digitale mørk glatt trafikkert".split()


def sentence(rng: random.Random, words: int) -> str:
    """A made-up sentence of need vocabulary."""
    pool = [rng.choice(NOUNS), rng.choice(VERBS), rng.choice(ADJECTIVES)]
    pool += [rng.choice(NOUNS) for _ in range(words - 3)]
    rng.shuffle(pool)
    return " ".join(pool).capitalize()


def random_need(rng: random.Random) -> tuple[str, str]:
    """A made-up need's title and problem of words drawn from the whole pool."""
    return sentence(rng, 5), sentence(rng, 14) + "."


def retitle(
    url: str, project: int, make: Callable[[random.Random], tuple[str, str]] = random_need
) -> None:
    """Give every need of the project a generated title and problem (`make` writes them)."""
    rng = random.Random(13)
    engine = db.make_engine(url)
    with engine.begin() as con:
        ids = con.execute(text("SELECT id FROM need WHERE project_id = :p"), {"p": project})
        rows = []
        for (need_id,) in ids:
            title, problem = make(rng)
            rows.append({"id": need_id, "t": title, "p": problem})
        con.execute(text("UPDATE need SET title = :t, problem = :p WHERE id = :id"), rows)
    engine.dispose()


def main() -> None:
    """Load, generate, time; print the figures as JSON."""
    figures: dict[str, Any] = {"benchmark": "similar_needs", "needs": NEEDS}
    with demo_database() as (url, _env, _tmp):
        db.use_database(url)
        from app.main import app

        with TestClient(app) as client:
            log_in(client)
            project = client.post("/api/v1/projects", json=PROJECT).json()["id"]
            generate_participation(url, project=project, events=NEEDS, needs=NEEDS, comments=0)
            retitle(url, project)
            some = client.get(f"/api/v1/projects/{project}/needs", params={"limit": 1}).json()
            api = f"/api/v1/projects/{project}/needs/similar"
            rng = random.Random(5)
            texts = [sentence(rng, 8) for _ in range(WARM)]
            client.get(api, params={"text": texts[0]}).raise_for_status()
            warm, found = [], []
            for query in texts:
                began = time.perf_counter()
                response = client.get(api, params={"text": query})
                warm.append((time.perf_counter() - began) * 1000)
                found.append(len(response.json()))
            need = some[0]["id"]
            own: list[int] = []

            def post_need(n: int) -> Any:
                response = client.post(
                    f"/api/v1/projects/{project}/needs",
                    json={"title": f"Nytt behov {n}", "problem": sentence(rng, 12) + "."},
                )
                own.append(response.json()["id"])
                return response

            changes: dict[str, Callable[[int], Any]] = {
                "after a comment (index kept)": lambda n: client.post(
                    f"/api/v1/needs/{need}/comments", json={"body": f"Måling {n}."}
                ),
                "after a new need (added to the index)": post_need,
                "after an edit (index rebuilt)": lambda n: client.patch(
                    f"/api/v1/needs/{own[n]}", json={"problem": sentence(rng, 12) + "."}
                ),
            }
            figures["cached index, ms"] = percentiles(warm)
            for name, change in changes.items():
                after = []
                for n in range(COLD):
                    change(n).raise_for_status()
                    began = time.perf_counter()
                    client.get(api, params={"text": texts[n]}).raise_for_status()
                    after.append((time.perf_counter() - began) * 1000)
                figures[f"{name}, ms"] = percentiles(after)
            figures["candidates per answer (median)"] = sorted(found)[len(found) // 2]
        db.reset_engine()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
