"""Self-assessment rounds: the municipality's page, a round, the answer form, e-mailed
invitations, and their JSON API.

Rules live in `app/services/maturity/rounds.py` and `app/services/permissions/maturity.py`;
this module parses, calls and renders.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import Body, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app import i18n
from app.db import SessionDep
from app.i18n import N_
from app.maturity.model import ModelFileError, load_model
from app.models import MaturityRespondent
from app.models.base import Id, utcnow
from app.models.maturity import (
    COMMENT_MAX,
    EVIDENCE_MAX,
    AnswerIn,
    AnswerPublic,
    MaturityUnit,
    ModelPublic,
    RespondentInvite,
    RespondentPublic,
    RoundDetail,
    RoundOpen,
    RoundPublic,
)
from app.models.vocabulary import label_for
from app.services import documents as project_documents
from app.services import permissions
from app.services.errors import Conflict, Invalid, NotFound
from app.services.links import MAX_TOKEN_LENGTH
from app.services.maturity import respondents, rounds
from app.services.permissions import OrganisationRelation, RoundRelation
from app.views import maturity as views
from app.views.templating import render_block
from app.web import (
    CurrentUser,
    FormView,
    api_router,
    detached,
    form_moment,
    is_htmx,
    page_router,
    parse,
    redirect,
    refuse,
    render,
)

pages = page_router()
api = api_router("maturity")

NO_SUCH_MODEL = N_("There is no version %(version)s of the capability model.")
CONFIRM_CLOSE = N_(
    "Tick the box to confirm; answers can no longer change once the round is closed."
)
Token = Annotated[str, Path(max_length=MAX_TOKEN_LENGTH)]
# The model has 16 indicators; a body of more answers than any model could hold is refused.
AnswerList = Annotated[list[AnswerIn], Body(max_length=200)]


async def _form(request: Request) -> dict[str, str]:
    """The posted form as text by name (the answer form's field names follow the model)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(_form)]

ChosenDocuments = Annotated[dict[str, list[str]], Depends(views.chosen_documents)]


def _own_answers(session: Session, rel: RoundRelation) -> list[AnswerPublic]:
    if rel.respondent is None:
        return []
    answers = rounds.answers_of(session, rel.respondent)
    documents = rounds.documents_of(session, [a.id or 0 for a in answers.values()])
    return views.answers_public(answers, documents)


# ---- the JSON API ------------------------------------------------------------------------------


@api.get("/maturity/model")
def read_model(version: Annotated[int | None, Query(ge=1, le=1000)] = None) -> ModelPublic:
    """The capability model of the newest version, or of `version`, in all three languages."""
    try:
        return views.model_public(load_model(version))
    except ModelFileError:
        raise NotFound(NO_SUCH_MODEL, version=version) from None


@api.get("/organisations/{organisation_id}/maturity/rounds")
def list_rounds(session: SessionDep, user: CurrentUser, organisation_id: Id) -> list[RoundPublic]:
    """The organisation's rounds the caller may see, newest first."""
    rel = permissions.known_organisation(session, user, organisation_id)
    return [views.round_public(r) for r in rounds.visible_rounds(session, rel=rel)]


@api.post("/organisations/{organisation_id}/maturity/rounds", status_code=201)
def open_round(
    session: SessionDep, user: CurrentUser, organisation_id: Id, data: RoundOpen
) -> RoundPublic:
    """Open a round until its deadline (the municipality's procurers and administrators)."""
    rel = permissions.known_organisation(session, user, organisation_id)
    return views.round_public(rounds.open_round(session, rel=rel, data=data))


@api.get("/maturity/rounds/{round_id}")
def read_round(session: SessionDep, user: CurrentUser, round_id: Id) -> RoundDetail:
    """The round; its respondents with names and progress for those who run it; the caller's
    own answers for a respondent."""
    rel = permissions.round_relation(session, user, round_id)
    detail = RoundDetail(**views.round_public(rel.round).model_dump())
    if rel.runs_round:
        detail.respondents = views.respondents_public(respondents.respondents(session, rel=rel))
    if rel.respondent is not None:
        detail.answers = _own_answers(session, rel)
        detail.submitted = rel.respondent.submitted_at is not None
    return detail


@api.post("/maturity/rounds/{round_id}/respondents", status_code=201)
def invite(
    session: SessionDep, user: CurrentUser, round_id: Id, data: RespondentInvite
) -> RespondentPublic:
    """Invite a member of the municipality by account, or anyone by e-mail (a mailed link)."""
    rel = permissions.round_relation(session, user, round_id)
    respondent = rounds.invite(session, rel=rel, data=data)
    view = respondents.view_of(session, respondent)
    return views.respondent_public(respondent, name=view.name, answered=view.answered)


@api.delete("/maturity/rounds/{round_id}/respondents/{respondent_id}", status_code=204)
def remove_respondent(
    session: SessionDep, user: CurrentUser, round_id: Id, respondent_id: Id
) -> Response:
    """Withdraw an invitation that has no answers yet (409 once the person has answered)."""
    rel = permissions.round_relation(session, user, round_id)
    respondents.remove_respondent(session, rel=rel, respondent_id=respondent_id)
    return Response(status_code=204)


@api.put("/maturity/rounds/{round_id}/answers")
def save_answers(
    session: SessionDep, user: CurrentUser, round_id: Id, answers: AnswerList
) -> list[AnswerPublic]:
    """Save the caller's own answers (each replaces the earlier one on its indicator); all of
    the caller's answers come back."""
    rel = permissions.round_relation(session, user, round_id)
    rounds.save_answers(session, rel=rel, answers=answers)
    return _own_answers(session, rel)


@api.post("/maturity/rounds/{round_id}/submit")
def submit(session: SessionDep, user: CurrentUser, round_id: Id) -> RespondentPublic:
    """The caller says they are done (answers may still change until the round closes)."""
    rel = permissions.round_relation(session, user, round_id)
    view = respondents.view_of(session, rounds.submit(session, rel=rel))
    return views.respondent_public(view.respondent, name=view.name, answered=view.answered)


@api.post("/maturity/rounds/{round_id}/close")
def close(session: SessionDep, user: CurrentUser, round_id: Id) -> RoundPublic:
    """Close the round now; from then on no answer changes."""
    rel = permissions.round_relation(session, user, round_id)
    return views.round_public(rounds.close_round(session, rel=rel))


# ---- the municipality's page ---------------------------------------------------------------------


def _organisation_context(
    session: Session, rel: OrganisationRelation, *, detach: bool = False
) -> dict[str, Any]:
    listed = list(rounds.visible_rounds(session, rel=rel))
    runs_rounds = permissions.may_see_rounds(rel)
    counts = respondents.round_counts(session, [r.id or 0 for r in listed]) if runs_rounds else {}
    return {
        "org": detached([rel.organisation])[0] if detach else rel.organisation,
        "rounds": detached(listed) if detach else listed,
        "counts": counts,
        "runs_rounds": runs_rounds,
        "may_open": permissions.may_open_round(rel),
        "is_open": permissions.round_is_open,
        "RoundOpen": RoundOpen,
    }


@pages.get("/organisations/{organisation_id}/maturity")
def organisation_page(
    request: Request, session: SessionDep, user: CurrentUser, organisation_id: Id
) -> Response:
    """The municipality's self-assessment: its rounds the reader may see, and a form to open one."""
    rel = permissions.known_organisation(session, user, organisation_id)
    return render(request, "maturity/organisation.html", _organisation_context(session, rel))


@pages.post("/organisations/{organisation_id}/maturity/rounds")
def open_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    title: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
) -> Response:
    """A procurer or administrator opens a round from the municipality's page."""
    rel = permissions.known_organisation(session, user, organisation_id)
    permissions.ensure_can_open_round(rel)
    context = _organisation_context(session, rel, detach=True)
    view = FormView("maturity/organisation.html", context, {"deadline": deadline}, page=True)
    data = parse(RoundOpen, view, title=title, deadline=form_moment(deadline))
    try:
        round_ = rounds.open_round(session, rel=rel, data=data)
    except Invalid as refused:
        if refused.message not in (rounds.DEADLINE_PAST, rounds.DEADLINE_TOO_FAR):
            raise
        refuse(view, "deadline", i18n.gettext(refused.message), title=title, deadline=deadline)
    return redirect(request, f"/maturity/rounds/{round_.id}")


