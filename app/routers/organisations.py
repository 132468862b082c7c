"""Organisations and their people: memberships, domains, invitations, company registration,
platform administration, and each organisation's audit log."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlmodel import Session

from app.db import SessionDep
from app.models import User
from app.models.audit import AuditFilter
from app.models.base import Cursor, Id, OrganisationKind
from app.models.membership import MembershipRole, MembershipStatus, VouchedBy
from app.models.organisation import OrganisationCreate
from app.models.user import UserCreate
from app.models.vocabulary import AuditAction, label_for
from app.services import audit, memberships, organisation_look, permissions
from app.services.errors import Invalid
from app.services.links import MAX_TOKEN_LENGTH
from app.views.audit import csv_download, log_context, newest_first
from app.web import (
    MEMBER_OF_KEY,
    CurrentUser,
    FormView,
    login_session,
    page_router,
    parse,
    redirect,
    render,
    templates,
)

pages = page_router()

PAGE_SIZE = 200


def _labels() -> dict[str, Any]:
    return {
        "vouched_by_label": lambda v: label_for(VouchedBy, v) if v else "—",
        "kind_label": partial(label_for, OrganisationKind),
        "action_label": partial(label_for, AuditAction),
    }


def _confirmed(confirm: str) -> None:
    if confirm != "yes":
        raise Invalid("Tick the box to confirm; this cannot be undone.")


# ---- an organisation's people --------------------------------------------------------------------


@pages.get("/organisations/{organisation_id}/people")
def people_page(
    request: Request, session: SessionDep, user: CurrentUser, organisation_id: Id
) -> Response:
    """Members, pending requests, invitations and domains (administrators; procurers invite)."""
    rel = permissions.known_organisation(session, user, organisation_id)
    people = memberships.members(session, rel=rel)
    context = {
        "org": rel.organisation,
        "rel": rel,
        "pending": [m for m in people if m.membership.status == MembershipStatus.pending],
        "active": [m for m in people if m.membership.status == MembershipStatus.active],
        "invitable": rel.invitable_roles(),
        "domains": memberships.domains(session, organisation=rel.organisation),
        **_labels(),
    }
    return render(request, "organisations/people.html", context)


@pages.post("/organisations/{organisation_id}/people/{membership_id}/approve")
def approve(
    request: Request, session: SessionDep, user: CurrentUser, organisation_id: Id, membership_id: Id
) -> Response:
    """Approve a pending request."""
    return _decide(request, session, user, organisation_id, membership_id, approve=True)


@pages.post("/organisations/{organisation_id}/people/{membership_id}/decline")
def decline(
    request: Request, session: SessionDep, user: CurrentUser, organisation_id: Id, membership_id: Id
) -> Response:
    """Decline a pending request."""
    return _decide(request, session, user, organisation_id, membership_id, approve=False)


def _decide(
    request: Request,
    session: Session,
    user: User | None,
    organisation_id: int,
    membership_id: int,
    *,
    approve: bool,
) -> Response:
    rel = permissions.known_organisation(session, user, organisation_id)
    memberships.decide(session, rel=rel, membership_id=membership_id, approve=approve)
    return redirect(request, f"/organisations/{organisation_id}/people")


@pages.post("/organisations/{organisation_id}/people/{membership_id}/revoke")
def revoke(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    membership_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Revoke an active membership (confirmed)."""
    rel = permissions.known_organisation(session, user, organisation_id)
    permissions.ensure_org_admin(rel)
    _confirmed(confirm)
    memberships.revoke(session, rel=rel, membership_id=membership_id)
    return redirect(request, f"/organisations/{organisation_id}/people")


@pages.post("/organisations/{organisation_id}/domains")
def add_domain(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    domain: Annotated[str, Form(max_length=253)],
) -> Response:
    """Add a verified e-mail domain."""
    rel = permissions.known_organisation(session, user, organisation_id)
    memberships.add_domain(session, rel=rel, domain=domain)
    return redirect(request, f"/organisations/{organisation_id}/people#domains-heading")


@pages.post("/organisations/{organisation_id}/domains/{domain_id}/remove")
def remove_domain(
    request: Request, session: SessionDep, user: CurrentUser, organisation_id: Id, domain_id: Id
) -> Response:
    """Remove a verified e-mail domain."""
    rel = permissions.known_organisation(session, user, organisation_id)
    memberships.remove_domain(session, rel=rel, domain_id=domain_id)
    return redirect(request, f"/organisations/{organisation_id}/people#domains-heading")


