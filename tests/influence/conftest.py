"""A hand-built influence ledger on the world's public project, where every figure is known.

Needs (all inputs are stored rows; the trace links are inserted as the ledger's table holds them):

- N1 by the owner's employee, verified; N2 by the citizen, verified; N3 by the partner's
  employee, verified; N4 by the citizen, submitted (not verified).
- PA1 (supplier A, summary published), PA2 (supplier A, never published: its links are to the
  confidential body), PB1 (supplier B, summary published); Q1 answered by the procurer and
  published.

Requirements, all final, and their links:

- R1 functional: N1 derived from, N2 refined by, Q1 motivated by;
- R2 functional: N4 derived from, PB1 refined by;
- R3 performance: PA1 derived from, PA2 derived from (confidential);
- R4 performance: PA2 derived from (confidential), nothing else;
- R5 contract term: N3 rejected input, PB1 derived from;
- R6 award criterion (weight 100): no links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import Session

from app.models import (
    HearingComment,
    Need,
    Organisation,
    Proposal,
    Question,
    Requirement,
    TraceLink,
    User,
)
from app.models.base import NeedStatus, OrganisationKind, Phase, Role, id_of, utcnow
from app.models.question import QuestionStatus
from app.models.requirement import (
    RequirementCreate,
    RequirementKind,
    RequirementStatus,
    RequirementUpdate,
)
from app.models.trace import TraceRelation, TraceSource
from app.services import permissions, requirements
from tests.conftest import Factory, World

CONFIDENTIAL_TITLE = "Radarmodul med fortrolig prismodell"
SUPPLIER_B = "Konkurrent AS"


def need(
    session: Session,
    author: User,
    project_id: int,
    title: str,
    status: NeedStatus = NeedStatus.verified,
    **fields: Any,
) -> Need:
    """A need as stored (its author, title and status)."""
    row = Need(
        project_id=project_id,
        author_id=id_of(author),
        title=title,
        problem=f"{title}: et problem som må løses bedre.",
        status=status,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def proposal(
    session: Session, author: User, project_id: int, title: str, *, published: bool
) -> Proposal:
    """A supplier's proposal, its summary published or not."""
    row = Proposal(
        project_id=project_id,
        organisation_id=author.organisation_id,
        submitted_by_id=id_of(author),
        title=title,
        summary="Et sammendrag av forslaget.",
        body="Fortrolig innhold.",
        summary_published=published,
        summary_published_at=utcnow() if published else None,
    )
    session.add(row)
    session.flush()
    return row


def answer(session: Session, asker: User, procurer: User, project_id: int) -> Question:
    """A supplier's question, answered by the procurer and published to all."""
    row = Question(
        body="Hvor mange boliger?",
        project_id=project_id,
        asked_by_id=id_of(asker),
        organisation_id=asker.organisation_id,
        status=QuestionStatus.published,
        public_question="Hvor mange boliger skal dekkes?",
        answer="Førti.",
        answered_by_id=id_of(procurer),
        answered_at=utcnow(),
        published_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def link(
    session: Session,
    requirement: Requirement,
    source: Any,
    relation: TraceRelation = TraceRelation.derived_from,
    *,
    by: User,
    confidential: bool = False,
) -> TraceLink:
    """A trace link row from the requirement to the source (a need, proposal, question or
    hearing comment)."""
    kinds = {
        Need: TraceSource.need,
        Proposal: TraceSource.proposal,
        Question: TraceSource.answer,
        HearingComment: TraceSource.hearing_comment,
    }
    row = TraceLink(
        project_id=requirement.project_id,
        requirement_id=id_of(requirement),
        source_type=kinds[type(source)],
        source_id=id_of(source),
        relation=relation,
        rationale="Fordi behovet og markedet pekte hit.",
        confidential=confidential,
        created_by_id=id_of(by),
    )
    session.add(row)
    session.flush()
    return row


@dataclass
class Scene:
    """The ledger's objects by name, and the cast."""

    world: World
    supplier_b: User
    project_id: int
    needs: dict[str, Need] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)
    requirements: dict[str, Requirement] = field(default_factory=dict)
    question: Question | None = None

    def rid(self, name: str) -> int:
        return id_of(self.requirements[name])

    def nid(self, name: str) -> int:
        return id_of(self.needs[name])


