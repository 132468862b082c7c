"""Solution proposals: the proposals page, the proposal page with its forms, the API, live lists.

The live list is the same for everyone in one audience: procurers see every proposal, everyone
else only published summaries (a supplier's own unpublished proposals are shown outside it), so a
push can never carry what its receiver could not load.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session, col, select

from app.db import SessionDep
from app.i18n import N_
from app.models import Need, Proposal, ProposalAttachment
from app.models.base import Id, id_of
from app.models.proposal import (
    AttachmentPublic,
    ClaimDecisionInput,
    ClaimPublic,
    ProposalCreate,
    ProposalPublic,
    ProposalStatusChange,
    ProposalSummaryPublic,
)
from app.services import permissions, project_tabs, projects, proposals, uploads
from app.services.errors import Invalid
from app.services.permissions import ProjectRelation, audience_for
from app.services.project_tabs import Section
from app.views.proposals import (
    need_titles,
    proposals_list_html,
    proposals_more_html,
    titles_for,
)
from app.web import (
    NOTHING_OWN,
    CurrentUser,
    FormView,
    api_router,
    detached,
    page_router,
    parse,
    project_view_page,
    redirect,
    refuse,
    render,
)

pages = page_router()
api = api_router("proposals")

AnyProposal = ProposalPublic | ProposalSummaryPublic
CONFIRM_WITHDRAW = N_("Tick the box to confirm that the proposal should be withdrawn for good.")


# ---- pages -------------------------------------------------------------------------------------


@pages.get("/projects/{project_id}/proposals")
async def proposals_page(request: Request, project_id: Id, cursor: str = "") -> Response:
    """The project's proposals as the viewer may see them (paged; `cursor` from "Show more"
    without JavaScript), and the form for registered suppliers; for visitors from the render
    cache while the project's version stands."""
    return await project_view_page(
        request,
        project_id,
        "proposals/list.html",
        lambda session, rel: _proposals_context(session, rel, cursor or None),
        NOTHING_OWN,
    )


def _proposals_context(
    session: Session, rel: ProjectRelation, cursor: str | None
) -> dict[str, Any]:
    audience = audience_for(rel)
    own = proposals.company_proposals(session, rel=rel)
    can_submit = permissions.allows(permissions.ensure_can_submit_proposal, rel)
    needs = _needs(session, id_of(rel.project)) if can_submit else []
    list_html = proposals_list_html(session, rel, audience, oob=False, cursor=cursor)
    return dict(
        {
            "project": rel.project,
            "rel": rel,
            "tabs": project_tabs.tabs_for(session, rel=rel, current=Section.proposals),
            "audience": audience,
            "list_html": Markup(list_html),
            "own": own,
            "needs": needs,
            "need_titles": titles_for(session, own),
            "can_submit": can_submit,
        }
    )


@pages.get("/projects/{project_id}/proposals/more")
def proposals_more(
    session: SessionDep, user: CurrentUser, project_id: Id, cursor: str = ""
) -> Response:
    """The next page of the proposals list as cards and its "Show more" link (htmx puts it in
    place of the link clicked; without htmx the link goes to the proposals page)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return HTMLResponse(proposals_more_html(session, rel, audience_for(rel), cursor))


def _needs(session: Session, project_id: int) -> list[Need]:
    query = select(Need).where(Need.project_id == project_id).order_by(col(Need.created_at))
    return list(session.exec(query).all())


@pages.post("/projects/{project_id}/proposals")
def submit_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    need_ids: Annotated[list[Id] | None, Form()] = None,
    claim_body: Annotated[bool, Form()] = False,
    justification: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    file_justification: Annotated[str, Form()] = "",
) -> Response:
    """Submit a proposal from the form, with an optional attachment and claims."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    claims = [{"field": "body", "justification": justification}] if claim_body else []
    typed = {"claim_body": claim_body, "justification": justification}
    view = FormView(
        "proposals/_form.html",
        {"project": rel.project, "needs": detached(_needs(session, project_id))},
        typed,
    )
    fields = {"title": title, "summary": summary, "body": body, "need_ids": need_ids or []}
    if claim_body and not justification.strip():
        blank = N_("Give a justification for the business-secret claim.")
        refuse(view, "justification", blank, **fields, claims=claims)
    data = parse(ProposalCreate, view, **fields, claims=claims)
    proposal = proposals.submit_proposal(session, rel=rel, data=data)
    if file is not None and file.filename:
        _attach(session, rel, proposal, file, file_justification)
    return redirect(request, f"/proposals/{proposal.id}")


