"""Each kind of input counts for a reader only when they may open it: minutes once published
and only for those who may read them, an answer once published, a held need never."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.models import DialogueEvent, EventRegistration, Question, TraceLink
from app.models.base import NeedStatus, id_of, utcnow
from app.models.event import EventKind, RegistrationStatus
from app.models.question import QuestionStatus
from app.models.trace import TraceRelation, TraceSource
from tests.helpers import Api
from tests.influence.conftest import Scene, link, need


def _links(api: Api, scene: Scene, user: object) -> int:
    response = api.get(f"/projects/{scene.project_id}/influence", user)
    assert response.status_code == 200, response.text
    return response.json()["links"]


def _minutes(session: Session, scene: Scene, *, published: bool) -> DialogueEvent:
    start = utcnow() - timedelta(days=2)
    event = DialogueEvent(
        project_id=scene.project_id,
        kind=EventKind.conference,
        title="Dialogkonferanse",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        created_by_id=id_of(scene.world.procurer),
        minutes="Referat fra konferansen.",
        minutes_published_at=utcnow() if published else None,
    )
    session.add(event)
    session.flush()
    session.add(
        TraceLink(
            project_id=scene.project_id,
            requirement_id=scene.rid("R6"),
            source_type=TraceSource.event_minutes,
            source_id=id_of(event),
            relation=TraceRelation.motivated_by,
            rationale="Konferansen viste behovet.",
            created_by_id=id_of(scene.world.procurer),
        )
    )
    return event


def test_published_minutes_count_for_their_participants_and_registered_suppliers_only(
    api: Api, scene: Scene, session: Session
) -> None:
    world = scene.world
    event = _minutes(session, scene, published=True)
    session.add(
        EventRegistration(
            event_id=id_of(event),
            user_id=id_of(world.employee),
            status=RegistrationStatus.confirmed,
        )
    )
    session.commit()
    assert _links(api, scene, world.procurer) == 11
    assert _links(api, scene, world.employee) == 9  # registered for the event
    assert _links(api, scene, world.citizen) == 8
    assert _links(api, scene, world.partner_employee) == 8  # not registered


def test_unpublished_minutes_and_answers_count_for_the_procurers_only(
    api: Api, scene: Scene, session: Session
) -> None:
    world = scene.world
    _minutes(session, scene, published=False)
    question = session.get(Question, id_of(scene.question))
    assert question is not None
    question.status = QuestionStatus.answered  # taken back to a draft answer
    session.add(question)
    session.commit()
    assert _links(api, scene, world.procurer) == 11
    assert _links(api, scene, world.employee) == 7  # R1 loses the answer
    assert _links(api, scene, world.supplier) == 7


def test_a_held_need_counts_for_the_procurers_only(
    api: Api, scene: Scene, session: Session
) -> None:
    world = scene.world
    held = need(session, world.citizen, scene.project_id, "Holdt tilbake", held=True)
    link(session, scene.requirements["R6"], held, by=world.procurer)
    hidden = need(
        session, world.citizen, scene.project_id, "Skjult", NeedStatus.verified, hidden=True
    )
    link(session, scene.requirements["R6"], hidden, by=world.procurer)
    session.commit()
    assert _links(api, scene, world.procurer) == 12
    assert _links(api, scene, world.citizen) == 8