# ---- a round -----------------------------------------------------------------------------------


def _round_context(session: Session, rel: RoundRelation, *, detach: bool = False) -> dict[str, Any]:
    """What the round's page shows this reader; copies when a refused form draws it again."""
    listed = respondents.respondents(session, rel=rel) if rel.runs_round else []
    members = respondents.invitable_members(session, rel=rel) if rel.runs_round else []
    own = None
    if rel.respondent is not None:
        own = rounds.answered_count(session, [rel.respondent.id or 0]).get(
            rel.respondent.id or 0, 0
        )
    if detach:
        listed = [
            respondents.RespondentView(detached([v.respondent])[0], v.name, v.answered)
            for v in listed
        ]
        members = detached(members)
    return {
        "round": detached([rel.round])[0] if detach else rel.round,
        "org": detached([rel.organisation])[0] if detach else rel.organisation,
        "runs_round": rel.runs_round,
        "is_respondent": rel.is_respondent,
        "is_researcher": rel.is_researcher,
        "sees_results": rel.sees_results,
        "is_open": permissions.round_is_open(rel.round),
        "closes_at": permissions.round_closes_at(rel.round),
        "respondents": listed,
        "members": members,
        "own_answered": own,
        "own_submitted": rel.respondent is not None and rel.respondent.submitted_at is not None,
        "indicator_count": sum(1 for _ in load_model(rel.round.model_version).indicators()),
        "units": list(MaturityUnit),
        "unit_label": partial(label_for, MaturityUnit),
        "RespondentInvite": RespondentInvite,
    }


