"""Queries and in-process time per request of the front page, a project page, a need page with a
long thread and a Q&A page, for a visitor (from the page cache, and rendered anew) and for a
logged-in participant, on the demo with a big project added.

Through the real app in this process (Starlette's TestClient, no network), so the figures are the
app's own work per request: what grows with the project shows here before any load test.

    .venv/bin/python -m benchmarks.page_queries [--needs 300 --comments 500 --questions 200
                                                 --waiting 100 --projects 30 --repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from benchmarks.common import demo_database


def seed(
    url: str, *, needs: int, comments: int, questions: int, waiting: int, projects: int
) -> dict[str, int]:
    """Needs in demo project 1, one of them with `comments` comments (every third a reply),
    published questions in the project in market dialogue and `waiting` more not yet answered,
    and more projects."""
    from app import db
    from app.models import Project, User
    from app.models.need import CommentCreate, NeedCreate
    from app.models.project import ProjectCreate
    from app.models.question import AnswerDraft, QuestionCreate
    from app.services import needs as need_service
    from app.services import permissions
    from app.services import projects as project_service
    from app.services import questions as question_service

    db.use_database(url)
    with db.new_session() as s:

        def by(email: str) -> User:
            return s.exec(select(User).where(User.email == email)).one()

        employee, procurer = by("ansatt@trondheim.example"), by("innkjoper@trondheim.example")
        supplier = by("leverandor@helsetek.example")
        project = s.get(Project, 1)
        rel = permissions.relation(s, employee, project)
        made = [
            need_service.post_need(
                s, rel=rel, data=NeedCreate(title=f"Behov {i}", problem=f"Beskrivelse {i}.")
            )
            for i in range(needs)
        ]
        s.flush()
        thread, top = made[0], None
        for i in range(comments):
            parent = top.id if i % 3 == 2 and top is not None else None
            body = CommentCreate(body=f"Kommentar **{i}**.", parent_id=parent)
            comment = need_service.add_comment(s, rel=rel, need=thread, data=body)
            s.flush()
            top = comment if parent is None else top
        market = s.exec(select(Project).where(Project.phase == "market_dialogue")).first()
        asking = permissions.relation(s, supplier, market)
        answering = permissions.relation(s, procurer, market)
        for i in range(questions):
            asked = QuestionCreate(body=f"Spørsmål nummer {i} om behovene i prosjektet?")
            question = question_service.ask(s, rel=asking, data=asked)
            s.flush()
            answer = AnswerDraft(public_question=f"Spørsmål {i}?", answer=f"Svar {i}.")
            question_service.publish(s, rel=answering, question=question, data=answer)
        for i in range(waiting):
            asked = QuestionCreate(body=f"Ubesvart spørsmål nummer {i} om prosjektet?")
            question_service.ask(s, rel=asking, data=asked)
        for i in range(projects):
            data = ProjectCreate(
                title=f"Prosjekt {i}", summary="Et.", service_area="Helse", innovation_ambition="."
            )
            project_service.create_project(s, user=procurer, data=data)
        s.commit()
        ids = {"project": 1, "need": thread.id or 0, "market": market.id or 0}
    db.reset_engine()
    return ids


def main() -> None:
    """Seed, then print a table row per page and viewer."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in (
        ("needs", 300),
        ("comments", 500),
        ("questions", 200),
        ("waiting", 100),
        ("projects", 30),
        ("repeat", 30),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    with demo_database() as (url, env, _tmp):
        os.environ.update(env)
        os.environ["PIVOTAL_ENVIRONMENT"] = "development"  # plain http in the test client
        sizes = ("needs", "comments", "questions", "waiting", "projects")
        ids = seed(url, **{k: getattr(args, k) for k in sizes})
        measure(ids, args.repeat)


def measure(ids: dict[str, int], repeat: int) -> None:
    """Each page as each viewer: statements per request, median ms, bytes."""
    import logging

    from fastapi.testclient import TestClient

    from app.main import app

    logging.getLogger("pivotal.access").setLevel(logging.WARNING)
    procurer = "innkjoper@trondheim.example"
    pages = [
        ("front page", "/", "ansatt@trondheim.example"),
        ("project page", f"/projects/{ids['project']}", "ansatt@trondheim.example"),
        ("need page, the thread's author", f"/needs/{ids['need']}", "ansatt@trondheim.example"),
        ("need page, another participant", f"/needs/{ids['need']}", "ansatt@stjordal.example"),
        ("Q&A page", f"/projects/{ids['market']}/questions", "leverandor@helsetek.example"),
        ("Q&A page, a procurer", f"/projects/{ids['market']}/questions", procurer),
    ]
    print("| page | viewer | queries | ms (median) | KB |")
    print("|---|---|---|---|---|")
    with TestClient(app) as client:
        for page, path, email in pages:
            form = {"username": email, "password": "pivotal-demo"}
            token = client.post("/api/v1/auth/token", data=form).json()["access_token"]
            viewers: list[tuple[str, dict[str, str], bool]] = [
                ("visitor (cached)", {}, False),
                ("visitor (rendered)", {}, True),
                ("participant", {"Authorization": f"Bearer {token}"}, False),
            ]
            for viewer, headers, anew in viewers:
                queries, ms, size = view(client, path, headers, anew=anew, repeat=repeat)
                print(f"| {page} | {viewer} | {queries} | {ms:.1f} | {size / 1024:.0f} |")


def view(
    client: Any, path: str, headers: dict[str, str], *, anew: bool, repeat: int
) -> tuple[int, float, int]:
    """Statements of one request, the median ms of `repeat` more, and the page's bytes; with
    `anew`, the visitors' page cache is emptied before each request."""
    from app import db
    from app.services import render_cache

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def get() -> tuple[float, int]:
        if anew:
            render_cache.pages.clear()
            render_cache.fragments.clear()
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        return (time.perf_counter() - started) * 1000, len(response.content)

    get()  # warm
    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", count)
    get()
    event.remove(engine, "before_cursor_execute", count)
    times = [get() for _ in range(repeat)]
    return len(statements), statistics.median(t for t, _ in times), times[-1][1]


if __name__ == "__main__":
    main()