@pages.get("/proposals/{proposal_id}")
def proposal_page(
    request: Request, session: SessionDep, user: CurrentUser, proposal_id: Id
) -> Response:
    """One proposal: in full for procurers and the submitting company, else its summary."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    view = proposals.proposal_view(session, rel=rel, proposal=proposal)
    return render(
        request,
        "proposals/detail.html",
        {
            "project": rel.project,
            "rel": rel,
            "view": view,
            "p": proposal,
            "need_titles": need_titles(session, view.need_ids),
            "attachments": [proposals.attachment_public(a) for a in view.attachments],
            "is_company": permissions.is_proposal_company(rel, proposal),
            "can_attach": permissions.allows(
                lambda rel: proposals.ensure_can_attach(rel, proposal), rel
            ),
        },
    )


@pages.post("/proposals/{proposal_id}/attachments")
def attach_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    proposal_id: Id,
    file: Annotated[UploadFile | None, File()] = None,
    justification: Annotated[str, Form()] = "",
) -> Response:
    """The submitting company attaches a file."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    if file is None or not file.filename:
        raise Invalid("Choose a file to attach.")
    _attach(session, rel, proposal, file, justification)
    return redirect(request, f"/proposals/{proposal_id}")


def _attach(
    session: Session,
    rel: ProjectRelation,
    proposal: Proposal,
    file: UploadFile,
    justification: str,
) -> ProposalAttachment:
    """Attach the uploaded file to the proposal, claimed as a business secret if justified."""
    return proposals.add_attachment(
        session,
        rel=rel,
        proposal=proposal,
        stream=file.file,
        filename=file.filename,
        justification=justification,
    )


@pages.get("/proposals/{proposal_id}/withdraw")
def confirm_withdraw_page(
    request: Request, session: SessionDep, user: CurrentUser, proposal_id: Id
) -> Response:
    """Ask the submitting company before it withdraws its proposal for good."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    proposals.ensure_can_withdraw(rel, proposal)
    return render(
        request,
        "confirm_page.html",
        {
            "project": rel.project,
            "p": proposal,
            "confirm_partial": "proposals/_confirm_withdraw.html",
        },
    )


@pages.post("/proposals/{proposal_id}/withdraw")
def withdraw_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    proposal_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """The submitting company withdraws its proposal, once it has confirmed."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    proposals.ensure_can_withdraw(rel, proposal)
    if confirm != "yes":
        raise Invalid(CONFIRM_WITHDRAW)
    proposals.withdraw(session, rel=rel, proposal=proposal)
    return redirect(request, f"/proposals/{proposal_id}")


@pages.post("/proposals/{proposal_id}/publish-summary")
def publish_form(
    request: Request, session: SessionDep, user: CurrentUser, proposal_id: Id
) -> Response:
    """The submitting company agrees to publish the summary."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    proposals.publish_summary(session, rel=rel, proposal=proposal)
    return redirect(request, f"/proposals/{proposal_id}")


@pages.post("/proposals/{proposal_id}/status")
def status_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    proposal_id: Id,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A procurer's assessment of the proposal."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    change = parse(ProposalStatusChange, status=status, reason=reason)
    proposals.set_status(session, rel=rel, proposal=proposal, change=change)
    return redirect(request, f"/proposals/{proposal_id}")


@pages.post("/claims/{claim_id}/decision")
def decision_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    claim_id: Id,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A procurer accepts or rejects a business-secret claim."""
    rel, proposal, claim = proposals.find_claim(session, user=user, claim_id=claim_id)
    data = parse(ClaimDecisionInput, decision=decision, reason=reason)
    proposals.decide_claim(session, rel=rel, proposal=proposal, claim=claim, decision=data)
    return redirect(request, f"/proposals/{proposal.id}#claim-{claim_id}")


