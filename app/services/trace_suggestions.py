"""Trace suggestions (issue 13, item 5): the needs and published proposal summaries most like a
requirement, offered to its writer as trace links, one click to accept.

The text similarity is the one of the similar needs (`app/services/text`: Norwegian stems and
character n-grams). Every suggestion shown is recorded (`Suggestion`, kind `trace_need` or
`trace_proposal`, with its score and the requirement it was shown on), and so is what came of it:
accepting creates the link (through `trace.add_link`, with a default relation and rationale the
writer may edit), dismissing keeps it from being offered to them again for that requirement.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.i18n import N_, gettext
from app.models import Need, Proposal, Requirement, Suggestion, TraceLink
from app.models.base import id_of
from app.models.proposal import ProposalStatus
from app.models.suggestion import SuggestionKind, SuggestionOutcome
from app.models.trace import TraceLinkCreate, TraceRelation, TraceSource
from app.services import permissions, requirements, similar_needs, suggestions, trace
from app.services.errors import Invalid
from app.services.permissions import ProjectRelation
from app.services.text.similarity import Index
from app.services.trace_sources import SourceItem, item

THRESHOLD = 0.15  # a requirement is worded unlike a need: a little below the similar needs' 0.2
PER_KIND = 3
# A requirement is longer than a need's title: its heaviest features only, so that a long text
# answers as fast as a typed need (docs/performance.md, "Trace suggestions").
MAX_FEATURES = 32
KINDS = (SuggestionKind.trace_need, SuggestionKind.trace_proposal)
SOURCE_OF = {
    SuggestionKind.trace_need: TraceSource.need,
    SuggestionKind.trace_proposal: TraceSource.proposal,
}
RELATION_OF = {
    SuggestionKind.trace_need: TraceRelation.derived_from,
    SuggestionKind.trace_proposal: TraceRelation.motivated_by,
}
RATIONALE_OF = {
    SuggestionKind.trace_need: N_("The requirement answers the need “%(title)s”."),
    SuggestionKind.trace_proposal: N_(
        "The proposal “%(title)s” showed what the market can offer here."
    ),
}
WRONG_REQUIREMENT = N_("That suggestion was for another requirement.")


@dataclass(frozen=True)
class TraceSuggestion:
    """A suggested link as its writer sees it: the recorded suggestion, the input, the defaults."""

    suggestion: Suggestion
    source: SourceItem
    relation: TraceRelation
    rationale: str


def _text(requirement: Requirement) -> str:
    return f"{requirement.title}\n{requirement.text}"


def _proposals(session: Session, rel: ProjectRelation, text: str) -> list[tuple[Proposal, float]]:
    """The project's published proposal summaries most like the text, best first."""
    query = select(Proposal).where(
        col(Proposal.project_id) == rel.project.id,
        col(Proposal.summary_published).is_(True),
        col(Proposal.status) != ProposalStatus.withdrawn,
    )
    found = {id_of(p): p for p in session.exec(query).all()}
    index = Index.build((key, f"{p.title}\n{p.summary}") for key, p in found.items())
    ranked = index.most_similar(
        text, min_score=THRESHOLD, limit=PER_KIND * 3, max_features=MAX_FEATURES
    )
    return [(found[key], score) for key, score in ranked]


def _candidates(
    session: Session, rel: ProjectRelation, requirement: Requirement
) -> list[tuple[SuggestionKind, object, float]]:
    text = _text(requirement)
    needs = similar_needs.similar(
        session,
        rel=rel,
        text=text,
        min_score=THRESHOLD,
        limit=PER_KIND * 3,
        max_features=MAX_FEATURES,
    )
    wanted = [c.need_id for c in needs]
    rows = {id_of(n): n for n in session.exec(select(Need).where(col(Need.id).in_(wanted))).all()}
    found: list[tuple[SuggestionKind, object, float]] = [
        (SuggestionKind.trace_need, rows[c.need_id], c.score) for c in needs if c.need_id in rows
    ]
    found += [
        (SuggestionKind.trace_proposal, p, round(s, 3)) for p, s in _proposals(session, rel, text)
    ]
    return found