@pages.get("/maturity/rounds/{round_id}")
def round_page(request: Request, session: SessionDep, user: CurrentUser, round_id: Id) -> Response:
    """The round: for those who run it its respondents, the invite form and closing it; for a
    respondent their progress and the way to the answer form."""
    rel = permissions.round_relation(session, user, round_id)
    return render(request, "maturity/round.html", _round_context(session, rel))


@pages.post("/maturity/rounds/{round_id}/respondents")
def invite_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    round_id: Id,
    user_id: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    unit_detail: Annotated[str, Form()] = "",
) -> Response:
    """Invite a member (chosen from the municipality's members) or an address, from a unit."""
    rel = permissions.round_relation(session, user, round_id)
    permissions.ensure_runs_round(rel)
    view = FormView("maturity/round.html", _round_context(session, rel, detach=True), page=True)
    typed = {"user_id": user_id, "email": email, "unit": unit, "unit_detail": unit_detail}
    data = parse(
        RespondentInvite,
        view,
        **{
            **typed,
            "user_id": user_id or None,
            "email": email or None,
            "unit_detail": unit_detail or None,
        },
    )
    try:
        rounds.invite(session, rel=rel, data=data)
    except (Invalid, Conflict) as refused:
        # Who is invited is the form's own matter: said beside the field that named the person.
        if refused.message not in (rounds.NOT_A_MEMBER, rounds.ALREADY_INVITED):
            raise
        field = "user_id" if user_id else "email"
        refuse(view, field, i18n.gettext(refused.message), **typed)
    return redirect(request, f"/maturity/rounds/{round_id}?invited=1#respondents-heading")


@pages.post("/maturity/rounds/{round_id}/respondents/{respondent_id}/remove")
def remove_form(
    request: Request, session: SessionDep, user: CurrentUser, round_id: Id, respondent_id: Id
) -> Response:
    """Withdraw an invitation nobody has answered on yet."""
    rel = permissions.round_relation(session, user, round_id)
    respondents.remove_respondent(session, rel=rel, respondent_id=respondent_id)
    return redirect(request, f"/maturity/rounds/{round_id}?removed=1#respondents-heading")


@pages.get("/maturity/rounds/{round_id}/close")
def confirm_close_page(
    request: Request, session: SessionDep, user: CurrentUser, round_id: Id
) -> Response:
    """Ask before closing: from then on no answer changes."""
    rel = permissions.round_relation(session, user, round_id)
    permissions.ensure_runs_round(rel)
    if not permissions.round_is_open(rel.round):
        raise Conflict(rounds.ALREADY_CLOSED)
    return render(request, "maturity/confirm_close.html", _round_context(session, rel))


@pages.post("/maturity/rounds/{round_id}/close")
def close_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    round_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Close the round now, once the box is ticked."""
    rel = permissions.round_relation(session, user, round_id)
    permissions.ensure_runs_round(rel)
    if confirm != "yes":
        raise Invalid(CONFIRM_CLOSE)
    rounds.close_round(session, rel=rel)
    return redirect(request, f"/maturity/rounds/{round_id}?closed=1")


# ---- answering ---------------------------------------------------------------------------------


def _answer_context(
    session: Session, rel: RoundRelation, *, detach: bool = False
) -> dict[str, Any]:
    """The answer form: every indicator in the reader's language with what was saved."""
    if rel.respondent is None:
        permissions.ensure_can_answer(rel)  # says who may answer
    assert rel.respondent is not None
    model = load_model(rel.round.model_version)
    saved = rounds.answers_of(session, rel.respondent)
    given = rounds.documents_of(session, [a.id or 0 for a in saved.values()])
    sheet = views.answer_sheet(model, saved, documents=given)
    offered = rounds.attachable_documents(
        session, rel=rel, also={d for ids in given.values() for d in ids}
    )
    answered = sum(
        1 for i in (i for g in sheet for d in g.dimensions for i in d.indicators) if i.answered
    )
    return {
        "round": detached([rel.round])[0] if detach else rel.round,
        "org": detached([rel.organisation])[0] if detach else rel.organisation,
        "sheet": sheet,
        "answered": answered,
        "total": sum(1 for _ in model.indicators()),
        "is_open": permissions.round_is_open(rel.round),
        "closes_at": permissions.round_closes_at(rel.round),
        "submitted": rel.respondent.submitted_at is not None,
        "offered": offered,
        "offered_by_id": {d.id: d for d in offered},
        "document_url": project_documents.file_url,
        "EVIDENCE_MAX": EVIDENCE_MAX,
        "COMMENT_MAX": COMMENT_MAX,
    }


