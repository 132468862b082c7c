"""What a requirement can be traced to, kind by kind: one entry in `SOURCES` per kind of input.

Each entry says which table holds the input, what it is called and where it is read, whether it
can be a source at all (an answer only once published, minutes only once published), and who
may see it. Adding a kind of source is one more entry; a kind without an entry is refused with
a clear message.

An input whose row does not hold its project (a hearing comment: its hearing does) names the
tables joined to reach it, and the project's column there; its rows are then read with the
joined columns as well, so every function below reads the same kind of row wherever it comes
from (a list of choices, the links of a page, the input a writer links).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import DialogueEvent, Hearing, HearingComment, Need, Proposal, Question, Requirement
from app.models.base import NeedStatus, id_of
from app.models.proposal import ProposalStatus
from app.models.question import QuestionStatus
from app.models.trace import TraceSource
from app.services import hearings, permissions
from app.services.errors import Invalid
from app.services.events.views import active_registration, company_booking
from app.services.permissions import ProjectRelation

NOT_SUPPORTED = N_("Links to this kind of input are not supported yet.")
TITLE_MAX = 120


@dataclass(frozen=True)
class SourceItem:
    """One input as a reader sees it in a list of links or of choices."""

    kind: TraceSource
    id: int
    title: str
    url: str
    # A proposal whose summary is not published: a link to it refers to confidential content.
    confidential: bool = False


@dataclass(frozen=True)
class SourceKind:
    """How one kind of input is found, named, offered and checked."""

    model: Any
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    usable: Callable[[Any], bool]  # may be a source at all (published, not withdrawn, ...)
    visible: Callable[[Session, ProjectRelation, Any], bool]  # the reader may see it
    # The columns the functions above read: a list of choices loads only these.
    columns: tuple[str, ...] = ()
    confidential: Callable[[Any], bool] = lambda row: False
    # The tables joined to reach the project (each with its condition), the columns read from
    # them (labelled as the functions above read them), and the column with the project's id
    # (None: the model's own `project_id`).
    joins: tuple[tuple[Any, Any], ...] = ()
    joined: tuple[Any, ...] = ()
    project: Any = None

    def project_column(self) -> Any:
        """The column that holds the input's project."""
        return self.model.project_id if self.project is None else self.project

    def query(self) -> Any:
        """The select of the input's columns (and of the joined tables' columns)."""
        found = select(*(getattr(self.model, name) for name in self.columns), *self.joined)
        for table, on in self.joins:
            found = found.join(table, on)
        return found


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def _need_visible(session: Session, rel: ProjectRelation, need: Need) -> bool:
    return permissions.can_open_need(rel, need) and permissions.can_read_need(rel, need)


def _proposal_visible(session: Session, rel: ProjectRelation, proposal: Proposal) -> bool:
    return permissions.can_see_proposal_summary(rel, proposal)


def _answer_visible(session: Session, rel: ProjectRelation, question: Question) -> bool:
    return question.status == QuestionStatus.published and permissions.can_see_question(
        rel, question
    )


def _minutes_visible(session: Session, rel: ProjectRelation, event: DialogueEvent) -> bool:
    if event.minutes_published_at is None:
        return False
    if permissions.can_read_minutes(rel, participant=False):
        return True
    user = rel.user
    if user is None or user.id is None:
        return False
    participant = active_registration(session, event, user.id) is not None or (
        company_booking(session, event, user.organisation_id) is not None
    )
    return permissions.can_read_minutes(rel, participant=participant)


def _comment_visible(session: Session, rel: ProjectRelation, comment: HearingComment) -> bool:
    """Whoever takes part in the comment's hearing (who reads the comment on its page)."""
    hearing = session.get(Hearing, comment.hearing_id)  # once per hearing: the identity map
    if hearing is None:
        return False
    # Asking whether the reader co-authors the specification only when that alone decides.
    if permissions.in_hearing(rel, hearing, co_author=False):
        return True
    return hearings.takes_part(session, rel=rel, hearing=hearing)