def _earlier(
    session: Session, user_id: int, requirement: Requirement
) -> dict[tuple[SuggestionKind, int], Suggestion]:
    """The person's earlier trace suggestions on the requirement, by what they suggested."""
    query = select(Suggestion).where(
        col(Suggestion.user_id) == user_id,
        col(Suggestion.requirement_id) == requirement.id,
        col(Suggestion.kind).in_(KINDS),
    )
    return {(row.kind, _suggested_id(row)): row for row in session.exec(query).all()}


def _suggested_id(row: Suggestion) -> int:
    return (row.need_id if row.kind == SuggestionKind.trace_need else row.proposal_id) or 0


def suggest(
    session: Session, *, rel: ProjectRelation, requirement: Requirement
) -> list[TraceSuggestion]:
    """The links to suggest to a writer of the specification now, recorded as shown.

    Inputs already linked, and those the writer dismissed or accepted for this requirement, are
    left out; one shown again while unanswered keeps its row, with the latest score.
    """
    if rel.user is None or not permissions.allows(
        lambda r: permissions.ensure_can_write_specification(
            r, co_author=requirements.is_co_author(session, rel=r)
        ),
        rel,
    ):
        return []
    linked = trace.linked_sources(session, requirement_id=id_of(requirement))
    earlier = _earlier(session, id_of(rel.user), requirement)
    shown: list[TraceSuggestion] = []
    counts = dict.fromkeys(KINDS, 0)
    for kind, row, score in _candidates(session, rel, requirement):
        source = item(SOURCE_OF[kind], row)
        before = earlier.get((kind, source.id))
        answered = before is not None and before.outcome != SuggestionOutcome.none
        if (source.kind, source.id) in linked or answered or counts[kind] >= PER_KIND:
            continue
        counts[kind] += 1
        suggestion = before or Suggestion(
            project_id=id_of(rel.project),
            kind=kind,
            requirement_id=id_of(requirement),
            need_id=source.id if kind == SuggestionKind.trace_need else None,
            proposal_id=source.id if kind == SuggestionKind.trace_proposal else None,
            score=score,
            user_id=id_of(rel.user),
        )
        suggestion.score = score
        session.add(suggestion)
        rationale = gettext(RATIONALE_OF[kind], title=source.title)
        shown.append(TraceSuggestion(suggestion, source, RELATION_OF[kind], rationale))
    session.flush()
    return shown


def _own(
    session: Session, rel: ProjectRelation, requirement: Requirement, suggestion_id: int
) -> Suggestion:
    found = suggestions.own_open(session, rel=rel, suggestion_id=suggestion_id, kinds=KINDS)
    if found.requirement_id != requirement.id:
        raise Invalid(WRONG_REQUIREMENT)
    return found


def accept(
    session: Session,
    *,
    rel: ProjectRelation,
    requirement: Requirement,
    suggestion_id: int,
    rationale: str | None = None,
) -> TraceLink:
    """The writer accepts a suggested link: it is created (with the default or their rationale)."""
    suggestion = _own(session, rel, requirement, suggestion_id)
    kind = SuggestionKind(suggestion.kind)
    source_id = _suggested_id(suggestion)
    if rationale is None or not rationale.strip():
        row = trace.source_row(session, rel=rel, kind=SOURCE_OF[kind], source_id=source_id)
        rationale = gettext(RATIONALE_OF[kind], title=item(SOURCE_OF[kind], row).title)
    data = TraceLinkCreate(
        source_type=SOURCE_OF[kind],
        source_id=source_id,
        relation=RELATION_OF[kind],
        rationale=rationale,
    )
    link = trace.add_link(session, rel=rel, requirement=requirement, data=data)
    suggestions.answer(session, rel=rel, suggestion=suggestion, outcome=SuggestionOutcome.accepted)
    return link


def dismiss(
    session: Session, *, rel: ProjectRelation, requirement: Requirement, suggestion_id: int
) -> Suggestion:
    """The writer says the suggested input did not shape the requirement."""
    suggestion = _own(session, rel, requirement, suggestion_id)
    return suggestions.answer(
        session, rel=rel, suggestion=suggestion, outcome=SuggestionOutcome.dismissed
    )
