"""Every kind of step `story.toml` may take, and how each plays through the services.

Each kind plans its service call at the step's moment (`Story.at`); the call itself runs
later, in time order, when what it refers to has been made. Fields every step has: `do`, `on`,
`by`, and `key` to name what it made. The others, by kind:

- `project`: title, summary, service_area, innovation_ambition, visibility, phase, partners,
  themes (the list its needs' themes come from)
- `move_phase`: project, to, rationale
- `need`: project, title, problem, affected, anonymous, theme (one of the project's themes)
- `supports`: need, people (over the days from `on`, a couple a day, at varied hours)
- `comment`: need, body, reply_to (a comment's key)
- `status`: need, status
- `document`: project, kind, title, description, audience, filename, pdf_title, pdf_lines
  (uploaded and published)
- `register_supplier`: project
- `question`: project, body
- `publish_answer`: project, question, public_question, answer
- `event`: project, kind, title, description, location, starts_in_days and starts_at (from
  today, when the demo is loaded), hours, capacity, slot_minutes, slots (make the one-to-one
  times, kept as `<key>:slots`)
- `register_for_event`: project, event
- `book`: project, event, slot (the index of one of its times)
- `proposal`: project, needs, title, summary, body, claims (each a justification)
- `publish_summary`, `decide_claims` (with decision), `proposal_status` (with status):
  project, proposal
- `requirement`: project, kind (a RequirementKind), title, text, weight (award criteria only)
- `hearing`: project, deadline_in_days (from today, when the demo is loaded: the hearing is
  still open), employees, citizens, suppliers (whom it is put to)
- `hearing_comment`: project, hearing, requirement, body, passage (a quote of the
  requirement's text, for a comment on that passage)
- `study`: title, institution, ethics_reference, legal_basis, ends_in_days, include_free_text
  (from the story's first day)
- `consent`: study
- `requirement`: project, kind (a `RequirementKind`), title, text, weight (award criteria only)
- `trace_link`: project, requirement (its key), source_kind (a `TraceSource`), source (the
  key of the need, proposal or answered question), relation (a `TraceRelation`), rationale
- the self-assessment's steps (`maturity_round`, `maturity_invite`, `maturity_answers`,
  `maturity_close`, `maturity_action`, `maturity_action_status`): see `app/demo/maturity.py`
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from app.demo.calendar import working_moment_in
from app.demo.maturity import MATURITY_STEPS
from app.demo.pdf import demo_pdf
from app.demo.story import Step, Story, when
from app.models import SecrecyClaim
from app.models.base import NeedStatus, Phase, Visibility, id_of
from app.models.document import DocumentAudience, DocumentCreate, DocumentKind
from app.models.event import DialogueEventCreate, EventKind
from app.models.hearing import HearingCommentCreate, HearingOpen
from app.models.need import CommentCreate, NeedCreate, NeedStatusChange
from app.models.project import ProjectCreate
from app.models.proposal import (
    ClaimCreate,
    ClaimDecisionInput,
    ProposalCreate,
    ProposalStatusChange,
)
from app.models.question import AnswerDraft, QuestionCreate
from app.models.requirement import RequirementCreate, RequirementKind
from app.models.research import LegalBasis, StudyCreate
from app.models.trace import TraceLinkCreate, TraceRelation, TraceSource
from app.services import (
    dialogue,
    documents,
    events,
    hearings,
    needs,
    projects,
    proposals,
    questions,
    requirements,
    research,
    themes,
    trace,
)

Planner = Callable[[Story, Step], None]
SUPPORT_TIMES = ("07:40", "12:15", "19:30", "21:05", "10:20", "15:45")


def _project(story: Story, step: Step) -> None:
    def create() -> Any:
        data = ProjectCreate(
            title=step["title"],
            summary=step["summary"],
            service_area=step["service_area"],
            innovation_ambition=step["innovation_ambition"],
            visibility=Visibility(step["visibility"]),
            partner_org_ids=[id_of(story.organisations[k]) for k in step.get("partners", [])],
            phase=Phase(step.get("phase", Phase.needs)),
        )
        project = projects.create_project(story.session, user=story.person(step["by"]), data=data)
        themes.replace(story.session, project_id=id_of(project), names=step.get("themes", []))
        return project

    story.at(step, create)


def _move_phase(story: Story, step: Step) -> None:
    story.at(
        step,
        lambda: projects.move_phase(
            story.session,
            rel=story.by(step),
            to_phase=Phase(step["to"]),
            rationale=step["rationale"],
        ),
    )


def _need(story: Story, step: Step) -> None:
    data = NeedCreate(
        title=step["title"],
        problem=step["problem"],
        affected=step["affected"],
        anonymous=step.get("anonymous", False),
        theme=step.get("theme", ""),
    )
    story.need_project[step["key"]] = step["project"]
    story.at(step, lambda: needs.post_need(story.session, rel=story.by(step), data=data))


def _on_need(story: Story, step: Step) -> dict[str, Any]:
    """The relation of the step's actor to its need's project, and the need, as arguments."""
    need = step["need"]
    return {"rel": story.by(step, story.need_project[need]), "need": story.made[need]}


def _supports(story: Story, step: Step) -> None:
    """People support a need over the days from the step's, a couple a day, at varied hours."""
    day, _clock = when(step)
    need = step["need"]
    for i, person in enumerate(step["people"]):
        clock = SUPPORT_TIMES[(i + day) % len(SUPPORT_TIMES)]
        one: Step = {"do": "support", "on": f"day {day + i // 2}, {clock}", "by": person}
        story.at(one, _support(story, {**one, "need": need}))


