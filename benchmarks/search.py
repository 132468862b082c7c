# ruff: noqa: SIM905 (word lists read better as text)
"""Search over 100,000 items: `app.services.search.query.search` with its snippets.

Loads the demo into a fresh database (SQLite, or PostgreSQL with `--database-url`, e.g. under
`scripts/with-postgres.sh`), adds 200 projects (a quarter internal, with partners) and indexed
items up to 100,000 (needs, requirements in every state, published answers and summaries) whose
texts are Norwegian sentences from a few hundred words: some words common (in a fifth of all
items), compounds rare. Then times searches as four readers (a visitor, a citizen, an employee
and a procurer of the owner), each the full service call the page and the API make: count, one
page of 20 best-ranked results, snippets. Prints the percentiles in milliseconds as JSON.

    .venv/bin/python -m benchmarks.search
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.search \
        --database-url "$PIVOTAL_TEST_DATABASE_URL"'
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlmodel import Session, col

from app import db
from app.models import Project, ProjectPartner, SearchItem, User
from app.models.base import Role
from app.models.search import SearchAudience, SearchKind
from app.services.search import index
from app.services.search.query import search
from app.services.search.snippets import snippet
from benchmarks.common import demo_database, percentiles
from benchmarks.similar_needs import ADJECTIVES, NOUNS, VERBS

ITEMS = 100_000
PROJECTS = 200
QUERIES = 50  # per reader and kind of query
BATCH = 2_000
PARTS = "skole helse natt vei bolig omsorg sykehjem barnehage vann avfall".split()
ENDINGS = "tjenesten planen ordningen tilbudet rutinene avtalen systemet".split()
# Rare words: compounds of a part and an ending, made unique with a syllable.
SYLLABLES = "ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu".split()


def rare_words(rng: random.Random, count: int) -> list[str]:
    """Compound words that few items hold."""
    return [
        rng.choice(PARTS) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(ENDINGS)
        for _ in range(count)
    ]


def sentence(rng: random.Random, words: int, rare: list[str]) -> str:
    """A made-up sentence of need vocabulary with one rare compound."""
    pool = [rng.choice(NOUNS), rng.choice(VERBS), rng.choice(ADJECTIVES), rng.choice(rare)]
    pool += [rng.choice(NOUNS) for _ in range(words - 4)]
    rng.shuffle(pool)
    return " ".join(pool).capitalize() + "."


def add_projects(session: Session, rng: random.Random) -> list[int]:
    """Copies of the demo's first project: a quarter internal, every fifth with a partner."""
    first = session.execute(select(Project).order_by(Project.id)).scalars().first()
    assert first is not None
    organisations = [
        p.owner_org_id for p in session.execute(select(Project)).scalars() if p.owner_org_id
    ]
    base = first.model_dump(exclude={"id"})
    ids = []
    for n in range(PROJECTS):
        row = base | {
            "title": f"Prosjekt {n} om {rng.choice(NOUNS)}",
            "visibility": "internal" if n % 4 == 0 else "public",
            "owner_org_id": rng.choice(organisations),
        }
        ids.append(session.execute(insert(Project).values(**row)).inserted_primary_key[0])
    for project_id in ids[::5]:
        partner = rng.choice(organisations)
        if partner != session.get(Project, project_id).owner_org_id:  # type: ignore[union-attr]
            session.add(ProjectPartner(project_id=project_id, organisation_id=partner))
    session.commit()
    return ids


KINDS = [
    (SearchKind.need, SearchAudience.viewers, 60),
    (SearchKind.requirement, SearchAudience.writers, 8),
    (SearchKind.requirement, SearchAudience.final_requirement, 7),
    (SearchKind.answer, SearchAudience.viewers, 12),
    (SearchKind.proposal, SearchAudience.viewers, 13),
]


def add_items(session: Session, rng: random.Random, projects: list[int], rare: list[str]) -> int:
    """Index rows up to `ITEMS` in all, spread over the projects and kinds."""
    have = session.execute(text("SELECT count(*) FROM search_item")).scalar_one()
    weighted = [(kind, audience) for kind, audience, weight in KINDS for _ in range(weight)]
    batch: list[dict[str, object]] = []
    for n in range(ITEMS - have):
        kind, audience = rng.choice(weighted)
        document = index.Document(
            kind,
            10_000_000 + n,
            rng.choice(projects),
            audience,
            sentence(rng, 5, rare),
            " ".join(sentence(rng, 12, rare) for _ in range(3)),
        )
        batch.append(index.row(document))
        if len(batch) == BATCH:
            session.execute(insert(SearchItem), batch)
            batch = []
    if batch:
        session.execute(insert(SearchItem), batch)
    session.commit()
    return int(session.execute(text("SELECT count(*) FROM search_item")).scalar_one())


def readers(session: Session) -> dict[str, User | None]:
    """A visitor, and the demo's first citizen, employee and procurer."""
    found: dict[str, User | None] = {"visitor": None}
    for role in (Role.citizen, Role.employee, Role.procurer):
        query = select(User).where(User.role == role).order_by(User.id)
        found[role.value] = session.execute(query).scalars().first()
    return found


def time_searches(
    session: Session,
    people: dict[str, User | None],
    rng: random.Random,
    rare: list[str],
    queries: int = QUERIES,
) -> dict[str, Any]:
    """Percentiles per kind of query, and over all of them."""
    kinds = {
        "one common word": lambda: rng.choice(NOUNS),
        "two common words": lambda: f"{rng.choice(NOUNS)} {rng.choice(NOUNS)}",
        "one rare compound": lambda: rng.choice(rare),
    }
    figures: dict[str, Any] = {}
    every: list[float] = []
    totals: list[int] = []
    for name, make in kinds.items():
        times, newest = [], 0
        for user in people.values():
            for _ in range(queries):
                query = make()
                began = time.perf_counter()
                found = search(session, user=user, query=query)
                for hit in found.hits:
                    snippet(hit.body, found.stems)
                times.append((time.perf_counter() - began) * 1000)
                totals.append(found.total)
                newest += found.newest_first
        figures[f"{name}, ms"] = percentiles(times)
        figures[f"{name}, newest first (over 20,000 matches)"] = f"{newest} of {len(times)}"
        every += times
    figures["all searches, ms"] = percentiles(every)
    figures["results per search (median, counted to 1,000)"] = sorted(totals)[len(totals) // 2]
    return figures


def common_share(session: Session) -> str:
    """How many of the items hold the commonest of the common words (the worst case)."""
    counts = {
        word: session.execute(
            select(func.count()).select_from(SearchItem).where(col(SearchItem.body).contains(word))
        ).scalar_one()
        for word in NOUNS[:10]
    }
    return f"{max(counts.values()) * 100 // ITEMS} %"


def main() -> None:
    """Load, generate, time; print the figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    rng = random.Random(6)
    rare = rare_words(rng, 3_000)
    with demo_database(arguments.database_url) as (url, _env, _tmp):
        db.use_database(url)
        with db.new_session() as session:
            figures: dict[str, Any] = {"benchmark": "search", "database": url.split(":")[0]}
            began = time.perf_counter()
            projects = add_projects(session, rng)
            figures["items"] = add_items(session, rng, projects, rare)
            figures["load seconds"] = round(time.perf_counter() - began, 1)
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("ANALYZE search_item"))
                session.commit()
            people = readers(session)
            figures["items holding the commonest word"] = common_share(session)
            time_searches(session, people, random.Random(1), rare, queries=5)  # warm the caches
            figures |= time_searches(session, people, random.Random(2), rare)
        db.reset_engine()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
