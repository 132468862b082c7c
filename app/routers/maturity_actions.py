"""Development actions from a self-assessment round: their page, its forms and the JSON API.

Rules live in `app/services/maturity/actions.py`; this module parses, calls and renders.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import i18n
from app.db import SessionDep
from app.maturity.model import load_model
from app.models.base import Id
from app.models.maturity import (
    ACTION_STATUS_LABELS,
    ActionCreate,
    ActionPublic,
    ActionStatus,
    ActionUpdate,
)
from app.services import permissions
from app.services.errors import Invalid
from app.services.maturity import actions
from app.services.maturity.actions import ActionView
from app.services.permissions import RoundRelation
from app.web import (
    CurrentUser,
    FormView,
    api_router,
    detached,
    page_router,
    parse,
    redirect,
    refuse,
    render,
)

pages = page_router()
api = api_router("maturity")

# Refusals about what the action develops, or who owns it, stand beside those fields.
TOPIC_REFUSALS = frozenset(
    {
        actions.NO_DIMENSION,
        actions.UNKNOWN_DIMENSION,
        actions.UNKNOWN_INDICATOR,
        actions.INDICATOR_ELSEWHERE,
    }
)


def _public(view: ActionView) -> ActionPublic:
    action = view.action
    return ActionPublic(
        id=view.id,
        round_id=action.round_id,
        round_title=view.round_title,
        dimension=action.dimension_key,
        indicator=action.indicator_key,
        title=action.title,
        description=action.description,
        owner_id=action.owner_id if view.owner_name is not None else None,
        owner_name=view.owner_name,
        due=action.due,
        status=ActionStatus(action.status),
        outcome=action.outcome,
        created_at=action.created_at,
        updated_at=action.updated_at,
    )


def _view_of(session: Session, rel: RoundRelation, action_id: int) -> ActionView:
    """The action as the caller sees it, after a change."""
    return next(v for v in actions.actions_of_round(session, rel=rel) if v.id == action_id)


@api.get("/maturity/rounds/{round_id}/actions")
def list_actions(session: SessionDep, user: CurrentUser, round_id: Id) -> list[ActionPublic]:
    """The round's development actions (owners' names only for those who run the round)."""
    rel = permissions.round_relation(session, user, round_id)
    permissions.ensure_sees_results(rel)
    return [_public(v) for v in actions.actions_of_round(session, rel=rel)]


@api.post("/maturity/rounds/{round_id}/actions", status_code=201)
def add_action(
    session: SessionDep, user: CurrentUser, round_id: Id, data: ActionCreate
) -> ActionPublic:
    """Those who run the round add a development action."""
    rel = permissions.round_relation(session, user, round_id)
    action = actions.add_action(session, rel=rel, data=data)
    return _public(_view_of(session, rel, action.id or 0))


@api.patch("/maturity/actions/{action_id}")
def change_action(
    session: SessionDep, user: CurrentUser, action_id: Id, data: ActionUpdate
) -> ActionPublic:
    """Change an action's status, outcome, owner, due date or title."""
    action, rel = actions.find_action(session, user=user, action_id=action_id)
    actions.change_action(session, rel=rel, action=action, data=data)
    return _public(_view_of(session, rel, action_id))


# ---- pages -------------------------------------------------------------------------------------


def _page_context(
    session: Session,
    rel: RoundRelation,
    *,
    dimension: str | None = None,
    indicator: str | None = None,
    measure: int | None = None,
) -> dict[str, object]:
    """What the actions page shows: the lists, and for those who run the round the forms."""
    model = load_model(rel.round.model_version)
    runs = rel.runs_round and rel.organisation.deactivated_at is None
    suggested = actions.suggested_measure(
        model, dimension=dimension, indicator=indicator, number=measure
    )
    topic = ""
    if suggested is not None:
        topic = f"{suggested.dimension.key}:{suggested.indicator.key}"
    elif dimension and any(d.key == dimension for d in model.dimensions()):
        topic = dimension
    return {
        "round": rel.round,
        "organisation": rel.organisation,
        "model": model,
        "actions": actions.actions_of_round(session, rel=rel),
        "earlier_actions": actions.earlier_actions(session, rel=rel),
        "runs_round": runs,
        "owners": actions.owner_choices(session, rel=rel) if runs else [],
        "statuses": list(ActionStatus),
        "status_labels": ACTION_STATUS_LABELS,
        "suggested": suggested,
        "form": {"topic": topic, "title": suggested.text[:200] if suggested else ""},
        "ActionCreate": ActionCreate,
        "ActionUpdate": ActionUpdate,
    }