def _support(story: Story, step: Step) -> Callable[[], Any]:
    return lambda: needs.support_need(story.session, **_on_need(story, step))


def _comment(story: Story, step: Step) -> None:
    def comment() -> Any:
        reply_to = step.get("reply_to")
        parent = id_of(story.made[reply_to]) if reply_to else None
        data = CommentCreate(body=step["body"], parent_id=parent)
        return needs.add_comment(story.session, **_on_need(story, step), data=data)

    story.at(step, comment)


def _status(story: Story, step: Step) -> None:
    change = NeedStatusChange(status=NeedStatus(step["status"]))
    story.at(step, lambda: needs.set_status(story.session, **_on_need(story, step), change=change))


def _document(story: Story, step: Step) -> None:
    data = DocumentCreate(
        kind=DocumentKind(step["kind"]),
        title=step["title"],
        description=step["description"],
        audience=DocumentAudience(step["audience"]),
    )
    pdf = demo_pdf(step["pdf_title"], step["pdf_lines"])

    def upload_and_publish() -> Any:
        rel = story.by(step)
        document = documents.upload_document(
            story.session,
            rel=rel,
            data=data,
            stream=io.BytesIO(pdf),
            filename=step["filename"],
        )
        return documents.publish_document(story.session, rel=rel, document=document)

    story.at(step, upload_and_publish)


def _register_supplier(story: Story, step: Step) -> None:
    story.at(step, lambda: dialogue.register_supplier(story.session, rel=story.by(step)))


def _question(story: Story, step: Step) -> None:
    data = QuestionCreate(body=step["body"])
    story.at(step, lambda: questions.ask(story.session, rel=story.by(step), data=data))


def _publish_answer(story: Story, step: Step) -> None:
    data = AnswerDraft(public_question=step["public_question"], answer=step["answer"])
    story.at(
        step,
        lambda: questions.publish(
            story.session, rel=story.by(step), question=story.made[step["question"]], data=data
        ),
    )


def _event(story: Story, step: Step) -> None:
    """A dialogue event some days from today (when the demo is loaded), with its one-to-one
    times if the step asks for them."""
    hour, minute = (int(part) for part in step["starts_at"].split(":"))

    def create() -> Any:
        starts = working_moment_in(step["starts_in_days"], hour, minute)
        data = DialogueEventCreate(
            kind=EventKind(step["kind"]),
            title=step["title"],
            description=step["description"],
            location=step["location"],
            starts_at=starts,
            ends_at=starts + timedelta(hours=step["hours"]),
            **{name: step[name] for name in ("capacity", "slot_minutes") if name in step},
        )
        rel = story.by(step)
        event = events.create_event(story.session, rel=rel, data=data)
        if step.get("slots"):
            slots = events.generate_slots(story.session, rel=rel, event=event, slot_minutes=None)
            story.made[f"{step['key']}:slots"] = slots
        return event

    story.at(step, create)


def _register_for_event(story: Story, step: Step) -> None:
    story.at(
        step,
        lambda: events.register(story.session, rel=story.by(step), event=story.made[step["event"]]),
    )


def _book(story: Story, step: Step) -> None:
    event = step["event"]
    story.at(
        step,
        lambda: events.book_slot(
            story.session,
            rel=story.by(step),
            event=story.made[event],
            slot=story.made[f"{event}:slots"][step["slot"]],
        ),
    )


def _proposal(story: Story, step: Step) -> None:
    def submit() -> Any:
        data = ProposalCreate(
            need_ids=[id_of(story.made[need]) for need in step["needs"]],
            title=step["title"],
            summary=step["summary"],
            body=step["body"],
            claims=[ClaimCreate(justification=text) for text in step["claims"]],
        )
        return proposals.submit_proposal(story.session, rel=story.by(step), data=data)

    story.at(step, submit)