def _comment_title(comment: Any) -> str:
    """The requirement commented on, and the comment's own words; never its author."""
    return _short(f"{comment.requirement_title}: {comment.body}")


SOURCES: dict[TraceSource, SourceKind] = {
    TraceSource.need: SourceKind(
        model=Need,
        title=lambda need: need.title,
        url=lambda need: f"/needs/{need.id}",
        usable=lambda need: need.status != NeedStatus.merged,
        visible=_need_visible,
        columns=("id", "project_id", "title", "status", "hidden", "held", "author_id"),
    ),
    TraceSource.proposal: SourceKind(
        model=Proposal,
        title=lambda proposal: proposal.title,
        url=lambda proposal: f"/proposals/{proposal.id}",
        usable=lambda proposal: proposal.status != ProposalStatus.withdrawn,
        visible=_proposal_visible,
        columns=("id", "project_id", "title", "status", "summary_published", "organisation_id"),
        confidential=lambda proposal: not proposal.summary_published,
    ),
    TraceSource.answer: SourceKind(
        model=Question,
        title=lambda question: _short(question.public_question or ""),
        url=lambda question: f"/projects/{question.project_id}/questions#qa-{question.id}",
        usable=lambda question: question.status == QuestionStatus.published,
        visible=_answer_visible,
        columns=("id", "project_id", "public_question", "status", "organisation_id"),
    ),
    TraceSource.event_minutes: SourceKind(
        model=DialogueEvent,
        title=lambda event: event.title,
        url=lambda event: f"/events/{event.id}#minutes",
        usable=lambda event: event.minutes_published_at is not None,
        visible=_minutes_visible,
        columns=("id", "project_id", "title", "minutes_published_at"),
    ),
    TraceSource.hearing_comment: SourceKind(
        model=HearingComment,
        title=_comment_title,
        url=lambda comment: f"/hearings/{comment.hearing_id}#hearing-comment-{comment.id}",
        usable=lambda comment: True,
        visible=_comment_visible,
        columns=("id", "hearing_id", "body"),
        joins=(
            (Hearing, col(Hearing.id) == HearingComment.hearing_id),
            (Requirement, col(Requirement.id) == HearingComment.requirement_id),
        ),
        joined=(
            col(Hearing.project_id).label("project_id"),
            col(Requirement.title).label("requirement_title"),
        ),
        project=Hearing.project_id,
    ),
}


def kind_of(source: TraceSource) -> SourceKind:
    """The entry of a kind of source; refused (422) for a kind not supported yet."""
    found = SOURCES.get(source)
    if found is None:
        raise Invalid(NOT_SUPPORTED)
    return found


def item(kind: TraceSource, row: Any) -> SourceItem:
    """An input as a reader sees it named."""
    spec = SOURCES[kind]
    return SourceItem(kind, id_of(row), spec.title(row), spec.url(row), spec.confidential(row))


def load(
    session: Session, kind: TraceSource, ids: Iterable[int], *, project_id: int
) -> dict[int, Any]:
    """The rows of one kind of source of the project by id (one query)."""
    spec = SOURCES.get(kind)
    wanted = set(ids)
    if spec is None or not wanted:
        return {}
    query = spec.query().where(col(spec.model.id).in_(wanted), spec.project_column() == project_id)
    return {row.id: row for row in session.exec(query).all()}


def choices(session: Session, *, rel: ProjectRelation) -> dict[TraceSource, list[SourceItem]]:
    """The project's inputs the person may see and link, kind by kind, in their order."""
    found: dict[TraceSource, list[SourceItem]] = {}
    for kind, spec in SOURCES.items():
        query = spec.query().where(spec.project_column() == rel.project.id)
        rows = session.exec(query.order_by(col(spec.model.id))).all()  # read as the objects are
        found[kind] = [
            item(kind, row) for row in rows if spec.usable(row) and spec.visible(session, rel, row)
        ]
    return found