@pages.get("/maturity/rounds/{round_id}/answer")
def answer_page(request: Request, session: SessionDep, user: CurrentUser, round_id: Id) -> Response:
    """The respondent's answer form (read-only once the round has closed)."""
    rel = permissions.round_relation(session, user, round_id)
    return render(request, "maturity/answer.html", _answer_context(session, rel))


@pages.post("/maturity/rounds/{round_id}/answer")
def answer_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    round_id: Id,
    form: FormFields,
    chosen: ChosenDocuments,
) -> Response:
    """Save the answer form: the one indicator htmx names as the respondent goes, or every
    answer at once (the form posted without JavaScript)."""
    rel = permissions.round_relation(session, user, round_id)
    respondent = permissions.ensure_can_answer(rel)
    if "indicator" in form:
        return _save_one(request, session, rel, respondent, form, chosen)
    view = FormView("maturity/answer.html", _answer_context(session, rel, detach=True), page=True)
    saved = rounds.answers_of(session, respondent)
    documents = rounds.documents_of(session, [a.id or 0 for a in saved.values()])
    model = load_model(rel.round.model_version)
    answers = views.answers_from_form(form, chosen, model, saved, documents, view)
    rounds.save_answers(session, rel=rel, answers=answers)
    return redirect(request, f"/maturity/rounds/{round_id}/answer?saved=1")


def _save_one(
    request: Request,
    session: Session,
    rel: RoundRelation,
    respondent: MaturityRespondent,
    form: dict[str, str],
    chosen: dict[str, list[str]],
) -> Response:
    """One indicator saved (htmx on change): its status line and the progress count come back;
    without htmx, back to the form."""
    key = form["indicator"]
    model = load_model(rel.round.model_version)
    try:
        indicator = model.indicator(key)
    except KeyError:
        raise Invalid(rounds.UNKNOWN_INDICATOR, key=key[:64]) from None
    row = rounds.answers_of(session, respondent).get(key)
    kept = rounds.documents_of(session, [row.id or 0]).get(row.id or 0, []) if row else []
    given = views.documents_from_form(form, chosen, key, kept)
    rounds.save_answers(
        session, rel=rel, answers=[views.answer_from_form(form, indicator, given, None)]
    )
    if not is_htmx(request):
        return redirect(request, f"/maturity/rounds/{rel.round.id}/answer?saved=1#indicator-{key}")
    answered = rounds.answered_count(session, [respondent.id or 0]).get(respondent.id or 0, 0)
    html = render_block(
        "maturity/answer.html",
        "saved",
        i18n.current_language(),
        answered=answered,
        total=sum(1 for _ in model.indicators()),
        saved_at=utcnow(),
    )
    return HTMLResponse(html)


@pages.post("/maturity/rounds/{round_id}/submit")
def submit_form(request: Request, session: SessionDep, user: CurrentUser, round_id: Id) -> Response:
    """The respondent says they are done."""
    rel = permissions.round_relation(session, user, round_id)
    rounds.submit(session, rel=rel)
    return redirect(request, f"/maturity/rounds/{round_id}/answer?submitted=1")


# ---- e-mailed invitations ----------------------------------------------------------------------


@pages.get("/maturity/invitations/{token}")
def invitation_page(
    request: Request, session: SessionDep, user: CurrentUser, token: Token
) -> Response:
    """What the invitation asks, and how to accept it (opening the link changes nothing)."""
    invitation = respondents.open_invitation(session, token=token)
    return render(
        request,
        "maturity/invitation.html",
        {
            "invitation": invitation,
            "token": token,
            "is_open": permissions.round_is_open(invitation.round),
            "unit_label": partial(label_for, MaturityUnit),
        },
    )


@pages.post("/maturity/invitations/{token}/accept")
def accept_invitation(
    request: Request, session: SessionDep, user: CurrentUser, token: Token
) -> Response:
    """Accept with the account one is logged in with, and go to the answer form."""
    respondent = rounds.accept_invitation(session, user=user, token=token)
    return redirect(request, f"/maturity/rounds/{respondent.round_id}/answer")
