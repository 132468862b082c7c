"""Development actions a municipality takes from a round's results, and what came of them.

Those who run the round (`permissions.ensure_runs_round`) turn a suggested measure of the model,
or an idea of their own, into an action on one dimension (and maybe one indicator) of the round's
model version, with an owner among the municipality's active members, a due date and a status;
later they write what came of it. Every addition and change is audited on the municipality's
record. The next round shows the earlier rounds' actions beside its own results, so a round
starts from what was done.

Who sees actions: those who run the round see them all, with their owners. Respondents and
researchers see the round's actions, and the earlier rounds', once the round has closed (when
they see its results), without the owners' names; before that they see none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_
from sqlmodel import Session, col, select

from app import i18n
from app.i18n import N_
from app.maturity.model import Dimension, Indicator, Model, Text, load_model
from app.models import MaturityAction, MaturityRound, Membership, User
from app.models.base import id_of, utcnow
from app.models.maturity import ActionCreate, ActionStatus, ActionUpdate
from app.models.membership import MembershipStatus
from app.models.vocabulary import AuditAction, label_of
from app.services import contribution, permissions
from app.services.contribution import Change
from app.services.errors import Invalid, NotFound
from app.services.permissions import RoundRelation

NO_SUCH_ACTION = N_("No such development action.")
NO_DIMENSION = N_("Choose the dimension the action develops.")
UNKNOWN_DIMENSION = N_("The capability model of this round has no dimension %(key)s.")
UNKNOWN_INDICATOR = N_("The capability model of this round has no indicator %(key)s.")
INDICATOR_ELSEWHERE = N_("The indicator %(key)s does not belong to the dimension chosen.")
OWNER_NOT_MEMBER = N_("The owner must be an active member of the municipality.")
ORGANISATION_INACTIVE = N_("This organisation is no longer active on the platform.")


@dataclass(frozen=True)
class ActionView:
    """An action as a reader sees it: the owner's name only for those who run the round."""

    action: MaturityAction
    round_title: str
    round_opened_at: datetime
    owner_name: str | None  # None: no owner, or the reader may not know who
    dimension: Text | None  # the titles in the round's model version
    indicator: Text | None

    @property
    def id(self) -> int:
        return id_of(self.action)

    @property
    def title(self) -> str:
        return self.action.title

    @property
    def status(self) -> ActionStatus:
        return ActionStatus(self.action.status)

    @property
    def due(self) -> date | None:
        return self.action.due

    @property
    def outcome(self) -> str | None:
        return self.action.outcome

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return label_of(self.status)

    @property
    def topic(self) -> str:
        """What the action develops, in the current language: "dimension – indicator"."""
        lang = i18n.current_language()
        parts = [t.in_(lang) for t in (self.dimension, self.indicator) if t is not None]
        return " – ".join(parts) or self.action.dimension_key


@dataclass(frozen=True)
class Measure:
    """A measure the model suggests, as the form to add an action starts from it."""

    dimension: Dimension
    indicator: Indicator
    number: int  # 1-based, in the indicator's list
    text: str


def shows_owners(rel: RoundRelation) -> bool:
    """Only those who run the round see who owns an action."""
    return rel.runs_round


def sees_actions(rel: RoundRelation) -> bool:
    """Those who run the round at once; respondents and researchers with the results."""
    return rel.runs_round or rel.sees_results


def find_action(
    session: Session, *, user: User | None, action_id: int
) -> tuple[MaturityAction, RoundRelation]:
    """The action and the user's relation to its round; 404 for one the user may not see."""
    action = session.get(MaturityAction, action_id)
    if action is None:
        permissions.require_user(user)
        raise NotFound(NO_SUCH_ACTION)
    try:
        rel = permissions.round_relation(session, user, action.round_id)
    except NotFound:
        raise NotFound(NO_SUCH_ACTION) from None
    if not sees_actions(rel):
        raise NotFound(NO_SUCH_ACTION)
    return action, rel


def add_action(session: Session, *, rel: RoundRelation, data: ActionCreate) -> MaturityAction:
    """Those who run the round add an action on a dimension (or indicator) of its model."""
    actor = _ensure_may_change(rel)
    dimension, indicator = _topic(load_model(rel.round.model_version), data)
    _check_owner(session, rel, data.owner_id)
    action = MaturityAction(
        round_id=id_of(rel.round),
        organisation_id=rel.round.organisation_id,
        dimension_key=dimension.key,
        indicator_key=indicator.key if indicator else None,
        title=data.title,
        description=data.description,
        owner_id=data.owner_id,
        due=data.due,
        status=data.status,
        created_by_id=id_of(actor),
    )
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=action,
        change=Change(AuditAction.maturity_action_added, before=None, after=_state(action)),
    )
    return action


def change_action(
    session: Session, *, rel: RoundRelation, action: MaturityAction, data: ActionUpdate
) -> MaturityAction:
    """Change an action's title, owner, due date, status or outcome; the audit keeps what
    changed (nothing is recorded when nothing did)."""
    actor = _ensure_may_change(rel)
    if action.round_id != rel.round.id:  # pragma: no cover - callers pass the action's round
        raise NotFound(NO_SUCH_ACTION)
    wanted = data.model_dump(exclude_unset=True)
    if "title" in wanted and wanted["title"] is None:
        del wanted["title"]
    for name in ("owner_id", "due", "status"):
        if name in wanted and wanted[name] is None:
            del wanted[name]
    for name in ("description", "outcome"):
        if name in wanted:
            wanted[name] = wanted[name] or None
    if "owner_id" in wanted and wanted["owner_id"] != action.owner_id:
        _check_owner(session, rel, wanted["owner_id"])
    before, after = {}, {}
    for name, value in wanted.items():
        if getattr(action, name) != value:
            before[name] = _plain(getattr(action, name))
            after[name] = _plain(value)
            setattr(action, name, value)
    if not after:
        return action
    action.updated_at = utcnow()
    contribution.record_for_organisation(
        session,
        actor=actor,
        organisation=rel.organisation,
        on=action,
        change=Change(AuditAction.maturity_action_changed, before=before, after=after),
    )
    return action


