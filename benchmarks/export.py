"""The research export over 1,000,000 participation events: time, peak memory, zip size.

Loads the demo, adds 3,000 people (citizens, employees and procurers of the demo's public
bodies, suppliers' staff), then writes into the demo's first project N participation events
(default 1,000,000) with N/50 needs and N/5 comments, through the generator the metrics
benchmark uses (at 1,000,000 the same data). The demo researcher registers two studies that
allow free text: one on consent, which every second person gives, and one on public interest.
Each study is exported without and with free text, in this process, as `pivotal export` does;
each export is timed (wall clock, and this process's CPU time: on SQLite the database work is
in-process, on PostgreSQL it is not), and its peak memory is the rise of the process's resident
set (the kernel's high-water mark, reset before each export) over what it was before.

    .venv/bin/python -m benchmarks.export                   # SQLite, 1,000,000 events
    .venv/bin/python -m benchmarks.export --events 200000
    scripts/with-postgres.sh sh -c '.venv/bin/python -m benchmarks.export \\
        --database-url "$PIVOTAL_TEST_DATABASE_URL"'
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from app import db
from app.models import Organisation, Study, StudyConsent, User
from app.models.base import OrganisationKind, Role, id_of, utcnow
from app.models.research import LegalBasis, StudyCreate
from app.services import research
from benchmarks.common import demo_database, generate_participation

PROJECT = 1
EVENTS = 1_000_000
PEOPLE = 3_000
RESEARCHER = "forsker@ntnu.example"


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_memory() -> int:
    """Reset this process's peak resident set to the current one; return the current, in KiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS")


def add_people(session: Session, count: int) -> None:
    """Citizens, employees and procurers of the public bodies, and suppliers' staff, in turn."""
    orgs = session.exec(select(Organisation)).all()
    public = [id_of(o) for o in orgs if o.kind in research.PUBLIC_BODIES]
    suppliers = [id_of(o) for o in orgs if o.kind == OrganisationKind.supplier]
    roles = [Role.citizen, Role.employee, Role.citizen, Role.procurer, Role.supplier]
    rows = []
    for i in range(count):
        role = roles[i % len(roles)]
        org = None
        if role in (Role.employee, Role.procurer):
            org = public[i % len(public)]
        elif role == Role.supplier:
            org = suppliers[i % len(suppliers)]
        rows.append(
            {
                "email": f"deltaker{i}@bench.example",
                "display_name": f"Deltaker {i}",
                "role": role,
                "organisation_id": org,
                "language": "nb",
                "password_hash": "-",
                "created_at": utcnow(),
            }
        )
    session.execute(insert(User), rows)


def register_studies(session: Session) -> dict[str, int]:
    """A consent-based study that every second person consents to, and a public-interest one."""
    researcher = session.exec(select(User).where(User.email == RESEARCHER)).one()
    today = date.today()
    ids = {}
    for basis in (LegalBasis.consent, LegalBasis.public_interest):
        study = research.register_study(
            session,
            user=researcher,
            data=StudyCreate(
                title=f"Ytelsesmåling ({basis})",
                institution="NTNU",
                ethics_reference="bench",
                legal_basis=basis,
                period_start=today - timedelta(days=365),
                period_end=today + timedelta(days=365),
                include_free_text=True,
            ),
        )
        ids[str(basis)] = id_of(study)
    consent = ids[str(LegalBasis.consent)]
    already = set(
        session.exec(select(StudyConsent.user_id).where(StudyConsent.study_id == consent)).all()
    )
    people = session.exec(select(col(User.id)).where(col(User.id) % 2 == 0)).all()
    session.execute(
        insert(StudyConsent),
        [
            {"study_id": consent, "user_id": user_id, "given_at": utcnow()}
            for user_id in people
            if user_id not in already
        ],
    )
    return ids


def prepare(url: str, events: int) -> dict[str, object]:
    """People, generated participation and the two studies; what was made."""
    db.use_database(url)
    with db.new_session() as session:
        add_people(session, PEOPLE)
        session.commit()
    began = time.perf_counter()
    made: dict[str, object] = dict(
        generate_participation(
            url, project=PROJECT, events=events, needs=events // 50, comments=events // 5
        )
    )
    made["generate_s"] = round(time.perf_counter() - began, 1)
    with db.new_session() as session:
        made["people"] = len(session.exec(select(col(User.id))).all())
        made["studies"] = register_studies(session)
        session.commit()
        session.connection().execute(text("ANALYZE"))  # as autovacuum would
        session.commit()
    return made


def export(study_id: int, free_text: bool, out: Path) -> dict[str, object]:
    """One export in its own session, as `pivotal export` runs it: seconds, peak memory, size."""
    gc.collect()
    before = reset_peak_memory()
    began, cpu = time.perf_counter(), time.process_time()
    with db.new_session() as session:
        study = session.get(Study, study_id)
        assert study is not None
        summary = research.export_study(session, study=study, out=out, free_text=free_text)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = _status_kib("VmHWM")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_rise_mib": round((peak - before) / 1024, 1),
        "rss_before_mib": round(before / 1024, 1),
        "zip_mib": round(out.stat().st_size / 2**20, 1),
        "rows": summary.rows,
    }


def main() -> None:
    """Prepare, export four ways, print a table and the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=EVENTS, help="participation events")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    figures: dict[str, object] = {
        "benchmark": "export",
        "database": "postgresql" if args.database_url else "sqlite",
    }
    with demo_database(args.database_url) as (url, _env, tmp):
        made = prepare(url, args.events)
        figures.update(made)
        studies = made["studies"]
        assert isinstance(studies, dict)
        runs = []
        for basis, study_id in studies.items():
            for free_text in (False, True):
                result = export(study_id, free_text, tmp / f"{basis}-{free_text}.zip")
                runs.append({"study": basis, "free_text": free_text, **result})
        db.reset_engine()
    figures["exports"] = runs
    print(
        f"{'study':<16} {'free text':<9} {'seconds':>8} {'CPU s':>6} {'peak MiB':>9} "
        f"{'zip MiB':>8} {'events':>9} {'needs':>7} {'comments':>8}"
    )
    for run in runs:
        rows = run["rows"]
        assert isinstance(rows, dict)
        print(
            f"{run['study']:<16} {'yes' if run['free_text'] else 'no':<9} "
            f"{run['seconds']:>8} {run['cpu_seconds']:>6} {run['peak_rss_rise_mib']:>9} "
            f"{run['zip_mib']:>8} {rows['participation_events']:>9} {rows['needs']:>7} "
            f"{rows['comments']:>8}"
        )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
