"""Who may use each route: one row per route of the app, checked as every role.

The rows come from the routes themselves: a route without a row here fails the build, so a new
route is never added without saying who may use it. Each row names the roles of the
market-dialogue scene (`tests/market.py`) that may use the route on the scene's objects:

- a read (GET) must answer 200 to exactly those roles, and 401, 403 or 404 to every other;
- a write must never succeed (nor fail with a 5xx) for a role the row leaves out; it is sent
  without a body, so it is refused by the policy or by validation, and the scene is unchanged;
- a live socket must accept exactly those roles, and close with 1008 for every other.

What each role may see *inside* an answer is `tests/test_permission_matrix.py`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from httpx import Cookies
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from app.config import get_settings
from app.models.base import id_of, utcnow
from app.models.mail import LinkPurpose
from app.models.maturity import ActionCreate
from app.services import links, permissions
from app.services.maturity import actions
from app.services.notifications import delivery
from tests.conftest import Factory, World, login, routes_of
from tests.helpers import ORIGIN, Api
from tests.market import EVERYONE, PROCURERS, Market

ROLES = (*sorted(EVERYONE), "admin")
ALL = frozenset(ROLES)
LOGGED_IN = ALL - {"anonymous"}
NOBODY: frozenset[str] = frozenset()
STAFF = PROCURERS | {"admin"}  # the project's procurers, and platform administrators
PARTICIPANTS = STAFF | {"employee", "supplier_a", "supplier_b"}
SUPPLIER_A = STAFF | {"supplier_a"}
HEARD = STAFF | {"employee", "supplier_a", "supplier_b"}  # the scene's hearing's audiences
READERS_OF_THE_LOG = STAFF | {"researcher"}
REGISTERED_SUPPLIERS = {"supplier_a", "supplier_b"}
RESPONDENTS = frozenset({"employee"})  # the scene's self-assessment round's respondent
ROUND_READERS = STAFF | RESPONDENTS | {"researcher"}
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# "METHOD path" → who may use it (on the scene's objects). Keep in the order of the app's routes.
ACCESS: dict[str, frozenset[str]] = {
    "GET /api/v1/openapi.json": ALL,
    # Accounts
    "GET /api/v1/auth/me": LOGGED_IN,
    "POST /api/v1/auth/token": ALL,
    "GET /api/v1/auth/tokens": LOGGED_IN,  # each their own
    "POST /api/v1/auth/tokens": LOGGED_IN,
    "DELETE /api/v1/auth/tokens/{token_id}": LOGGED_IN,  # 404 for another person's token
    "GET /login": ALL,
    "POST /login": ALL,
    "POST /logout": ALL,
    "GET /account/sessions": LOGGED_IN,  # each their own
    "POST /account/sessions/{session_id}/end": LOGGED_IN,  # 404 for another person's session
    "POST /account/sessions/end-others": LOGGED_IN,
    "GET /account/tokens": LOGGED_IN,
    "POST /account/tokens": LOGGED_IN,
    "POST /account/tokens/{token_id}/revoke": LOGGED_IN,  # 404 for another person's token
    "GET /register": ALL,
    "POST /register": ALL,
    "POST /language": ALL,
    # Logins through OpenID providers: the scene has none configured, so each provider route
    # answers 404 to everyone (tests/oidc/ logs in through real providers on loopback).
    "GET /login/oidc/{name}": NOBODY,
    "GET /account/logins/{name}/link": NOBODY,
    "GET /login/oidc/{name}/callback": NOBODY,
    "GET /account/logins": LOGGED_IN,  # each their own
    "POST /account/logins/{identity_id}/unlink": LOGGED_IN,  # 404 for another person's login
    "POST /account/name": LOGGED_IN,
    "GET /login/oidc/{name}/logged-out": NOBODY,
    "GET /verify-email/{token}": ALL,  # whoever holds the mailed link
    "POST /verify-email/{token}": ALL,
    "POST /profile/verify-email": LOGGED_IN,
    "GET /profile": LOGGED_IN,
    "GET /forgot-password": ALL,
    "POST /forgot-password": ALL,
    "GET /reset-password/{reset_token}": ALL,  # whoever holds the mailed link
    "POST /reset-password/{reset_token}": ALL,
    "GET /account/security": LOGGED_IN,
    "POST /account/security/password": LOGGED_IN,
    "POST /account/security/email": LOGGED_IN,
    "GET /change-email/{change_token}": ALL,  # whoever holds the mailed link
    "POST /change-email/{change_token}": ALL,
    # Projects and needs
    "GET /": ALL,
    "GET /api/v1/projects": ALL,
    "POST /api/v1/projects": {"procurer", "other_procurer", "admin"},
    "GET /api/v1/projects/{project_id}": ALL,
    "GET /projects/new": {"procurer", "other_procurer", "admin"},
    "POST /projects": {"procurer", "other_procurer", "admin"},
    "GET /projects/{project_id}": ALL,
    "GET /api/v1/projects/{project_id}/themes": ALL,  # the same automatic groups for everyone
    "GET /api/v1/projects/{project_id}/phase": ALL,
    "POST /api/v1/projects/{project_id}/phase": STAFF,
    "POST /projects/{project_id}/phase": STAFF,
    "GET /api/v1/projects/{project_id}/needs": ALL,
    "GET /api/v1/projects/{project_id}/needs/similar": ALL,  # with a `text` (QUERY_STRINGS)
    "GET /projects/{project_id}/needs/similar": ALL,  # the new-need form's suggestions
    "POST /suggestions/{suggestion_id}/dismiss": LOGGED_IN,  # 404 for another person's
    "POST /suggestions/{suggestion_id}/merge": STAFF,  # a procurer's own merge suggestion
    "POST /api/v1/projects/{project_id}/needs": LOGGED_IN,
    "POST /projects/{project_id}/needs": LOGGED_IN,
    "GET /api/v1/needs/{need_id}": ALL,
    "GET /needs/{need_id}": ALL,
    "GET /needs/{need_id}/comments": ALL,  # a page of the thread (with a cursor, QUERY_STRINGS)
    "GET /needs/{need_id}/own-comments": ALL,  # a page of one's own comments (none for visitors)
    "PUT /api/v1/needs/{need_id}/status": STAFF,
    "POST /needs/{need_id}/status": STAFF,
    "GET /api/v1/needs/{need_id}/comments": ALL,
    "POST /api/v1/needs/{need_id}/comments": LOGGED_IN,
    "POST /needs/{need_id}/comments": LOGGED_IN,
    "POST /api/v1/needs/{need_id}/supports": LOGGED_IN,
    "DELETE /api/v1/needs/{need_id}/supports": LOGGED_IN,
    "POST /needs/{need_id}/support": LOGGED_IN,
    "POST /needs/{need_id}/support/withdraw": LOGGED_IN,
    "POST /comments/{comment_id}/hide": STAFF,
    # Editing and withdrawing (issue 12, item 4): the scene's need is the employee's and its
    # comment the citizen's; only they edit them (or withdraw it), the procurers edit the project
    # and read the earlier versions.
    "GET /needs/{need_id}/edit": {"employee"},
    "POST /needs/{need_id}/edit": {"employee"},
    "GET /comments/{comment_id}/edit": {"citizen"},
    "POST /comments/{comment_id}/edit": {"citizen"},
    "POST /comments/{comment_id}/withdraw": {"citizen"},
    "GET /projects/{project_id}/edit": STAFF,
    "POST /projects/{project_id}/edit": STAFF,
    "PATCH /api/v1/needs/{need_id}": {"employee"},
    "GET /api/v1/needs/{need_id}/revisions": STAFF,
    "PATCH /api/v1/comments/{comment_id}": {"citizen"},
    "DELETE /api/v1/comments/{comment_id}": {"citizen"},
    "PATCH /api/v1/projects/{project_id}": STAFF,
    # Moderation (issue 12, item 5): anyone logged in reports what they see; the project's
    # procurers and the platform's moderators (admins) work the queue; authors ask for review.
    "POST /needs/{need_id}/hide": STAFF,
    "POST /reports": LOGGED_IN,
    "POST /reviews": LOGGED_IN,  # the author of hidden content, once
    "GET /projects/{project_id}/reports": STAFF,
    "POST /reports/{report_id}/decision": STAFF,
    "POST /projects/{project_id}/moderation": PROCURERS | {"admin"},
    "POST /api/v1/reports": LOGGED_IN,
    "POST /api/v1/reviews": LOGGED_IN,
    "GET /api/v1/projects/{project_id}/reports": STAFF,
    "POST /api/v1/reports/{report_id}/decision": STAFF,
    # Participation log, audit log and open data
    "GET /api/v1/projects/{project_id}/participation-events": READERS_OF_THE_LOG,
    "GET /api/v1/projects/{project_id}/audit-log": STAFF,
    "GET /projects/{project_id}/audit-log": STAFF,
    "GET /projects/{project_id}/audit-log.csv": STAFF,
    "GET /api/v1/projects/{project_id}/ocds": ALL,
    # Market dialogue: suppliers, questions, proposals
    "GET /api/v1/projects/{project_id}/suppliers": STAFF | REGISTERED_SUPPLIERS,  # each its own
    "POST /api/v1/projects/{project_id}/suppliers": {"supplier_a", "supplier_b"},
    "POST /projects/{project_id}/suppliers": {"supplier_a", "supplier_b"},
    "GET /api/v1/projects/{project_id}/questions": ALL,
    "POST /api/v1/projects/{project_id}/questions": REGISTERED_SUPPLIERS,
    "GET /projects/{project_id}/questions": ALL,
    "GET /projects/{project_id}/questions/more": ALL,  # a page of the published answers
    "GET /projects/{project_id}/questions/open": ALL,  # a page of the queue (or one's own): empty
    # for anyone who sees neither
    "POST /projects/{project_id}/questions": REGISTERED_SUPPLIERS,
    "GET /api/v1/questions/{question_id}": ALL,
    "PUT /api/v1/questions/{question_id}/answer": STAFF,
    "POST /api/v1/questions/{question_id}/publish": STAFF,
    "POST /api/v1/questions/{question_id}/withdraw": SUPPLIER_A,
    "POST /questions/{question_id}/answer": STAFF,
    "POST /questions/{question_id}/publish": STAFF,
    "POST /questions/{question_id}/withdraw": SUPPLIER_A,
    # The specification: the draft is for its writers, the procurers and the invited co-author
    # (the scene's employee) until it is final; only procurers invite and mark it final.
    "GET /api/v1/projects/{project_id}/requirements": ALL,  # an empty list for the others
    "POST /api/v1/projects/{project_id}/requirements": STAFF | {"employee"},
    "GET /api/v1/requirements/{requirement_id}": STAFF | {"employee"},
    "PATCH /api/v1/requirements/{requirement_id}": STAFF | {"employee"},
    "GET /api/v1/requirements/{requirement_id}/versions": STAFF | {"employee"},
    "GET /api/v1/requirements/{requirement_id}/versions/diff": STAFF | {"employee"},
    "GET /api/v1/projects/{project_id}/specification.pdf": STAFF | {"employee"},
    "GET /api/v1/projects/{project_id}/specification.docx": STAFF | {"employee"},
    "POST /api/v1/projects/{project_id}/specification/co-authors": STAFF,
    "POST /api/v1/projects/{project_id}/specification/final": STAFF,
    "GET /projects/{project_id}/specification": STAFF | {"employee"},
    "POST /projects/{project_id}/specification/requirements": STAFF | {"employee"},
    "POST /projects/{project_id}/specification/co-authors": STAFF,
    "POST /projects/{project_id}/specification/final": STAFF,
    "GET /requirements/{requirement_id}": STAFF | {"employee"},
    "POST /requirements/{requirement_id}/edit": STAFF | {"employee"},
    # The influence report: for everyone who may see the project, each as much as they may open
    "GET /api/v1/projects/{project_id}/influence": ALL,
    "GET /projects/{project_id}/influence": ALL,
    # Trace links (issue 13, item 3): read and written by the specification's writers while it
    # is a draft (the scene's links are the procurer's; the employee co-authors).
    "GET /api/v1/requirements/{requirement_id}/links": STAFF | {"employee"},
    "POST /api/v1/requirements/{requirement_id}/links": STAFF | {"employee"},
    "DELETE /api/v1/requirements/{requirement_id}/links/{link_id}": STAFF | {"employee"},
    "POST /requirements/{requirement_id}/links": STAFF | {"employee"},
    "POST /requirements/{requirement_id}/links/{link_id}/remove": STAFF | {"employee"},
    "POST /requirements/{requirement_id}/suggestions/{suggestion_id}/accept": STAFF | {"employee"},
    "POST /requirements/{requirement_id}/suggestions/{suggestion_id}/dismiss": STAFF | {"employee"},
    # The hearing: put to the project's employees and registered suppliers; nobody else learns
    # it exists (an empty list of hearings, 404 for the hearing).
    "POST /api/v1/projects/{project_id}/hearings": STAFF,
    "GET /api/v1/projects/{project_id}/hearings": ALL,
    "GET /api/v1/hearings/{hearing_id}": HEARD,
    "POST /api/v1/hearings/{hearing_id}/comments": HEARD,
    "GET /hearings/{hearing_id}": HEARD,
    "POST /projects/{project_id}/hearings": STAFF,
    "POST /hearings/{hearing_id}/comments": HEARD,
    "GET /api/v1/projects/{project_id}/proposals": ALL,
    "POST /api/v1/projects/{project_id}/proposals": REGISTERED_SUPPLIERS,
    "GET /projects/{project_id}/proposals": ALL,
    "GET /projects/{project_id}/proposals/more": ALL,  # the list's next page (htmx)
    "POST /projects/{project_id}/proposals": REGISTERED_SUPPLIERS,
    "GET /api/v1/proposals/{proposal_id}": SUPPLIER_A,
    "GET /proposals/{proposal_id}": SUPPLIER_A,
    "POST /api/v1/proposals/{proposal_id}/attachments": {"supplier_a"},
    "POST /proposals/{proposal_id}/attachments": {"supplier_a"},
    "GET /api/v1/proposals/{proposal_id}/attachments/{attachment_id}": SUPPLIER_A,
    "POST /api/v1/proposals/{proposal_id}/publish-summary": {"supplier_a"},
    "POST /proposals/{proposal_id}/publish-summary": {"supplier_a"},
    "PUT /api/v1/proposals/{proposal_id}/status": STAFF,
    "POST /proposals/{proposal_id}/status": STAFF,
    "POST /api/v1/proposals/{proposal_id}/withdraw": {"supplier_a"},
    "GET /proposals/{proposal_id}/withdraw": {"supplier_a"},  # the confirmation page
    "POST /proposals/{proposal_id}/withdraw": {"supplier_a"},
    "PUT /api/v1/claims/{claim_id}/decision": STAFF,
    "POST /claims/{claim_id}/decision": STAFF,
    # Dialogue events
    "GET /api/v1/projects/{project_id}/events": ALL,
    "POST /api/v1/projects/{project_id}/events": STAFF,
    "GET /api/v1/projects/{project_id}/events.ics": ALL,
    "GET /projects/{project_id}/events": ALL,
    "GET /projects/{project_id}/events/more": ALL,  # the list's next page (htmx)
    "POST /projects/{project_id}/events": STAFF,
    "GET /api/v1/events/{event_id}": ALL,
    "GET /api/v1/events/{event_id}.ics": ALL,
    "GET /events/{event_id}": ALL,
    "GET /api/v1/events/{event_id}/registrations": STAFF,
    "POST /api/v1/events/{event_id}/registrations": LOGGED_IN,
    "DELETE /api/v1/events/{event_id}/registrations/me": LOGGED_IN,
    "POST /events/{event_id}/register": LOGGED_IN,
    "POST /events/{event_id}/cancel": LOGGED_IN,
    "POST /api/v1/events/{event_id}/attendance": STAFF,
    "POST /events/{event_id}/attendance": STAFF,
    "PUT /api/v1/events/{event_id}/minutes": STAFF,
    "POST /api/v1/events/{event_id}/minutes/publish": STAFF,
    "POST /events/{event_id}/minutes": STAFF,
    "GET /api/v1/events/{event_id}/slots": ALL,
    "POST /api/v1/events/{event_id}/slots": STAFF,
    "POST /events/{event_id}/slots": STAFF,
    "POST /api/v1/slots/{slot_id}/booking": REGISTERED_SUPPLIERS,
    "DELETE /api/v1/slots/{slot_id}/booking": STAFF | REGISTERED_SUPPLIERS,  # procurers too
    "POST /slots/{slot_id}/book": REGISTERED_SUPPLIERS,
    "POST /slots/{slot_id}/cancel": STAFF | REGISTERED_SUPPLIERS,
    # Documents
    "GET /api/v1/projects/{project_id}/documents": ALL,
    "POST /api/v1/projects/{project_id}/documents": STAFF,
    "GET /projects/{project_id}/documents": ALL,
    "GET /projects/{project_id}/documents/more": ALL,  # the list's next page (htmx)
    "POST /projects/{project_id}/documents": STAFF,
    "GET /api/v1/documents/{document_id}": PARTICIPANTS,
    "GET /api/v1/documents/{document_id}/file": PARTICIPANTS,
    "DELETE /api/v1/documents/{document_id}": STAFF,
    "PUT /api/v1/documents/{document_id}/audience": STAFF,
    "POST /api/v1/documents/{document_id}/publish": STAFF,
    "POST /documents/{document_id}/audience": STAFF,
    "POST /documents/{document_id}/publish": STAFF,
    "POST /documents/{document_id}/withdraw": STAFF,
    # Research and metrics
    "GET /api/v1/research/studies": LOGGED_IN,  # which studies exist is no secret
    "POST /api/v1/research/studies": {"researcher", "admin"},
    "GET /api/v1/research/studies/{study_id}": LOGGED_IN,
    "GET /api/v1/research/studies/{study_id}/export": {"researcher", "admin"},
    "POST /api/v1/research/studies/{study_id}/consent": LOGGED_IN,
    "DELETE /api/v1/research/studies/{study_id}/consent": LOGGED_IN,
    "POST /profile/studies/{study_id}/consent": LOGGED_IN,
    "POST /profile/studies/{study_id}/withdraw": LOGGED_IN,
    "GET /research/studies": LOGGED_IN,
    "GET /research/studies/new": {"researcher", "admin"},
    "POST /research/studies/new": {"researcher", "admin"},
    # A self-assessment round's export (issue 14, item 7): its owners. The scene's round is
    # open, so the researcher whose study covers it waits for the close, like its respondent (the
    # employee); test_permission_matrix.py reads a closed round's export as each role.
    "GET /api/v1/maturity/rounds/{round_id}/export.csv": STAFF,
    "GET /api/v1/maturity/rounds/{round_id}/export.json": STAFF,
    "GET /maturity/rounds/{round_id}/export.csv": STAFF,
    "GET /maturity/rounds/{round_id}/export.json": STAFF,
    "GET /api/v1/metrics": ALL,
    "GET /api/v1/projects/{project_id}/metrics": ALL,
    "GET /projects/{project_id}/metrics": ALL,
    "GET /api/v1/organisations/{organisation_id}/metrics": ALL,
    "GET /organisations/{organisation_id}/metrics": ALL,
    "GET /platform/metrics": ALL,  # what each visitor may read, together
    # A figure's data as CSV, with its dashboard's permission (test_permission_matrix.py)
    "GET /projects/{project_id}/metrics/data/{key}.csv": ALL,
    "GET /organisations/{organisation_id}/metrics/data/{key}.csv": ALL,
    "GET /platform/metrics/data/{key}.csv": ALL,
    # Organisations and their people (the scene's organisation: the owner, which its procurer
    # administers; platform administrators act in every organisation)
    "GET /organisations/{organisation_id}/people": STAFF,
    "POST /organisations/{organisation_id}/people/{membership_id}/approve": STAFF,
    "POST /organisations/{organisation_id}/people/{membership_id}/decline": STAFF,
    "POST /organisations/{organisation_id}/people/{membership_id}/revoke": STAFF,
    "POST /organisations/{organisation_id}/domains": STAFF,
    "POST /organisations/{organisation_id}/domains/{domain_id}/remove": STAFF,
    "GET /organisations/{organisation_id}/audit": STAFF,
    "GET /organisations/{organisation_id}/audit.csv": STAFF,
    "POST /organisations/{organisation_id}/invitations": STAFF,
    "GET /invitations/{token}": ALL,  # whoever holds the mailed link
    "POST /invitations/{token}/accept": LOGGED_IN,  # with the invited address
    "POST /invitations/{token}/register": ALL,
    "GET /profile/memberships": LOGGED_IN,
    "POST /profile/act-as": LOGGED_IN,  # in one's own memberships
    "GET /companies/register": ALL,
    "POST /companies/register": LOGGED_IN,
    "GET /register/sent": ALL,
    "GET /admin/organisations": {"admin"},
    "POST /admin/organisations": {"admin"},
    "POST /admin/organisations/{organisation_id}/verify-number": {"admin"},
    "POST /admin/organisations/{organisation_id}/deactivate": {"admin"},
    "POST /admin/organisations/{organisation_id}/admins": {"admin"},
    # Issue 12, my contributions and the needs list: each their own contributions; the
    # "load more" fragment of a project's needs for whoever may see the project
    "GET /me": LOGGED_IN,
    "GET /api/v1/me/contributions": LOGGED_IN,
    "GET /projects/{project_id}/needs": ALL,
    # Notifications and following (issue 12, items 1, 2 and 9)
    "GET /me/notifications": LOGGED_IN,  # each their own
    "POST /me/notifications/{notification_id}/read": LOGGED_IN,  # another's: nothing changes
    "POST /me/notifications/read": LOGGED_IN,
    "GET /me/notifications/settings": LOGGED_IN,
    "POST /me/notifications/settings": LOGGED_IN,
    "GET /unsubscribe/{unsubscribe_token}": ALL,  # the signed token is the key, no login
    "POST /unsubscribe/{unsubscribe_token}": ALL,  # RFC 8058 one-click: no login, no CSRF
    "POST /projects/{project_id}/follow": LOGGED_IN,  # whoever sees the project
    "POST /projects/{project_id}/unfollow": LOGGED_IN,
    "POST /needs/{need_id}/follow": LOGGED_IN,
    "POST /needs/{need_id}/unfollow": LOGGED_IN,
    "GET /api/v1/me/notifications": LOGGED_IN,
    "POST /api/v1/me/notifications/read": LOGGED_IN,
    "GET /api/v1/me/notifications/settings": LOGGED_IN,  # each their own
    "PATCH /api/v1/me/notifications/settings": LOGGED_IN,
    "POST /api/v1/projects/{project_id}/follow": LOGGED_IN,
    "DELETE /api/v1/projects/{project_id}/follow": LOGGED_IN,
    "POST /api/v1/needs/{need_id}/follow": LOGGED_IN,
    "DELETE /api/v1/needs/{need_id}/follow": LOGGED_IN,
    "WS /ws/people/{user_id}": {"citizen"},  # the scene's channel is the citizen's own
    # Live sockets
    "WS /ws/projects/{project_id}": ALL,
    "WS /ws/needs/{need_id}": ALL,
    "WS /ws/events/{event_id}": ALL,
    "WS /ws/projects/{project_id}/events": ALL,
    "WS /ws/projects/{project_id}/questions": ALL,
    "WS /ws/projects/{project_id}/specification": STAFF | {"employee"},
    "WS /ws/requirements/{requirement_id}": STAFF | {"employee"},
    "WS /ws/hearings/{hearing_id}": HEARD,
    "WS /ws/projects/{project_id}/documents": ALL,
    "WS /ws/projects/{project_id}/metrics": ALL,
    "WS /ws/projects/{project_id}/proposals": ALL,
    "WS /ws/projects/{project_id}/reports": STAFF,  # the moderation queue
    # Operations
    "GET /healthz": ALL,
    "GET /readyz": ALL,
    "GET /metrics": NOBODY,  # only the local machine or PIVOTAL_METRICS_TOKEN (test_edge.py)
    # Privacy by law (issue 12): statements, one's own data export and deletion, objections to
    # studies, and the owner's retention time (tests/privacy covers each person only themselves)
    "GET /api/v1/me/export": LOGGED_IN,  # each their own
    "DELETE /api/v1/me": LOGGED_IN,  # one's own account, with the password and the typed word
    "POST /api/v1/research/studies/{study_id}/objection": LOGGED_IN,
    "DELETE /api/v1/research/studies/{study_id}/objection": LOGGED_IN,
    "POST /profile/studies/{study_id}/object": LOGGED_IN,
    "POST /profile/studies/{study_id}/take-back": LOGGED_IN,
    "GET /personvern": ALL,
    "GET /tilgjengelighet": ALL,
    "POST /profile/delete": LOGGED_IN,
    "GET /account-deleted": ALL,
    "POST /organisations/{organisation_id}/retention": STAFF,
    # An organisation's målform and accent colour (issue 15): set by its administrators; its
    # theme's stylesheet is read by every page of its own and of its projects
    "POST /organisations/{organisation_id}/look": STAFF,
    "POST /organisations/{organisation_id}/logo": STAFF,
    "GET /organisations/{organisation_id}/logo": ALL,
    "GET /organisations/{organisation_id}/theme.css": ALL,
    # Search (issue 13, item 6): open to all; what each finds is test_permission_matrix.py's
    "GET /api/v1/search": ALL,
    "GET /search": ALL,
    # Self-assessment results (issue 14): the scene's round is open, so only those who run it;
    # respondents and researchers after the close are test_permission_matrix.py's
    "GET /api/v1/maturity/rounds/{round_id}/results": STAFF,
    "GET /maturity/rounds/{round_id}/results": STAFF,
    # Development actions of a self-assessment round (issue 14): those who run the round (the
    # owner's procurer, administrators); the scene's round is open, so no one else reads them
    # yet (tests/maturity/test_actions.py covers respondents after the close).
    "GET /api/v1/maturity/rounds/{round_id}/actions": STAFF,
    "POST /api/v1/maturity/rounds/{round_id}/actions": STAFF,
    "PATCH /api/v1/maturity/actions/{action_id}": STAFF,
    "GET /maturity/rounds/{round_id}/actions": STAFF,
    "POST /maturity/rounds/{round_id}/actions": STAFF,
    "POST /maturity/actions/{action_id}": STAFF,
    # The self-assessment (issue 14): the owner's round, run by its procurer (and platform
    # administrators), answered by the owner's employee, seen by the researcher through a study
    # that covers the municipality; the model is public.
    "GET /api/v1/maturity/model": ALL,
    "GET /api/v1/organisations/{organisation_id}/maturity/rounds": LOGGED_IN,  # each what they may
    "POST /api/v1/organisations/{organisation_id}/maturity/rounds": STAFF,
    "GET /api/v1/maturity/rounds/{round_id}": ROUND_READERS,
    "POST /api/v1/maturity/rounds/{round_id}/respondents": STAFF,
    "DELETE /api/v1/maturity/rounds/{round_id}/respondents/{respondent_id}": STAFF,
    "PUT /api/v1/maturity/rounds/{round_id}/answers": RESPONDENTS,
    "POST /api/v1/maturity/rounds/{round_id}/submit": RESPONDENTS,
    "POST /api/v1/maturity/rounds/{round_id}/close": STAFF,
    "GET /organisations/{organisation_id}/maturity": LOGGED_IN,  # each the rounds they may see
    "POST /organisations/{organisation_id}/maturity/rounds": STAFF,
    "GET /maturity/rounds/{round_id}": ROUND_READERS,
    "POST /maturity/rounds/{round_id}/respondents": STAFF,
    "POST /maturity/rounds/{round_id}/respondents/{respondent_id}/remove": STAFF,
    "GET /maturity/rounds/{round_id}/close": STAFF,
    "POST /maturity/rounds/{round_id}/close": STAFF,
    "GET /maturity/rounds/{round_id}/answer": RESPONDENTS,
    "POST /maturity/rounds/{round_id}/answer": RESPONDENTS,
    "POST /maturity/rounds/{round_id}/submit": RESPONDENTS,
    "GET /maturity/invitations/{token}": ALL,  # whoever holds the mailed link
    "POST /maturity/invitations/{token}/accept": LOGGED_IN,
}
# Reads not made here, and why.
NOT_READ = {
    "GET /organisations/{organisation_id}/logo": "the scene's organisation has no logo; "
    "tests/routers/test_language_and_theme.py covers uploading and reading one",
    "GET /api/v1/research/studies/{study_id}/export": "a zip built for the study's researcher; "
    "tests/research covers who may take it",
    "GET /invitations/{token}": "the token is the key, not the role; "
    "tests/routers/test_organisation_people.py covers invitations",
    "GET /maturity/invitations/{token}": "the token is the key, not the role; "
    "tests/maturity/test_rounds_pages.py covers e-mailed invitations",
}
PARAMS = re.compile(r"{(\w+)}")
# Reads that need a query string to answer at all (without one they are a 422 for everyone).
QUERY_STRINGS = {
    # after the first comment there could be (2020-01-01, id 1)
    "/needs/{need_id}/comments": "?cursor=WyIyMDIwLTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwxLDBd",
    "/api/v1/projects/{project_id}/needs/similar": "?text=Nattilsyn som vekker brukerne",
    "/api/v1/requirements/{requirement_id}/versions/diff": "?from=1&to=1",
    "/api/v1/search": "?q=nattilsyn",
    "/search": "?q=nattilsyn",
}


def app_routes() -> Iterator[tuple[str, str]]:
    """Every (method, path) the app answers, walking included routers of any FastAPI version."""
    from app.main import app

    for path, route in routes_of(app):
        if isinstance(route, APIWebSocketRoute):
            yield "WS", path
        elif isinstance(route, APIRoute) or hasattr(route, "methods"):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, path


def test_every_route_has_a_row_saying_who_may_use_it() -> None:
    found = {f"{method} {path}" for method, path in app_routes()}
    missing = sorted(found - ACCESS.keys())
    stale = sorted(ACCESS.keys() - found)
    assert not missing, "routes without a row in ACCESS (say who may use them):\n" + "\n".join(
        missing
    )
    assert not stale, "rows in ACCESS for routes that no longer exist:\n" + "\n".join(stale)


class Scene:
    """The market plus a client per channel, acting as one role at a time."""

    def __init__(self, client: TestClient, api: Api, market: Market, session: Session) -> None:
        self.client, self.api, self.market = client, api, market
        self.logged_in: dict[str, tuple[Cookies, str]] = {}  # role → its session, as logged in
        self.users = dict(market.users)
        self.token = links.issue(
            session,
            purpose=LinkPurpose.verify_email,
            email="someone@example.org",
            ttl=timedelta(hours=1),
        )
        citizen = market.users["citizen"]
        self.reset_token, self.change_token = (
            links.issue(
                session,
                purpose=purpose,
                email=email,
                user_id=citizen.id,
                ttl=timedelta(hours=1),
            )
            for purpose, email in (
                (LinkPurpose.reset_password, citizen.email),
                (LinkPurpose.change_email, "new-address@example.org"),
            )
        )
        session.commit()
        self.values = {
            "project_id": market.project,
            "need_id": market.need,
            "comment_id": market.comment,
            "question_id": market.published,
            "requirement_id": market.requirement,
            "link_id": market.need_link,
            "hearing_id": market.hearing,
            "proposal_id": market.hidden_proposal,
            "attachment_id": market.attachment,
            "claim_id": market.claim,
            "event_id": market.event,
            "slot_id": market.slot,
            "document_id": market.participants_document,
            "study_id": market.study,
            "organisation_id": market.organisation,
            "membership_id": market.pending_request,
            "domain_id": market.domain,
            "round_id": market.maturity_round,
            "respondent_id": market.respondent,
            "token": self.token,
            "reset_token": self.reset_token,
            "change_token": self.change_token,
            "session_id": 1,  # the scene's first login session (the token's: the first API login)
            "token_id": 1,
            "name": "no-such-provider",
            "identity_id": 1,  # nobody in the scene has linked a provider: a 404 for everyone
            "notification_id": 1,
            "user_id": citizen.id,
            "unsubscribe_token": delivery.unsubscribe_token(citizen.id, "reply"),
            "report_id": self._report(api, market),
            "suggestion_id": 1,  # none is shown in the scene: a 404 for everyone
            "key": "participation_by_role",  # a dashboard figure
            **self._maturity(session, market),
        }

    @staticmethod
    def _maturity(session: Session, market: Market) -> dict[str, int]:
        """A development action on the scene's closed self-assessment round."""
        procurer = market.users["procurer"]
        data = ActionCreate(
            title="Dialogkonferanse",
            indicator="market_dialogue",
            owner_id=procurer.id,
            due=(utcnow() + timedelta(days=60)).date(),
        )
        round_rel = permissions.round_relation(session, procurer, market.round)
        action = actions.add_action(session, rel=round_rel, data=data)
        session.commit()
        return {"action_id": id_of(action)}

    @staticmethod
    def _report(api: Api, market: Market) -> int:
        """A report on the scene's comment, so the decision routes have one to refuse."""
        body = {"object_type": "comment", "object_id": market.comment, "reason": "Upassende"}
        filed = api.post("/reports", market.users["employee"], json=body)
        assert filed.status_code == 201, filed.text
        return int(filed.json()["id"])

    def url(self, path: str) -> str:
        names = PARAMS.findall(path)
        unknown = [name for name in names if name not in self.values]
        assert not unknown, f"{path}: give the scene an object for {unknown} in Scene.values"
        return PARAMS.sub(lambda m: str(self.values[m.group(1)]), path) + QUERY_STRINGS.get(
            path, ""
        )

    def act_as(self, role: str) -> dict[str, str]:
        """The browser client as the role, just logged in (its cookies and CSRF header as the
        login left them; the login itself is made once per role); the API headers for it."""
        user = self.users[role]
        if role not in self.logged_in:
            self.client.cookies.clear()
            self.client.headers.pop("X-CSRF-Token", None)
            if user is not None:
                login(self.client, user)
            else:
                page = self.client.get("/login")  # a visitor's session and CSRF token
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
                assert token
                self.client.headers["X-CSRF-Token"] = token.group(1)
            self.logged_in[role] = (
                Cookies(self.client.cookies),
                self.client.headers["X-CSRF-Token"],
            )
        cookies, csrf = self.logged_in[role]
        self.client.cookies = Cookies(cookies)  # what an earlier call set is forgotten
        self.client.headers["X-CSRF-Token"] = csrf
        return self.api.headers(user)

    def call(self, role: str, method: str, path: str) -> int:
        """The status the role gets (for a socket: 101 accepted, 1008 refused)."""
        headers = self.act_as(role)
        url = self.url(path)
        if method == "WS":
            try:
                with self.client.websocket_connect(url, headers=ORIGIN) as socket:
                    socket.receive_text()
                    return 101
            except WebSocketDisconnect as closed:
                return closed.code
        if not path.startswith("/api/"):
            headers = {"Accept-Language": "en"}  # pages: the browser client's own session
        response = self.client.request(method, url, headers=headers, follow_redirects=False)
        return response.status_code


@pytest.fixture
def scene(
    client: TestClient,
    api: Api,
    world: World,
    factory: Factory,
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Scene:
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    built = Scene(client, api, Market(api, world, factory), session)
    built.users["admin"] = world.admin
    return built


REFUSED = {401, 403, 404}
REFUSED_WRITE = {401, 403, 404, 405, 409, 422}


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role_as_its_row_says(role: str, scene: Scene) -> None:
    wrong = []
    for method, path in app_routes():
        key = f"{method} {path}"
        if key in NOT_READ:
            continue
        allowed = role in ACCESS.get(key, NOBODY)
        if method in UNSAFE:
            if allowed:
                continue  # writes that may succeed are each domain's own tests
            status = scene.call(role, method, path)
            if status not in REFUSED_WRITE:
                wrong.append(f"{key}: {status}, but {role} may not use it")
            continue
        status = scene.call(role, method, path)
        if method == "WS":
            ok = status == 101 if allowed else status == 1008
        else:
            ok = status == 200 if allowed else status in REFUSED
        if not ok:
            expected = "allowed" if allowed else "refused"
            wrong.append(f"{key}: {status}, but {role} should be {expected}")
    assert not wrong, f"{role}:\n  " + "\n  ".join(wrong)
