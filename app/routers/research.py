"""Research studies: registration, consent (API and the profile page), and the export."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import FileResponse, Response
from sqlmodel import Session
from starlette.background import BackgroundTask

from app.db import SessionDep
from app.models import User
from app.models.base import Id, id_of
from app.models.research import LegalBasis, StudyCreate, StudyPublic
from app.services import permissions, privacy, projects, research
from app.web import (
    CurrentUser,
    FormView,
    api_router,
    detached,
    page_router,
    parse,
    redirect,
    render,
)

pages = page_router()
api = api_router("research", prefix="/research")


def _one(session: SessionDep, user: CurrentUser, study_id: int) -> StudyPublic:
    user = permissions.require_user(user)
    study = research.get_study(session, user=user, study_id=study_id)
    return research.present(session, user=user, studies=[study])[0]


@api.get("/studies")
def list_studies(session: SessionDep, user: CurrentUser) -> list[StudyPublic]:
    """Studies: all for researchers and admins; for others the studies they can consent to."""
    return _visible(session, permissions.require_user(user))


def _visible(session: Session, user: User) -> list[StudyPublic]:
    """The studies the user may see, as the user may see them."""
    return research.present(session, user=user, studies=research.list_studies(session, user=user))


@api.post("/studies", status_code=201)
def register_study(session: SessionDep, user: CurrentUser, data: StudyCreate) -> StudyPublic:
    """Register a study (researchers and admins); no `project_ids` covers all visible projects."""
    study = research.register_study(session, user=user, data=data)
    return _one(session, user, id_of(study))


@api.get("/studies/{study_id}")
def get_study(session: SessionDep, user: CurrentUser, study_id: Id) -> StudyPublic:
    """One study."""
    return _one(session, user, study_id)


@api.post("/studies/{study_id}/consent")
def give_consent(session: SessionDep, user: CurrentUser, study_id: Id) -> StudyPublic:
    """Consent to the study (consent-based studies whose period has not ended)."""
    research.give_consent(session, user=user, study_id=study_id)
    return _one(session, user, study_id)


@api.delete("/studies/{study_id}/consent")
def withdraw_consent(session: SessionDep, user: CurrentUser, study_id: Id) -> StudyPublic:
    """Withdraw consent: later exports leave your rows out."""
    research.withdraw_consent(session, user=user, study_id=study_id)
    return _one(session, user, study_id)


@api.post("/studies/{study_id}/objection")
def object_to(session: SessionDep, user: CurrentUser, study_id: Id) -> StudyPublic:
    """Object to a study based on public interest (GDPR art. 21): later exports leave you out."""
    research.object_to(session, user=user, study_id=study_id)
    return _one(session, user, study_id)


@api.delete("/studies/{study_id}/objection")
def take_back_objection(session: SessionDep, user: CurrentUser, study_id: Id) -> StudyPublic:
    """Take back your objection."""
    research.take_back_objection(session, user=user, study_id=study_id)
    return _one(session, user, study_id)


@api.get(
    "/studies/{study_id}/export",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def export_study(
    session: SessionDep, user: CurrentUser, study_id: Id, free_text: bool = False
) -> Response:
    """The study's pseudonymised Frictionless Data Package (zip), for its researcher and admins."""
    study = research.ensure_can_export(session, user=user, study_id=study_id)
    handle, name = tempfile.mkstemp(prefix="pivotal-export-", suffix=".zip")
    os.close(handle)
    path = Path(name)
    try:
        research.export_study(session, study=study, out=path, free_text=free_text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    filename = f"pivotal-study-{study.id}-{date.today().isoformat()}.zip"
    return FileResponse(
        path,
        media_type="application/zip",
        filename=filename,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@pages.get("/profile")
def profile_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The user's profile: the research studies they can take part in, with their consent."""
    user = permissions.require_user(user)
    studies = _visible(session, user)
    context = {"studies": studies, "today": date.today(), "confirm_word": privacy.CONFIRM_WORD}
    return render(request, "accounts/profile.html", context)


@pages.post("/profile/studies/{study_id}/consent")
def give_consent_form(
    request: Request, session: SessionDep, user: CurrentUser, study_id: Id
) -> Response:
    """Consent from the profile page."""
    research.give_consent(session, user=user, study_id=study_id)
    return redirect(request, f"/profile#study-{study_id}")


@pages.post("/profile/studies/{study_id}/withdraw")
def withdraw_consent_form(
    request: Request, session: SessionDep, user: CurrentUser, study_id: Id
) -> Response:
    """Withdraw consent from the profile page."""
    research.withdraw_consent(session, user=user, study_id=study_id)
    return redirect(request, f"/profile#study-{study_id}")


@pages.post("/profile/studies/{study_id}/object")
def object_form(request: Request, session: SessionDep, user: CurrentUser, study_id: Id) -> Response:
    """Object to a study based on public interest, from the profile page."""
    research.object_to(session, user=user, study_id=study_id)
    return redirect(request, f"/profile#study-{study_id}")


@pages.post("/profile/studies/{study_id}/take-back")
def take_back_form(
    request: Request, session: SessionDep, user: CurrentUser, study_id: Id
) -> Response:
    """Take back an objection, from the profile page."""
    research.take_back_objection(session, user=user, study_id=study_id)
    return redirect(request, f"/profile#study-{study_id}")


@pages.get("/research/studies")
def studies_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The studies the user may see; researchers and admins register and export here."""
    user = permissions.require_user(user)
    studies = _visible(session, user)
    context = {
        "studies": studies,
        "titles": research.project_titles(session, user=user, studies=studies),
        "exportable": {s.id for s in studies if research.may_export(user, s)},
        "may_register": research.may_register_study(user),
    }
    return render(request, "research/studies.html", context)


def _study_context(session: Session, user: User, detach: bool = False) -> dict[str, object]:
    visible = projects.list_projects(session, user=user)
    return {"projects": detached(visible) if detach else visible, "LegalBasis": LegalBasis}


@pages.get("/research/studies/new")
def new_study_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The form for registering a study (researchers and admins)."""
    user = research.ensure_can_register_study(user)
    context = {**_study_context(session, user), "form": {"project_ids": []}, "errors": {}}
    return render(request, "research/new.html", context)


@pages.post("/research/studies/new")
def register_study_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    title: Annotated[str, Form()] = "",
    institution: Annotated[str, Form()] = "",
    ethics_reference: Annotated[str, Form()] = "",
    legal_basis: Annotated[str, Form()] = "",
    period_start: Annotated[str, Form()] = "",
    period_end: Annotated[str, Form()] = "",
    include_free_text: Annotated[bool, Form()] = False,
    project_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Register a study from the form; invalid input gets the form back with its messages."""
    user = research.ensure_can_register_study(user)
    typed = {"project_ids": project_ids or []}  # ticked boxes, as the page compares them
    view = FormView("research/new.html", _study_context(session, user, detach=True), typed, True)
    fields: dict[str, object] = {
        "title": title.strip(),
        "institution": institution.strip(),
        "ethics_reference": ethics_reference.strip(),
        "legal_basis": legal_basis,
        "period_start": period_start,
        "period_end": period_end,
        "include_free_text": include_free_text,
        "project_ids": project_ids or [],
    }
    # Empty fields count as missing, so their message says they are required.
    data = parse(StudyCreate, view, **{k: v for k, v in fields.items() if v != ""})
    study = research.register_study(session, user=user, data=data)
    return redirect(request, f"/research/studies#study-{id_of(study)}")
