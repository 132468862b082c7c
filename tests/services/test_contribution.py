"""Every write records what happened through one call, `contribution`, and nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

from app.models import Comment, DialogueEvent, Document, Need, Project
from app.models.vocabulary import LiveKind, ObjectType
from app.services.contribution import OBJECT_TYPES, live_event
from app.services.live import LiveEvent, PageKind, Topic

APP = Path(__file__).resolve().parents[2] / "app"
# The three records a change leaves: its participation event, its audit entry, its live push.
WRITES = re.compile(r"\b(participation\.record|audit\.record|announce(_\w+)?)\(")
# The unit itself, and the live hub where `announce` is defined.
OWNERS = {"services/contribution.py", "services/live/bus.py"}


def test_only_the_contribution_unit_writes_participation_audit_and_live_records() -> None:
    found = [
        f"{path.relative_to(APP)}:{number}: {line.strip()}"
        for path in sorted(APP.rglob("*.py"))
        if path.relative_to(APP).as_posix() not in OWNERS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if WRITES.search(line)
    ]
    assert found == []


def test_every_kind_of_object_the_logs_name_is_one_model() -> None:
    assert sorted(OBJECT_TYPES.values()) == sorted(ObjectType)


def test_a_change_shows_on_the_pages_its_kind_belongs_to() -> None:
    project = Project(id=3)
    comment = live_event(LiveKind.comment_created, Comment(id=5, need_id=4), project)
    assert comment.topics == [
        Topic(PageKind.project, 3),
        Topic(PageKind.need, 4),
        Topic(PageKind.metrics, 3),
    ]
    need = live_event(LiveKind.need_created, Need(id=4, project_id=3), project)
    assert need.need_id == 4
    document = live_event(LiveKind.document_published, Document(id=6, project_id=3), project)
    assert document.topics == [Topic(PageKind.documents, 3), Topic(PageKind.metrics, 3)]
    event = live_event(LiveKind.event_counts, DialogueEvent(id=7, project_id=3), project)
    assert event.topics == [
        Topic(PageKind.project, 3),
        Topic(PageKind.event, 7),
        Topic(PageKind.events, 3),
        Topic(PageKind.metrics, 3),
    ]


def test_a_live_event_crosses_the_bus_between_processes_unchanged() -> None:
    events = [
        LiveEvent(LiveKind.event_counts, 7, 3, extra_topics=(Topic(PageKind.event, 7),)),
        LiveEvent(LiveKind.question_asked, 2, 3, page=PageKind.questions),
        LiveEvent(LiveKind.comment_hidden, 5, 3, need_id=4),
    ]
    for event in events:
        assert LiveEvent.from_json(event.to_json()) == event