def actions_of_round(session: Session, *, rel: RoundRelation) -> Sequence[ActionView]:
    """The actions chosen from this round's results, by due date (none for a reader who does
    not see them yet)."""
    if not sees_actions(rel):
        return []
    return _views(session, rel, col(MaturityAction.round_id) == rel.round.id)


def earlier_actions(session: Session, *, rel: RoundRelation) -> Sequence[ActionView]:
    """The actions from the municipality's rounds opened before this one, newest round first,
    with their status and outcome: what was done since."""
    if not sees_actions(rel):
        return []
    earlier = and_(
        col(MaturityAction.organisation_id) == rel.round.organisation_id,
        col(MaturityRound.opened_at) < rel.round.opened_at,
        col(MaturityRound.id) != rel.round.id,
    )
    return _views(session, rel, earlier)


def owner_choices(session: Session, *, rel: RoundRelation) -> list[tuple[int, str]]:
    """The municipality's active members an action may be given to, by name."""
    rows = session.exec(
        select(User.id, User.display_name)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.organisation_id == rel.round.organisation_id,
            Membership.status == MembershipStatus.active,
        )
        .distinct()
        .order_by(col(User.display_name), col(User.id))
    ).all()
    return [(user_id or 0, name) for user_id, name in rows]


def suggested_measure(
    model: Model, *, dimension: str | None, indicator: str | None, number: int | None
) -> Measure | None:
    """The model's measure the form starts from (`?indicator=…&measure=N`); None for a key or
    number the round's model does not have."""
    if not indicator or number is None:
        return None
    try:
        found = model.indicator(indicator)
        home = model.dimension_of(indicator)
    except KeyError:
        return None
    if dimension and dimension != home.key:
        return None
    if not 1 <= number <= len(found.measures):
        return None
    text = found.measures[number - 1].in_(i18n.current_language())
    return Measure(home, found, number, text)


# ---- helpers -----------------------------------------------------------------------------------


def _ensure_may_change(rel: RoundRelation) -> User:
    actor = permissions.ensure_runs_round(rel)
    if rel.organisation.deactivated_at is not None:
        raise Invalid(ORGANISATION_INACTIVE)
    return actor


def _topic(model: Model, data: ActionCreate) -> tuple[Dimension, Indicator | None]:
    """The dimension and indicator named, checked against the round's model version."""
    indicator = None
    if data.indicator is not None:
        try:
            indicator = model.indicator(data.indicator)
        except KeyError:
            raise Invalid(UNKNOWN_INDICATOR, key=data.indicator) from None
        home = model.dimension_of(indicator.key)
        if data.dimension is not None and data.dimension != home.key:
            raise Invalid(INDICATOR_ELSEWHERE, key=indicator.key)
        return home, indicator
    if data.dimension is None:
        raise Invalid(NO_DIMENSION)
    for dimension in model.dimensions():
        if dimension.key == data.dimension:
            return dimension, None
    raise Invalid(UNKNOWN_DIMENSION, key=data.dimension)


def _check_owner(session: Session, rel: RoundRelation, owner_id: int) -> None:
    member = session.exec(
        select(Membership.id).where(
            Membership.user_id == owner_id,
            Membership.organisation_id == rel.round.organisation_id,
            Membership.status == MembershipStatus.active,
        )
    ).first()
    if member is None:
        raise Invalid(OWNER_NOT_MEMBER)


def _plain(value: Any) -> Any:
    """A value as the audit log stores it (JSON)."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def _state(action: MaturityAction) -> dict[str, Any]:
    """What the audit records of a new action."""
    return {
        "round": action.round_id,
        "dimension": action.dimension_key,
        "indicator": action.indicator_key,
        "title": action.title,
        "owner_id": action.owner_id,
        "due": _plain(action.due),
        "status": action.status,
    }


def _views(session: Session, rel: RoundRelation, where: Any) -> list[ActionView]:
    """The actions matching `where` with their round and owner, in one query."""
    rows = session.execute(
        sa.select(
            MaturityAction,
            col(MaturityRound.title),
            col(MaturityRound.opened_at),
            col(MaturityRound.model_version),
            col(User.display_name),
        )
        .join(MaturityRound, col(MaturityRound.id) == MaturityAction.round_id)
        .outerjoin(User, col(User.id) == MaturityAction.owner_id)
        .where(where)
        .order_by(
            col(MaturityRound.opened_at).desc(),
            col(MaturityAction.due).is_(None),
            col(MaturityAction.due),
            col(MaturityAction.id),
        )
    ).all()
    named = shows_owners(rel)
    return [
        ActionView(
            action,
            title,
            opened_at,
            name if named else None,
            *_titles(version, action.dimension_key, action.indicator_key),
        )
        for action, title, opened_at, version, name in rows
    ]


def _titles(version: int, dimension: str, indicator: str | None) -> tuple[Text | None, Text | None]:
    """The dimension's and indicator's titles in the model version of the action's round."""
    model = load_model(version)
    dimension_title = next((d.title for d in model.dimensions() if d.key == dimension), None)
    indicator_title = None
    if indicator is not None:
        try:
            indicator_title = model.indicator(indicator).title
        except KeyError:
            indicator_title = None
    return dimension_title, indicator_title