# ---- JSON API ----------------------------------------------------------------------------------


def _public(session: Session, rel: ProjectRelation, proposal: Proposal) -> AnyProposal:
    return proposals.proposal_view(session, rel=rel, proposal=proposal).to_public()


@api.get("/projects/{project_id}/proposals")
def list_proposals(session: SessionDep, user: CurrentUser, project_id: Id) -> list[AnyProposal]:
    """The project's proposals as the caller may see them (full, or published summaries)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return [view.to_public() for view in proposals.list_proposals(session, rel=rel)]


@api.post("/projects/{project_id}/proposals", status_code=201)
def submit(
    session: SessionDep, user: CurrentUser, project_id: Id, data: ProposalCreate
) -> AnyProposal:
    """Submit a proposal (suppliers registered for the market dialogue)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    proposal = proposals.submit_proposal(session, rel=rel, data=data)
    return _public(session, rel, proposal)


@api.get("/proposals/{proposal_id}")
def read(session: SessionDep, user: CurrentUser, proposal_id: Id) -> AnyProposal:
    """One proposal, as the caller may see it."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    return _public(session, rel, proposal)


@api.post("/proposals/{proposal_id}/attachments", status_code=201)
def attach(
    session: SessionDep,
    user: CurrentUser,
    proposal_id: Id,
    file: Annotated[UploadFile, File()],
    justification: Annotated[str, Form()] = "",
) -> AttachmentPublic:
    """Attach a file (the submitting company), optionally claimed as a business secret."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    return proposals.attachment_public(_attach(session, rel, proposal, file, justification))


@api.get(
    "/proposals/{proposal_id}/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(
    session: SessionDep, user: CurrentUser, proposal_id: Id, attachment_id: Id
) -> FileResponse:
    """An attachment, for the project's procurers and the submitting company (404 otherwise)."""
    attachment, path = proposals.attachment_file(
        session, user=user, proposal_id=proposal_id, attachment_id=attachment_id
    )
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=uploads.named_for_type(attachment.filename, attachment.content_type),
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )


@api.post("/proposals/{proposal_id}/withdraw")
def withdraw(session: SessionDep, user: CurrentUser, proposal_id: Id) -> AnyProposal:
    """Withdraw a proposal (the submitting company; final, the record is kept)."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    proposals.withdraw(session, rel=rel, proposal=proposal)
    return _public(session, rel, proposal)


@api.post("/proposals/{proposal_id}/publish-summary")
def publish_summary(session: SessionDep, user: CurrentUser, proposal_id: Id) -> AnyProposal:
    """Agree to publish the proposal's summary (the submitting company)."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    proposals.publish_summary(session, rel=rel, proposal=proposal)
    return _public(session, rel, proposal)


@api.put("/proposals/{proposal_id}/status")
def set_status(
    session: SessionDep, user: CurrentUser, proposal_id: Id, change: ProposalStatusChange
) -> AnyProposal:
    """Mark a proposal acknowledged, considered or not relevant (the project's procurers)."""
    rel, proposal = proposals.find_proposal(session, user=user, proposal_id=proposal_id)
    proposals.set_status(session, rel=rel, proposal=proposal, change=change)
    return _public(session, rel, proposal)


@api.put("/claims/{claim_id}/decision")
def decide_claim(
    session: SessionDep, user: CurrentUser, claim_id: Id, decision: ClaimDecisionInput
) -> ClaimPublic:
    """Accept or reject a business-secret claim (the project's procurers)."""
    rel, proposal, claim = proposals.find_claim(session, user=user, claim_id=claim_id)
    proposals.decide_claim(session, rel=rel, proposal=proposal, claim=claim, decision=decision)
    return ClaimPublic.model_validate(claim)
