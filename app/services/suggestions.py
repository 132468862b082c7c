"""Every suggestion the platform makes is recorded: shown, then accepted or dismissed (issue 13).

Showing is not an act of the person (the platform did it, many times a minute while someone
types), so it writes only its `Suggestion` rows: no participation event, no audit entry, and the
project's content version stays put (nothing any page shows changed). Accepting (supporting the
suggested need from the list) and dismissing ("not the same") are the person's acts on the
project: they go through `contribution.record` with their verbs, which are not contributions
(`Verb.is_contribution`): the support given is the contribution.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.models import Need, Suggestion, User
from app.models.base import id_of, utcnow
from app.models.suggestion import SuggestionKind, SuggestionOutcome
from app.models.vocabulary import Verb
from app.services import contribution, permissions
from app.services.errors import Conflict, Invalid, NotFound
from app.services.permissions import ProjectRelation
from app.services.similar_needs import Candidate


def show(
    session: Session,
    *,
    rel: ProjectRelation,
    candidates: Sequence[Candidate],
    kind: SuggestionKind = SuggestionKind.similar_need,
    shown_on_need_id: int | None = None,
) -> list[Suggestion]:
    """Record that these needs were suggested to the relation's person (or a visitor): as
    similar to what they type, or (`merge_need`) for merging into the need `shown_on_need_id`.

    A need shown again to the same person (on the same need) while it is still unanswered is the
    same suggestion (typing on shows it after every pause): its row is kept, with the latest
    score. A visitor's are not told apart, so each showing is a row of its own.
    """
    user_id = rel.user.id if rel.user is not None else None
    open_ones: dict[int, Suggestion] = {}
    if user_id is not None and candidates:
        query = select(Suggestion).where(
            col(Suggestion.user_id) == user_id,
            col(Suggestion.kind) == kind,
            col(Suggestion.outcome) == SuggestionOutcome.none,
            col(Suggestion.shown_on_need_id) == shown_on_need_id
            if shown_on_need_id is not None
            else col(Suggestion.shown_on_need_id).is_(None),
            col(Suggestion.need_id).in_([c.need_id for c in candidates]),
        )
        open_ones = {row.need_id or 0: row for row in session.exec(query).all()}
    shown = []
    for candidate in candidates:
        row = open_ones.get(candidate.need_id) or Suggestion(
            project_id=id_of(rel.project),
            kind=kind,
            need_id=candidate.need_id,
            shown_on_need_id=shown_on_need_id,
            score=candidate.score,
            user_id=user_id,
        )
        row.score = candidate.score
        shown.append(row)
    session.add_all(shown)
    session.flush()
    return shown


def find(session: Session, *, user: User | None, suggestion_id: int) -> Suggestion:
    """The person's own suggestion (404 for anyone else's, and for visitors)."""
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or user is None or suggestion.user_id != user.id:
        raise NotFound("No such suggestion.")
    return suggestion


def own_open(
    session: Session,
    *,
    rel: ProjectRelation,
    suggestion_id: int,
    kinds: Sequence[SuggestionKind] = (SuggestionKind.similar_need,),
) -> Suggestion:
    """The person's own suggestion of these kinds in this project, still unanswered (404 for
    another's)."""
    user = permissions.require_user(rel.user)
    suggestion = session.get(Suggestion, suggestion_id)
    if (
        suggestion is None
        or suggestion.user_id != user.id
        or suggestion.project_id != id_of(rel.project)
        or suggestion.kind not in kinds
    ):
        raise NotFound("No such suggestion.")
    if suggestion.outcome != SuggestionOutcome.none:
        raise Conflict("You have already answered this suggestion.")
    return suggestion


def accept(session: Session, *, rel: ProjectRelation, suggestion_id: int, need: Need) -> Suggestion:
    """The person supported the suggested need from the list (after `needs.support_need`)."""
    suggestion = own_open(session, rel=rel, suggestion_id=suggestion_id)
    if suggestion.need_id != need.id:
        raise Invalid("That suggestion was for another need.")
    return answer(session, rel=rel, suggestion=suggestion, outcome=SuggestionOutcome.accepted)


def dismiss(session: Session, *, rel: ProjectRelation, suggestion_id: int) -> Suggestion:
    """The person said the suggested need is not the same as theirs."""
    suggestion = own_open(session, rel=rel, suggestion_id=suggestion_id)
    return answer(session, rel=rel, suggestion=suggestion, outcome=SuggestionOutcome.dismissed)


def answer(
    session: Session, *, rel: ProjectRelation, suggestion: Suggestion, outcome: SuggestionOutcome
) -> Suggestion:
    """Record what the person did with the suggestion, as their act on the project."""
    verb = (
        Verb.accepted_suggestion
        if outcome == SuggestionOutcome.accepted
        else Verb.dismissed_suggestion
    )
    suggestion.outcome = outcome
    suggestion.decided_at = utcnow()
    contribution.record(session, rel=rel, on=suggestion, verb=verb)
    return suggestion
