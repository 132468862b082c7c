"""Exporting a specification of 200 requirements as PDF and as DOCX: time, size and pages.

Loads the demo, then gives its market-dialogue project 200 requirements (40 of each kind; the
20 award criteria weigh 5 % each), each about 700 characters of Markdown with a list and
emphasis, and three trace links to the project's needs. Exports the specification as the
demo's procurer sees it through the same call the API makes, five times per format, and prints
the median wall time and CPU time in milliseconds, the file size and the PDF's page count, and
the time of reading and preparing the content alone (the rest is layout).

    .venv/bin/python -m benchmarks.specification_export
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.specification_export \\
        --database-url "$PIVOTAL_TEST_DATABASE_URL"'
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from io import BytesIO

from pypdf import PdfReader
from sqlmodel import Session, col, select

from app import db
from app.models import Need, Project, Requirement, RequirementVersion, User
from app.models.base import Phase, id_of
from app.models.requirement import RequirementKind
from app.models.trace import TraceLink, TraceRelation, TraceSource
from app.services import permissions, spec_export
from app.services.spec_export import ExportFormat, content
from benchmarks.common import demo_database

REQUIREMENTS = 200
RUNS = 5
PROCURER = "innkjoper@trondheim.example"
TEXT = (
    "Løsningen skal **varsle** pårørende og hjemmetjenesten når brukeren ikke har stått opp "
    "innen avtalt tid, og *ikke* varsle når brukeren selv har meldt fravær.\n\n"
    "- Varselet skal nå fram innen to minutter, også om natten og i helgene.\n"
    "- Brukeren skal kunne se og endre hvem som varsles, med hjelp fra pårørende.\n"
    "- Alle varsler logges, og loggen kan hentes ut av kommunen i et åpent format.\n\n"
    "Leverandøren skal beskrive hvordan løsningen oppfører seg når nettet er nede, og hvordan "
    "varsler som ikke ble levert, sendes på nytt når forbindelsen er tilbake."
)


def add_requirements(session: Session, project: Project, author: User) -> int:
    """200 requirements of every kind with three trace links each; returns the link count."""
    needs = session.exec(select(Need.id).where(Need.project_id == project.id)).all()
    kinds = list(RequirementKind)
    links = 0
    for index in range(REQUIREMENTS):
        kind = kinds[index % len(kinds)]
        award = kind == RequirementKind.award_criterion
        requirement = Requirement(
            project_id=id_of(project),
            kind=kind,
            title=f"Krav {index + 1}: varsling og logg",
            text=TEXT,
            weight=5 if award and index < 100 else (0 if award else None),
            created_by_id=id_of(author),
            position=index,
        )
        session.add(requirement)
        session.flush()
        session.add(
            RequirementVersion(
                requirement_id=id_of(requirement),
                number=1,
                title=requirement.title,
                text=requirement.text,
                weight=requirement.weight,
                status=requirement.status,
                author_id=id_of(author),
            )
        )
        for need_id in needs[index % max(len(needs), 1) :][:3]:
            session.add(
                TraceLink(
                    project_id=id_of(project),
                    requirement_id=id_of(requirement),
                    source_type=TraceSource.need,
                    source_id=need_id,
                    relation=TraceRelation.derived_from,
                    rationale="Behovet beskriver situasjonen kravet skal løse.",
                    created_by_id=id_of(author),
                )
            )
            links += 1
    session.commit()
    return links


def time_export(session: Session, user: User, project: Project, fmt: ExportFormat) -> dict:
    """Median wall and CPU milliseconds over RUNS exports, with the last file's size."""
    walls, cpus, data = [], [], b""
    for _ in range(RUNS):
        rel = permissions.relation(session, user, project)
        wall, cpu = time.perf_counter(), time.process_time()
        data = spec_export.export(session, rel=rel, fmt=fmt).data
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        session.rollback()
    figures = {
        "median_ms": round(statistics.median(walls), 1),
        "median_cpu_ms": round(statistics.median(cpus), 1),
        "bytes": len(data),
    }
    if fmt == ExportFormat.pdf:
        figures["pages"] = len(PdfReader(BytesIO(data)).pages)
    return figures


def time_content(session: Session, user: User, project: Project) -> float:
    """Median wall milliseconds of reading and preparing the content alone (no layout)."""
    walls = []
    for _ in range(RUNS):
        rel = permissions.relation(session, user, project)
        wall = time.perf_counter()
        content.build(session, rel=rel)
        walls.append((time.perf_counter() - wall) * 1000)
        session.rollback()
    return round(statistics.median(walls), 1)


def main() -> None:
    """Load, add the requirements, time both formats; print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    figures: dict[str, object] = {"requirements": REQUIREMENTS, "runs": RUNS}
    with demo_database(args.database_url) as (url, _env, _tmp):
        figures["database"] = url.split(":")[0]
        db.use_database(url)
        with db.new_session() as session:
            query = select(Project).where(col(Project.phase) == Phase.market_dialogue)
            project = session.exec(query).first()
            user = session.exec(select(User).where(User.email == PROCURER)).one()
            assert project is not None
            figures["trace_links"] = add_requirements(session, project, user)
            figures["content_only_ms"] = time_content(session, user, project)
            for fmt in ExportFormat:
                figures[fmt.value] = time_export(session, user, project, fmt)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
