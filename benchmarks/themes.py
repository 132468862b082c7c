# ruff: noqa: SIM905 (word lists read better as text)
"""Automatic themes with 5,000 needs in a project: `GET /api/v1/projects/{id}/themes`.

Loads the demo, opens a project and generates 5,000 needs into it (`generate_participation`),
then gives each a Norwegian title and problem. Two corpora:

- `subjects` (default): each need is about one of 24 subjects (a few words of its own, in
  varying forms) plus words every subject shares, as a real project's needs are;
- `random` (`--corpus random`): the similar-needs benchmark's texts, words drawn at random from
  one pool of ~70 need words, so every need shares words with every other (the worst case for
  the pairwise step: no structure, every pair compared).

Times, in-process through the real app as the demo's procurer: the first answer (the needs
are grouped), answers while nothing changed (kept), and the answer after a comment (kept: not a
need) and after a new need (grouped afresh); prints the figures in milliseconds, and the groups'
sizes.

    .venv/bin/python -m benchmarks.themes [--corpus random]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

from fastapi.testclient import TestClient

from app import db
from benchmarks.common import demo_database, generate_participation, percentiles
from benchmarks.needs_list import PROJECT, log_in
from benchmarks.similar_needs import random_need, retitle

NEEDS = 5_000
WARM = 50
COLD = 5
SUBJECTS = [
    words.split()
    for words in (
        "hjemmetjenesten hjemmetjenester heimetenesta besøk besøkene",
        "sykehjemmet sjukeheimen nattevakt nattevakta bemanning",
        "fortau fortauene brøyting brøytet snørydding",
        "strøing strødd glatt glatta gangveier",
        "biblioteket bibliotekets åpningstid åpningstider opningstida",
        "skolebussen skulebussen skoleskyss busstopp",
        "skolevei skoleveien fotgjengerfelt krysset trafikk",
        "legevakten legevakta ventetid ventetiden helgene",
        "avfallshenting søppel søppelet containere hyttefeltet",
        "flomvarsling flom elva flommer varsling",
        "belysning lys parken mørk gatelys",
        "velferdsteknologi sensorer tilsyn digitalt trygghetsalarm",
        "byggesøknad byggesøknader byggetillatelse papir søknad",
        "medisiner dosett legemidler multidose apotek",
        "rehabilitering fysioterapi trening opptrening fysioterapeut",
        "kjøkken mattilbud ernæring middag måltider",
        "transport drosje tilrettelagt bestilling kjøring",
        "timebok timebestilling bestille time avlyse",
        "pårørende pårørendes informasjon kontakt beskjed",
        "svømmehallen bassenget vanntemperatur badevakt garderobe",
        "lekeplassen lekeplasser huskene sandkassen lekeapparater",
        "kollektivtransport bussruter bussene avganger billett",
        "ladestasjoner elbil lading ladere parkering",
        "nettsidene kommunens nettside innlogging skjema",
    )
]
SHARED = (
    "innbyggere eldre barn ungdom ansatte brukere rutiner kapasitet kvalitet oppfølging kommunen "
    "kommer mangler trenger venter blir tar gir sent dårlig lang kort bedre"
).split()


def subject_sentence(rng: random.Random, subject: list[str], words: int) -> str:
    """A made-up sentence about one subject: mostly its words, some shared ones."""
    pool = [rng.choice(subject) for _ in range(words // 2 + 1)]
    pool += [rng.choice(SHARED) for _ in range(words - len(pool))]
    rng.shuffle(pool)
    return " ".join(pool).capitalize()


def about_a_subject(rng: random.Random) -> tuple[str, str]:
    """A made-up need's title and problem about one of the subjects."""
    subject = rng.choice(SUBJECTS)
    return subject_sentence(rng, subject, 5), subject_sentence(rng, subject, 14) + "."


def timed(client: TestClient, url: str) -> tuple[float, Any]:
    """One answer: milliseconds and the JSON."""
    began = time.perf_counter()
    response = client.get(url)
    response.raise_for_status()
    return (time.perf_counter() - began) * 1000, response.json()


def main() -> None:
    """Load, generate, time; print the figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", choices=("subjects", "random"), default="subjects")
    corpus = parser.parse_args().corpus
    figures: dict[str, Any] = {"benchmark": "themes", "needs": NEEDS, "corpus": corpus}
    with demo_database() as (url, _env, _tmp):
        db.use_database(url)
        from app.main import app

        with TestClient(app) as client:
            log_in(client)
            project = client.post("/api/v1/projects", json=PROJECT).json()["id"]
            generate_participation(url, project=project, events=NEEDS, needs=NEEDS, comments=0)
            retitle(url, project, about_a_subject if corpus == "subjects" else random_need)
            api = f"/api/v1/projects/{project}/themes"
            first, found = timed(client, api)
            figures["first answer (grouping), ms"] = round(first, 1)
            figures["kept, ms"] = percentiles([timed(client, api)[0] for _ in range(WARM)])
            need = found["automatic"][0]["need_ids"][0] if found["automatic"] else None
            after_comment, after_need = [], []
            for n in range(COLD):
                if need is not None:
                    client.post(
                        f"/api/v1/needs/{need}/comments", json={"body": f"Måling {n}."}
                    ).raise_for_status()
                    after_comment.append(timed(client, api)[0])
                client.post(
                    f"/api/v1/projects/{project}/needs",
                    json={"title": f"Nytt behov {n}", "problem": "Brøyting av fortau om vinteren."},
                ).raise_for_status()
                after_need.append(timed(client, api)[0])
            figures["after a comment (kept), ms"] = percentiles(after_comment or [0.0])
            figures["after a new need (grouped afresh), ms"] = percentiles(after_need)
            sizes = [group["need_count"] for group in found["automatic"]]
            figures["groups"] = len(sizes)
            figures["largest groups"] = sizes[:10]
            figures["needs in no group"] = found["ungrouped_count"]
        db.reset_engine()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