def _requirements(session: Session, scene: Scene) -> None:
    world = scene.world
    rel = permissions.relation(session, world.procurer, world.public)
    kinds = {
        "R1": RequirementKind.functional,
        "R2": RequirementKind.functional,
        "R3": RequirementKind.performance,
        "R4": RequirementKind.performance,
        "R5": RequirementKind.contract_term,
        "R6": RequirementKind.award_criterion,
    }
    for name, kind in kinds.items():
        weight = 100 if kind == RequirementKind.award_criterion else None
        data = RequirementCreate(
            kind=kind, title=f"Krav {name}", text=f"Tekst {name}", weight=weight
        )
        scene.requirements[name] = requirements.create(session, rel=rel, data=data)


def _links(session: Session, scene: Scene) -> None:
    by = scene.world.procurer
    r, n, p = scene.requirements, scene.needs, scene.proposals
    link(session, r["R1"], n["N1"], by=by)
    link(session, r["R1"], n["N2"], TraceRelation.refined_by, by=by)
    link(session, r["R1"], scene.question, TraceRelation.motivated_by, by=by)
    link(session, r["R2"], n["N4"], by=by)
    link(session, r["R2"], p["PB1"], TraceRelation.refined_by, by=by)
    link(session, r["R3"], p["PA1"], by=by)
    link(session, r["R3"], p["PA2"], by=by, confidential=True)
    link(session, r["R4"], p["PA2"], by=by, confidential=True)
    link(session, r["R5"], n["N3"], TraceRelation.rejected_input, by=by)
    link(session, r["R5"], p["PB1"], by=by)


def finalise(session: Session, scene: Scene) -> None:
    """Mark every requirement final, then the specification."""
    world = scene.world
    rel = permissions.relation(session, world.procurer, world.public)
    for requirement in scene.requirements.values():
        data = RequirementUpdate(status=RequirementStatus.final)
        requirements.edit(session, rel=rel, requirement=requirement, data=data)
    requirements.finalise(session, rel=rel)
    session.commit()


@pytest.fixture
def draft_scene(session: Session, world: World, factory: Factory) -> Scene:
    """The ledger with every requirement still a draft (the employee invited as co-author)."""
    world.public.phase = Phase.market_dialogue
    session.add(world.public)
    org_b: Organisation = factory.org(
        OrganisationKind.supplier, name=SUPPLIER_B, org_number="986105174"
    )
    scene = Scene(
        world=world,
        supplier_b=factory.user(Role.supplier, org_b),
        project_id=id_of(world.public),
    )
    pid = scene.project_id
    scene.needs = {
        "N1": need(session, world.employee, pid, "Varsling ved fall"),
        "N2": need(session, world.citizen, pid, "Ro om natten"),
        "N3": need(session, world.partner_employee, pid, "Felles journal"),
        "N4": need(session, world.citizen, pid, "Lys i gangen", NeedStatus.submitted),
    }
    scene.proposals = {
        "PA1": proposal(session, world.supplier, pid, "Sensor i gulvet", published=True),
        "PA2": proposal(session, world.supplier, pid, CONFIDENTIAL_TITLE, published=False),
        "PB1": proposal(session, scene.supplier_b, pid, "Varmestyring", published=True),
    }
    scene.question = answer(session, world.supplier, world.procurer, pid)
    _requirements(session, scene)
    _links(session, scene)
    rel = permissions.relation(session, world.procurer, world.public)
    requirements.invite_co_author(session, rel=rel, user_id=id_of(world.employee))
    session.commit()
    return scene


@pytest.fixture
def scene(session: Session, draft_scene: Scene) -> Scene:
    """The ledger with every requirement final and the specification marked final."""
    finalise(session, draft_scene)
    return draft_scene
