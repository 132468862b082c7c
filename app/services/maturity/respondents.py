"""A round's respondents as those who run it see them: names and progress, who can still be
invited, withdrawing an unanswered invitation, and what an e-mailed invitation offers.

The round's own rules (opening, inviting, answering, closing) are `rounds.py`; who may do what is
`app/services/permissions/maturity.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import (
    MaturityAnswer,
    MaturityRespondent,
    MaturityRound,
    Membership,
    Organisation,
    User,
)
from app.models.base import id_of
from app.models.mail import LinkPurpose
from app.models.membership import MembershipStatus
from app.models.vocabulary import AuditAction
from app.services import contribution, links, permissions
from app.services.contribution import Change
from app.services.errors import Conflict, NotFound
from app.services.maturity.rounds import NO_SUCH_INVITATION, answered_count
from app.services.notifications import fanout as notifications
from app.services.permissions import RoundRelation
from app.services.permissions.maturity import ROUND_CLOSED

NO_SUCH_RESPONDENT = N_("No such respondent in this round.")
ALREADY_ANSWERED = N_(
    "This person has started answering; an invitation with answers cannot be removed."
)


@dataclass(frozen=True)
class RespondentView:
    """A respondent as the round's owners see them: who, from which unit, how far they got."""

    respondent: MaturityRespondent
    name: str
    answered: int


def respondents(session: Session, *, rel: RoundRelation) -> list[RespondentView]:
    """The round's respondents with their names and progress (the round's owners only)."""
    permissions.ensure_runs_round(rel)
    rows = session.exec(
        select(MaturityRespondent, User)
        .join(User, col(User.id) == MaturityRespondent.user_id, isouter=True)
        .where(MaturityRespondent.round_id == rel.round.id)
        .order_by(col(MaturityRespondent.invited_at), col(MaturityRespondent.id))
    ).all()
    counts = answered_count(session, [id_of(r) for r, _user in rows])
    return [
        RespondentView(
            respondent=respondent,
            name=user.display_name if user is not None else (respondent.email or ""),
            answered=counts.get(id_of(respondent), 0),
        )
        for respondent, user in rows
    ]


def view_of(session: Session, respondent: MaturityRespondent) -> RespondentView:
    """One respondent with their name and progress (for an answer about that one person)."""
    user = session.get(User, respondent.user_id) if respondent.user_id is not None else None
    answered = answered_count(session, [id_of(respondent)]).get(id_of(respondent), 0)
    name = user.display_name if user is not None else (respondent.email or "")
    return RespondentView(respondent=respondent, name=name, answered=answered)


def invitable_members(session: Session, *, rel: RoundRelation) -> list[User]:
    """The municipality's active members not yet invited to the round, by name (owners only)."""
    permissions.ensure_runs_round(rel)
    invited = select(col(MaturityRespondent.user_id)).where(
        MaturityRespondent.round_id == rel.round.id,
        col(MaturityRespondent.user_id).is_not(None),
    )
    return list(
        session.exec(
            select(User)
            .where(
                col(User.id).in_(
                    select(col(Membership.user_id)).where(
                        Membership.organisation_id == rel.round.organisation_id,
                        Membership.status == MembershipStatus.active,
                    )
                ),
                col(User.id).not_in(invited),
            )
            .order_by(col(User.display_name), col(User.id))
        ).all()
    )


def remove_respondent(
    session: Session, *, rel: RoundRelation, respondent_id: int
) -> MaturityRespondent:
    """Withdraw an invitation that has no answers yet, while the round is open (audited)."""
    actor = permissions.ensure_runs_round(rel)
    respondent = session.get(MaturityRespondent, respondent_id)
    if respondent is None or respondent.round_id != rel.round.id:
        raise NotFound(NO_SUCH_RESPONDENT)
    if not permissions.round_is_open(rel.round):
        raise Conflict(ROUND_CLOSED)
    answered = session.exec(
        select(MaturityAnswer.id).where(MaturityAnswer.respondent_id == respondent.id)
    ).first()
    if answered is not None:
        raise Conflict(ALREADY_ANSWERED)
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=respondent,
        change=Change(
            AuditAction.maturity_respondent_removed,
            before={
                "round": rel.round.id,
                "unit": respondent.unit,
                "email": respondent.email or "",
            },
            after=None,
        ),
    )
    notifications.forget_invitation(session, respondent=respondent)
    if respondent.user_id is not None:
        contribution.notifications_changed(session, user_id=respondent.user_id)
    session.delete(respondent)
    session.flush()
    return respondent


@dataclass(frozen=True)
class Invitation:
    """What an e-mailed invitation offers: which round of which municipality, from which unit."""

    respondent: MaturityRespondent
    round: MaturityRound
    organisation: Organisation


def open_invitation(session: Session, *, token: str) -> Invitation:
    """The invitation behind a mailed link, for the page that asks to accept it (no change)."""
    link = links.peek(session, token=token, purpose=LinkPurpose.assessment)
    respondent = session.get(MaturityRespondent, int(link.payload or 0))
    if respondent is None:
        raise NotFound(NO_SUCH_INVITATION)
    round_ = session.get(MaturityRound, respondent.round_id)
    organisation = session.get(Organisation, round_.organisation_id) if round_ else None
    if round_ is None or organisation is None:  # pragma: no cover - the foreign keys keep them
        raise NotFound(NO_SUCH_INVITATION)
    return Invitation(respondent=respondent, round=round_, organisation=organisation)


@dataclass(frozen=True)
class RoundCounts:
    """How far a round has come: respondents invited, those who answered one indicator or more,
    and those who said they are done."""

    invited: int = 0
    answering: int = 0
    submitted: int = 0


def round_counts(session: Session, round_ids: Sequence[int]) -> dict[int, RoundCounts]:
    """Each round's counts of respondents (numbers only, no names)."""
    if not round_ids:
        return {}
    rows = session.exec(
        select(MaturityRespondent).where(col(MaturityRespondent.round_id).in_(round_ids))
    ).all()
    answering = answered_count(session, [id_of(r) for r in rows])
    found: dict[int, RoundCounts] = {}
    for row in rows:
        seen = found.get(row.round_id, RoundCounts())
        found[row.round_id] = RoundCounts(
            invited=seen.invited + 1,
            answering=seen.answering + (1 if answering.get(id_of(row)) else 0),
            submitted=seen.submitted + (1 if row.submitted_at is not None else 0),
        )
    return found