def _on_proposal(story: Story, step: Step) -> dict[str, Any]:
    """The relation of the step's actor to the project, and the proposal, as arguments."""
    return {"rel": story.by(step), "proposal": story.made[step["proposal"]]}


def _publish_summary(story: Story, step: Step) -> None:
    story.at(step, lambda: proposals.publish_summary(story.session, **_on_proposal(story, step)))


def _decide_claims(story: Story, step: Step) -> None:
    decision = ClaimDecisionInput(decision=step["decision"])

    def decide() -> None:
        proposal = story.made[step["proposal"]]
        claims = story.session.exec(
            select(SecrecyClaim).where(SecrecyClaim.proposal_id == proposal.id)
        ).all()
        for claim in claims:
            proposals.decide_claim(
                story.session, **_on_proposal(story, step), claim=claim, decision=decision
            )

    story.at(step, decide)


def _proposal_status(story: Story, step: Step) -> None:
    change = ProposalStatusChange(status=step["status"])
    story.at(
        step,
        lambda: proposals.set_status(story.session, **_on_proposal(story, step), change=change),
    )


def _study(story: Story, step: Step) -> None:
    data = StudyCreate(
        title=step["title"],
        institution=step["institution"],
        ethics_reference=step["ethics_reference"],
        legal_basis=LegalBasis(step["legal_basis"]),
        period_start=story.day0,
        period_end=date.today() + timedelta(days=step["ends_in_days"]),
        include_free_text=step["include_free_text"],
    )
    user = story.person(step["by"])
    story.at(step, lambda: research.register_study(story.session, user=user, data=data))


def _consent(story: Story, step: Step) -> None:
    user = story.person(step["by"])
    story.at(
        step,
        lambda: research.give_consent(
            story.session, user=user, study_id=id_of(story.made[step["study"]])
        ),
    )


def _requirement(story: Story, step: Step) -> None:
    data = RequirementCreate(
        kind=RequirementKind(step["kind"]),
        title=step["title"],
        text=step["text"],
        weight=step.get("weight"),
    )
    story.at(step, lambda: requirements.create(story.session, rel=story.by(step), data=data))


def _trace_link(story: Story, step: Step) -> None:
    def link() -> Any:
        data = TraceLinkCreate(
            source_type=TraceSource(step["source_kind"]),
            source_id=id_of(story.made[step["source"]]),
            relation=TraceRelation(step["relation"]),
            rationale=step["rationale"],
        )
        requirement = story.made[step["requirement"]]
        return trace.add_link(story.session, rel=story.by(step), requirement=requirement, data=data)

    story.at(step, link)


def _hearing(story: Story, step: Step) -> None:
    """The project's draft out for hearing, until some days from today (when the demo is loaded),
    so that the hearing is still open for whoever tries the demo."""

    def open_hearing() -> Any:
        data = HearingOpen(
            deadline=working_moment_in(step["deadline_in_days"], 12, 0),
            employees=step.get("employees", False),
            citizens=step.get("citizens", False),
            suppliers=step.get("suppliers", False),
        )
        return hearings.open_hearing(story.session, rel=story.by(step), data=data)

    story.at(step, open_hearing)


def _hearing_comment(story: Story, step: Step) -> None:
    def comment() -> Any:
        hearing = story.made[step["hearing"]]
        rel = story.by(step)
        data = HearingCommentCreate(
            requirement_id=id_of(story.made[step["requirement"]]),
            body=step["body"],
            passage=step.get("passage"),
        )
        return hearings.comment(story.session, rel=rel, hearing=hearing, data=data)

    story.at(step, comment)


STEPS: dict[str, Planner] = {
    "project": _project,
    "move_phase": _move_phase,
    "need": _need,
    "supports": _supports,
    "comment": _comment,
    "status": _status,
    "document": _document,
    "register_supplier": _register_supplier,
    "question": _question,
    "publish_answer": _publish_answer,
    "event": _event,
    "register_for_event": _register_for_event,
    "book": _book,
    "proposal": _proposal,
    "publish_summary": _publish_summary,
    "decide_claims": _decide_claims,
    "proposal_status": _proposal_status,
    "requirement": _requirement,
    "trace_link": _trace_link,
    "hearing": _hearing,
    "hearing_comment": _hearing_comment,
    "study": _study,
    "consent": _consent,
    **MATURITY_STEPS,
}


def plan(story: Story, step: Step) -> None:
    """Plan one step of the story by its kind (`do`)."""
    planner = STEPS.get(step.get("do", ""))
    if planner is None:
        raise ValueError(f"No kind of step {step.get('do')!r} (one of {', '.join(STEPS)})")
    planner(story, step)