@pages.get("/maturity/rounds/{round_id}/actions")
def actions_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    round_id: Id,
    dimension: Annotated[str | None, Query(max_length=64)] = None,
    indicator: Annotated[str | None, Query(max_length=64)] = None,
    measure: Annotated[int | None, Query(ge=1, le=50)] = None,
) -> Response:
    """The round's actions and the earlier rounds'; the form to add one starts from a suggested
    measure when the results page links here with one."""
    rel = permissions.round_relation(session, user, round_id)
    permissions.ensure_sees_results(rel)
    context = _page_context(session, rel, dimension=dimension, indicator=indicator, measure=measure)
    return render(request, "maturity/actions.html", context)


def _topic(topic: str) -> tuple[str | None, str | None]:
    """The form's choice "dimension" or "dimension:indicator" as its two keys."""
    dimension, _, indicator = topic.partition(":")
    return dimension.strip() or None, indicator.strip() or None


@pages.post("/maturity/rounds/{round_id}/actions")
def add_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    round_id: Id,
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    topic: Annotated[str, Form(max_length=200)] = "",
    owner_id: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
) -> Response:
    """Add an action from the page; back to the list."""
    rel = permissions.round_relation(session, user, round_id)
    permissions.ensure_runs_round(rel)
    typed = {
        "title": title,
        "description": description,
        "topic": topic,
        "owner_id": owner_id,
        "due": due,
    }
    view = FormView(
        "maturity/actions.html",
        _detached_context(session, rel),
        typed={"topic": topic, "owner_id": owner_id, "due": due},
        page=True,
    )
    dimension, indicator = _topic(topic)
    given = {"owner_id": owner_id, "due": due}
    data = parse(
        ActionCreate,
        view,
        title=title,
        description=description,
        dimension=dimension,
        indicator=indicator,
        **{name: value for name, value in given.items() if value},
    )
    try:
        action = actions.add_action(session, rel=rel, data=data)
    except Invalid as refused:
        field = _field_of(refused)
        if field is None:
            raise
        refuse(view, field, i18n.gettext(refused.message, **refused.params), **typed)
    return redirect(request, f"/maturity/rounds/{round_id}/actions#action-{action.id}")


@pages.post("/maturity/actions/{action_id}")
def change_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    action_id: Id,
    status: Annotated[str, Form()] = "",
    outcome: Annotated[str | None, Form()] = None,
    title: Annotated[str | None, Form()] = None,
    owner_id: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
) -> Response:
    """Change an action's status and outcome (and owner, due date, title) from the page."""
    action, rel = actions.find_action(session, user=user, action_id=action_id)
    permissions.ensure_runs_round(rel)
    context = _detached_context(session, rel)
    view = FormView("maturity/actions.html", context, typed={"_form": "change"}, page=True)
    fields: dict[str, object] = {"status": status or None, "outcome": outcome, "title": title}
    fields.update(owner_id=owner_id or None, due=due or None)
    data = parse(ActionUpdate, view, **{k: v for k, v in fields.items() if v is not None})
    try:
        actions.change_action(session, rel=rel, action=action, data=data)
    except Invalid as refused:
        field = _field_of(refused)
        if field is None:
            raise
        refuse(view, field, i18n.gettext(refused.message, **refused.params))
    return redirect(request, f"/maturity/rounds/{action.round_id}/actions#action-{action_id}")


def _field_of(refused: Invalid) -> str | None:
    if refused.message in TOPIC_REFUSALS:
        return "topic"
    if refused.message == actions.OWNER_NOT_MEMBER:
        return "owner_id"
    return None


def _detached_context(session: Session, rel: RoundRelation) -> dict[str, object]:
    """The page's context for a refused form, drawn after the rollback expired the rows: the
    views hold plain copies."""
    context = _page_context(session, rel)
    for key in ("actions", "earlier_actions"):
        views = context[key]
        assert isinstance(views, list)
        context[key] = [_copy(v) for v in views]
    context["round"] = detached([rel.round])[0]
    context["organisation"] = detached([rel.organisation])[0]
    context["form"] = {}
    return context


def _copy(view: ActionView) -> ActionView:
    action = detached([view.action])[0]
    return ActionView(
        action,
        view.round_title,
        view.round_opened_at,
        view.owner_name,
        view.dimension,
        view.indicator,
    )
