"""The demo's market-dialogue project has a draft specification traced to its inputs."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from app import demo
from app.models import Project, Requirement, TraceLink
from app.models.requirement import RequirementKind


def test_the_care_homes_draft_specification_is_traced_to_needs_proposals_and_answers(
    session: Session,
) -> None:
    demo.load_demo(session)
    project = session.exec(
        select(Project).where(col(Project.title) == "Trygge og energismarte omsorgsboliger")
    ).one()
    found = session.exec(select(Requirement).where(Requirement.project_id == project.id)).all()
    assert 9 <= len(found) <= 12
    assert len({r.kind for r in found}) == len(RequirementKind)
    weights = [r.weight or 0 for r in found if r.kind == RequirementKind.award_criterion]
    assert sum(weights) == 100
    links = session.exec(select(TraceLink).where(TraceLink.project_id == project.id)).all()
    sources: defaultdict[int, set[str]] = defaultdict(set)
    for link in links:
        sources[link.requirement_id].add(link.source_type)
    assert {"need", "proposal", "answer"} <= {kind for kinds in sources.values() for kind in kinds}
    only_proposal = [rid for rid, kinds in sources.items() if kinds == {"proposal"}]
    assert len(only_proposal) == 1
    assert any(link.confidential for link in links)  # Klimaløs's unpublished proposal
    titles = {r.title for r in found}
    assert "Varsler om natten når nattevakten raskt" in titles
    assert "Kommunen eier dataene og kan hente dem ut i åpne formater" in titles