@pages.get("/organisations/{organisation_id}/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    only: Annotated[AuditFilter, Query()],
    before_id: Annotated[Cursor, Query()] = 0,
) -> Response:
    """The organisation's record of memberships, domains and invitations, newest first
    (administrators)."""
    rel = permissions.known_organisation(session, user, organisation_id)
    page = newest_first(before_id, PAGE_SIZE)
    entries = audit.list_for_organisation(session, rel=rel, page=page, only=only)
    context = log_context(session, entries, only, size=PAGE_SIZE, organisation=True)
    return render(request, "organisations/audit.html", {"org": rel.organisation, **context})


@pages.get("/organisations/{organisation_id}/audit.csv")
def audit_csv(
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    only: Annotated[AuditFilter, Query()],
) -> Response:
    """The organisation's record as CSV, newest first, with the page's filter (administrators)."""
    rel = permissions.known_organisation(session, user, organisation_id)
    entries = audit.list_for_organisation(session, rel=rel, page=audit.EXPORT, only=only)
    return csv_download(session, entries, f"audit-log-organisation-{organisation_id}.csv")


# ---- an organisation's målform and look ----------------------------------------------------------


@pages.post("/organisations/{organisation_id}/look")
def set_look(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    default_language: Annotated[str, Form(max_length=2)] = "nb",
    accent_colour: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Set the organisation's målform and accent colour (administrators)."""
    rel = permissions.known_organisation(session, user, organisation_id)
    organisation_look.set_look(session, rel=rel, language=default_language, accent=accent_colour)
    return redirect(request, f"/organisations/{organisation_id}/people#look-heading")


@pages.post("/organisations/{organisation_id}/logo")
def set_logo(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    file: Annotated[UploadFile | None, File()] = None,
    remove: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Upload the organisation's logo, or remove it (administrators)."""
    rel = permissions.known_organisation(session, user, organisation_id)
    chosen = file is not None and bool(file.filename)
    if not chosen and remove != "yes":
        raise Invalid("Choose a PNG or JPEG file for the logo.")
    organisation_look.set_logo(
        session,
        rel=rel,
        stream=file.file if chosen and file is not None else None,
        filename=file.filename if file is not None else None,
        size=file.size if file is not None else None,
    )
    return redirect(request, f"/organisations/{organisation_id}/people#look-heading")


@pages.get("/organisations/{organisation_id}/logo")
def logo(session: SessionDep, organisation_id: Id) -> Response:
    """The organisation's logo, with its type, from our own address (anyone: it is public)."""
    path, content_type = organisation_look.logo_file(session, organisation_id=organisation_id)
    return FileResponse(
        path, media_type=content_type, headers={"Cache-Control": "public, max-age=86400"}
    )


@pages.get("/organisations/{organisation_id}/theme.css")
def theme_stylesheet(request: Request, session: SessionDep, organisation_id: Id) -> Response:
    """The organisation's accent colour as a stylesheet for its pages and its projects' (a file
    of our own: the CSP allows no inline style)."""
    organisation = organisation_look.organisation_for_theme(
        session, organisation_id=organisation_id
    )
    return templates.TemplateResponse(
        request,
        "organisations/theme.css",
        {"accent": organisation.accent_colour},
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=300"},
    )


# ---- one's own memberships -----------------------------------------------------------------------


@pages.get("/profile/memberships")
def my_memberships_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The person's memberships, and which one they act in."""
    me = permissions.require_user(user)
    mine = memberships.my_memberships(session, user=me)
    return render(request, "organisations/memberships.html", {"mine": mine, **_labels()})


@pages.post("/profile/act-as")
def act_as(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    membership_id: Annotated[Id, Form()],
) -> Response:
    """Act in another of one's active memberships."""
    me = permissions.require_user(user)
    memberships.act_as(session, user=me, membership_id=membership_id)
    request.session[MEMBER_OF_KEY] = me.organisation_id
    return redirect(request, "/profile/memberships")


# ---- supplier companies register themselves ------------------------------------------------------


@pages.get("/companies/register")
def company_page(request: Request, user: CurrentUser) -> Response:
    """The form for registering a supplier company."""
    return render(request, "organisations/company.html")


@pages.post("/companies/register")
def register_company(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form()] = "",
    org_number: Annotated[str, Form()] = "",
) -> Response:
    """Register the company; the person becomes its first administrator."""
    me = permissions.require_user(user)
    view = FormView("organisations/company.html", typed={"org_number": org_number})
    data = parse(
        OrganisationCreate, view, name=name, kind="supplier", org_number=org_number or None
    )
    org = memberships.register_company(session, user=me, data=data)
    return redirect(request, f"/organisations/{org.id}/people")


# ---- platform administration ---------------------------------------------------------------------


@pages.get("/admin/organisations")
def admin_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Every organisation, for platform administrators."""
    organisations = memberships.list_organisations(session, user=user)
    return render(
        request, "organisations/admin.html", {"organisations": organisations, **_labels()}
    )


@pages.post("/admin/organisations")
def admin_create(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    org_number: Annotated[str, Form()] = "",
) -> Response:
    """Create an organisation."""
    permissions.ensure_platform_admin(user)
    view = FormView("organisations/admin.html", typed={"org_number": org_number})
    data = parse(OrganisationCreate, view, name=name, kind=kind, org_number=org_number or None)
    org = memberships.create_organisation(session, user=user, data=data)
    return redirect(request, f"/admin/organisations#org-{org.id}")


@pages.post("/admin/organisations/{organisation_id}/verify-number")
def admin_verify(
    request: Request, session: SessionDep, user: CurrentUser, organisation_id: Id
) -> Response:
    """Mark the organisation number verified."""
    rel = permissions.known_organisation(session, user, organisation_id)
    memberships.verify_org_number(session, rel=rel)
    return redirect(request, f"/admin/organisations#org-{organisation_id}")


@pages.post("/admin/organisations/{organisation_id}/deactivate")
def admin_deactivate(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Deactivate the organisation (confirmed): its memberships stop counting."""
    rel = permissions.known_organisation(session, user, organisation_id)
    permissions.ensure_platform_admin(user)
    _confirmed(confirm)
    memberships.deactivate(session, rel=rel)
    return redirect(request, f"/admin/organisations#org-{organisation_id}")


@pages.post("/admin/organisations/{organisation_id}/admins")
def admin_grant(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    email: Annotated[str, Form(max_length=254)],
) -> Response:
    """Make an existing account an administrator of the organisation."""
    rel = permissions.known_organisation(session, user, organisation_id)
    memberships.grant_admin(session, rel=rel, email=email)
    return redirect(request, f"/admin/organisations#org-{organisation_id}")


# ---- invitations ---------------------------------------------------------------------------------

Token = Annotated[str, Path(max_length=MAX_TOKEN_LENGTH)]


@pages.post("/organisations/{organisation_id}/invitations")
def invite(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Id,
    email: Annotated[str, Form(max_length=254)],
    role: Annotated[MembershipRole, Form()],
) -> Response:
    """Invite someone by e-mail into a role."""
    rel = permissions.known_organisation(session, user, organisation_id)
    memberships.invite(session, rel=rel, email=email, role=role)
    return redirect(request, f"/organisations/{organisation_id}/people?invited=1#invite-heading")


@pages.get("/invitations/{token}")
def invitation_page(
    request: Request, session: SessionDep, user: CurrentUser, token: Token
) -> Response:
    """What the invitation offers, and how to accept it (opening the link changes nothing)."""
    view = memberships.open_invitation(session, token=token)
    return render(
        request, "organisations/invitation.html", {"view": view, "token": token, **_labels()}
    )


@pages.post("/invitations/{token}/accept")
def accept_invitation(
    request: Request, session: SessionDep, user: CurrentUser, token: Token
) -> Response:
    """Accept with the account one is logged in with."""
    memberships.accept(session, token=token, user=user)
    return redirect(request, "/profile/memberships")


@pages.post("/invitations/{token}/register")
def accept_with_new_account(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    token: Token,
    display_name: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    """Create an account for the invited address, accept, and log in."""
    view = memberships.open_invitation(session, token=token)
    data = parse(
        UserCreate, email=view.invitation.email, display_name=display_name, password=password
    )
    created = memberships.accept_with_new_account(session, token=token, data=data)
    login_session(request, session, created)
    return redirect(request, "/profile/memberships")
