"""Merge suggestions on a need's page, for the project's procurers (issue 13, item 5).

On a need's page a procurer sees the project's needs most like it (`similar_needs`: those they
may see, not the need itself, none already merged, no pair a procurer of the project has
called "not the same"). Each showing is recorded (`Suggestion`, kind `merge_need`: `need_id`
the suggested need, `shown_on_need_id` the page's need). Merging is the procurers' existing
decision (`needs.set_status` to merged, with its reason, audit entry and live push): the
suggested need is merged into the page's need. "Not the same" is recorded as dismissed. Anyone
else gets no suggestions and no sign that there are any.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from app.models import Need, Suggestion
from app.models.base import NeedStatus, id_of
from app.models.need import NeedStatusChange
from app.models.suggestion import SuggestionKind, SuggestionOutcome
from app.services import needs, permissions, similar_needs, suggestions
from app.services.errors import Conflict, NotFound
from app.services.permissions import ProjectRelation
from app.services.similar_needs import Candidate

# On the page, a few: enough to spot a duplicate, not a list to read.
SHOWN = 3


@dataclass(frozen=True)
class MergeSuggestion:
    """A need like the page's need, and the recorded suggestion to merge it in."""

    candidate: Candidate
    suggestion: Suggestion


def _dismissed_with(session: Session, need_id: int) -> set[int]:
    """The needs a procurer of the project said are not the same as this one (either way)."""
    query = select(Suggestion.need_id, Suggestion.shown_on_need_id).where(
        col(Suggestion.kind) == SuggestionKind.merge_need,
        col(Suggestion.outcome) == SuggestionOutcome.dismissed,
        or_(col(Suggestion.need_id) == need_id, col(Suggestion.shown_on_need_id) == need_id),
    )
    return {b if a == need_id else a for a, b in session.exec(query).all() if a and b} - {need_id}


def offered_to(rel: ProjectRelation) -> bool:
    """Whether a need page offers this person merge suggestions: the project's procurers. Each
    one shown is recorded as shown to them, so their need page is theirs alone (never shared)."""
    return rel.is_procurer and rel.user is not None


def show(session: Session, *, rel: ProjectRelation, need: Need) -> list[MergeSuggestion]:
    """The needs a procurer could merge into this one, each recorded as shown (none for anyone
    but the project's procurers, and none on a merged need)."""
    if not offered_to(rel) or need.status == NeedStatus.merged:
        return []
    need_id = id_of(need)
    unwanted = _dismissed_with(session, need_id) | {need_id}
    found = [
        candidate
        for candidate in similar_needs.similar(
            session, rel=rel, text=f"{need.title}\n{need.problem}", limit=SHOWN + len(unwanted)
        )
        if candidate.need_id not in unwanted
    ][:SHOWN]
    shown = suggestions.show(
        session,
        rel=rel,
        candidates=found,
        kind=SuggestionKind.merge_need,
        shown_on_need_id=need_id,
    )
    return [
        MergeSuggestion(candidate=candidate, suggestion=row)
        for candidate, row in zip(found, shown, strict=True)
    ]


def _own_merge_suggestion(
    session: Session, *, rel: ProjectRelation, suggestion_id: int
) -> Suggestion:
    permissions.ensure_procurer(rel)
    suggestion = suggestions.own_open(
        session, rel=rel, suggestion_id=suggestion_id, kinds=(SuggestionKind.merge_need,)
    )
    if suggestion.kind != SuggestionKind.merge_need or suggestion.shown_on_need_id is None:
        raise NotFound("No such suggestion.")
    return suggestion


def merge(session: Session, *, rel: ProjectRelation, suggestion_id: int, reason: str) -> Need:
    """Merge the suggested need into the need it was suggested on (the procurers' decision, with
    its reason and audit entry); the suggestion is recorded as accepted. Returns the kept need."""
    suggestion = _own_merge_suggestion(session, rel=rel, suggestion_id=suggestion_id)
    merged = session.get(Need, suggestion.need_id)
    kept = session.get(Need, suggestion.shown_on_need_id)
    if merged is None or kept is None:
        raise NotFound("No such need.")
    if merged.status == NeedStatus.merged:
        raise Conflict("That need has already been merged.")
    change = NeedStatusChange(status=NeedStatus.merged, merged_into_id=kept.id, reason=reason)
    needs.set_status(session, rel=rel, need=merged, change=change)
    suggestions.answer(session, rel=rel, suggestion=suggestion, outcome=SuggestionOutcome.accepted)
    return kept


def dismiss(session: Session, *, rel: ProjectRelation, suggestion_id: int) -> Suggestion:
    """ "Not the same need": the pair is not suggested again in the project."""
    suggestion = _own_merge_suggestion(session, rel=rel, suggestion_id=suggestion_id)
    return suggestions.answer(
        session, rel=rel, suggestion=suggestion, outcome=SuggestionOutcome.dismissed
    )
