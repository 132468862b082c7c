"""Who sees what in the market dialogue: every role × every object, through pages, API and socket.

One scene is built through the API (a public project in market dialogue, two registered
supplier companies, their questions, proposals, events and documents). Each cell of `CELLS` names
an object, a channel, where to look, a text only that object carries, and the roles that may see
it; every role is checked against every cell, and a failure lists all the cells that disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from app.config import get_settings
from app.models import LinkedIdentity, Organisation, User
from app.models.base import Role, id_of
from app.models.maturity import MaturityUnit, RoundOpen
from app.services import permissions
from app.services.maturity import rounds
from tests.conftest import Factory, World, login
from tests.helpers import ORIGIN, Api, docx_text, pdf_text
from tests.market import (
    ANSWER,
    ASKED,
    COLLEAGUE,
    COLLEAGUE_EVIDENCE,
    CONFERENCE,
    CONFIDENTIAL_RATIONALE,
    DRAFT_DOCUMENT,
    DRAFT_REQUIREMENT,
    EARLIER_PROBLEM,
    EDITED_PROBLEM,
    EVERYONE,
    HEARD,
    HEARING_COMMENT,
    LEADERSHIP_ROUND_TITLE,
    MATURITY_COMMENT,
    MINUTES,
    NEED_LINK_RATIONALE,
    OWN_EVIDENCE,
    OWNER_DOMAIN,
    PARTICIPANTS,
    PARTICIPANTS_DOCUMENT,
    PENDING_EMAIL,
    PROCURERS,
    PUBLIC_DOCUMENT,
    PUBLISHED_SUMMARY,
    RATIONALE,
    ROLES,
    ROUND_TITLE,
    SECRET_BODY,
    SUPPLIER_HEARING_COMMENT,
    UNANSWERED,
    UNPUBLISHED_SUMMARY,
    WITHDRAWN_BODY,
    Market,
)
from tests.maturity.conftest import Levels, invite_member, open_round, run_round


@dataclass(frozen=True)
class Cell:
    """One object seen through one channel: where to look, what shows it, who may see it."""

    object: str
    # "api" (bearer token), "page" (logged-in browser), "socket" (resync on connect), "export" (a
    # downloaded file, read by a real parser)
    channel: str
    path: str  # formatted with the Market's attributes
    marker: str  # formatted with the Market's attributes too
    allowed: frozenset[str]


def cells(object: str, marker: str, allowed: frozenset[str], **paths: str) -> list[Cell]:
    """The same object through several channels."""
    return [Cell(object, channel, path, marker, allowed) for channel, path in paths.items()]


# A person's own sessions and tokens: only they see them listed.
SUPPLIER_TOKEN = "Leverandør A sitt eksportskript"
SUPPLIER_BROWSER = "LeverandorA-nettleser/1.0"
SUPPLIER_LOGIN_PROVIDER = "leverandorporten-a"
EXPORT = "/api/v1/me/export"
# Moderation (issue 12, item 5): an open report waits in the queue; a comment was hidden.
REPORT_REASON = "Rapport: kommentaren røper hvem som bor i omsorgsboligen."
HIDDEN_BODY = "Beboeren i rom 12 heter Ola og har demens."
HIDE_REASON = "Skjult: personopplysninger om en beboer."
QUEUE_PATHS = {
    "api": "/api/v1/projects/{project}/reports",
    "page": "/projects/{project}/reports",
    "socket": "/ws/projects/{project}/reports",
}
THREAD_PATHS = {
    "api": "/api/v1/needs/{need}/comments",
    "page": "/needs/{need}",
    "socket": "/ws/needs/{need}",
}
QA_PATHS = {
    "api": "/api/v1/projects/{project}/questions",
    "page": "/projects/{project}/questions",
    "socket": "/ws/projects/{project}/questions",
}
LINK_PATHS = {
    "api": "/api/v1/requirements/{requirement}/links",
    "page": "/requirements/{requirement}",
    "socket": "/ws/requirements/{requirement}",
}
USED_IN_DRAFT = "Innkjøperne bruker dette behovet i arbeidet med kravspesifikasjonen."
# Two needs on one subject (issue 13): an automatic theme, and a merge suggestion for procurers.
DUPLICATES = [
    ("Parkering ved sykehjemmet", "Parkeringsplassen ved sykehjemmet er full hver ettermiddag."),
    ("Full parkeringsplass", "Parkeringsplassen ved sykehjemmet er alltid full om ettermiddagen."),
]


ACTION_TITLE = "Tiltak: åpen dialogkonferanse før neste anskaffelse"


def search_paths(query: str) -> dict[str, str]:
    """The search API and the search page, both asked for the same words."""
    return {"api": f"/api/v1/search?q={query}", "page": f"/search?q={query}"}


CELLS: list[Cell] = [
    # A self-assessment round's export (issue 14, item 7): the owners get names and answers;
    # the researcher, through the scene's study of the owner's project, the same rows
    # pseudonymised and without free text (the study leaves it out); nobody else gets a file.
    *cells(
        "a round export's respondent name and comment",
        MATURITY_COMMENT,
        PROCURERS,
        api="/api/v1/maturity/rounds/{round}/export.csv",
        page="/maturity/rounds/{round}/export.json",
    ),
    *cells(
        "a round export's respondent name",
        "Emil Employee",
        PROCURERS,
        api="/api/v1/maturity/rounds/{round}/export.json",
        page="/maturity/rounds/{round}/export.csv",
    ),
    *cells(
        "a round export, pseudonymised",
        '"pseudonymised":true',
        frozenset({"researcher"}),
        api="/api/v1/maturity/rounds/{round}/export.json",
        page="/maturity/rounds/{round}/export.json",
    ),
    # Automatic themes (issue 13): the same groups for whoever sees the project.
    *cells(
        "an automatic theme (themes API)",
        "parkeringsplassen",
        EVERYONE,
        api="/api/v1/projects/{project}/themes",
    ),
    *cells(
        "the needs list's automatic-theme filter",
        'id="needs-group"',
        EVERYONE,
        page="/projects/{project}",
    ),
    # Merge suggestions on a need's page: the project's procurers only, and no sign for others.
    *cells("a merge suggestion", "merge-heading", PROCURERS, page="/needs/{duplicate}"),
    # Similar needs (issue 13): a need of the project is suggested to whoever sees the project.
    *cells(
        "a similar need (suggestion API)",
        "Nattilsyn uten å vekke",
        EVERYONE,
        api="/api/v1/projects/{project}/needs/similar?text=Nattilsynet vekker brukerne",
        page="/projects/{project}/needs/similar?title=Nattilsynet vekker brukerne",
    ),
    # Inside the owner municipality: what its vouched-for staff see, and nobody who only said so.
    *cells(
        "internal project",
        "Internt prosjekt",
        PROCURERS | {"employee"},
        api="/api/v1/projects/{internal}",
        page="/projects/{internal}",
    ),
    *cells(
        "the owner's members (people page)",
        "Emil Employee",
        PROCURERS,
        page="/organisations/{owner_org}/people",
    ),
    *cells(
        "the owner's pending requests (people page)",
        PENDING_EMAIL,
        PROCURERS,
        page="/organisations/{owner_org}/people",
    ),
    *cells(
        "the owner's domains (people page)",
        OWNER_DOMAIN,
        PROCURERS,
        page="/organisations/{owner_org}/people",
    ),
    *cells(
        "the owner's audit log",
        OWNER_DOMAIN,
        PROCURERS,
        page="/organisations/{owner_org}/audit",
    ),
    *cells(
        "the owner's audit log as CSV",
        OWNER_DOMAIN,
        PROCURERS,
        page="/organisations/{owner_org}/audit.csv",
    ),
    *cells(
        "platform administration of organisations",
        "Annen kommune",
        frozenset(),
        page="/admin/organisations",
    ),
    *cells(
        "one's own memberships",
        "Eierkommune",
        PROCURERS | {"employee", "pending_employee"},
        page="/profile/memberships",
    ),
    *cells(
        "supplier A's named API token",
        SUPPLIER_TOKEN,
        frozenset({"supplier_a"}),
        api="/api/v1/auth/tokens",
        page="/account/tokens",
    ),
    *cells(
        "supplier A's session in another browser",
        SUPPLIER_BROWSER,
        frozenset({"supplier_a"}),
        page="/account/sessions",
    ),
    *cells(
        "supplier A's linked login at an OpenID provider",
        SUPPLIER_LOGIN_PROVIDER,
        frozenset({"supplier_a"}),
        page="/account/logins",
        api=EXPORT,
    ),
    # Issue 12, my contributions: a company's open question and proposal only on its own
    # people's /me; the need commented on only on its author's and commenter's; never a secret.
    *cells(
        "supplier A's open question among its contributions",
        UNANSWERED,
        frozenset({"supplier_a"}),
        api="/api/v1/me/contributions",
        page="/me",
    ),
    *cells(
        "supplier A's unpublished proposal among its contributions",
        "Radar i taket",
        frozenset({"supplier_a"}),
        api="/api/v1/me/contributions",
        page="/me",
    ),
    *cells(
        "the need the citizen commented on, among contributions",
        "Nattilsyn uten å vekke",
        frozenset({"citizen", "employee"}),
        api="/api/v1/me/contributions",
        page="/me",
    ),
    *cells(
        "a proposal's confidential body among contributions",
        SECRET_BODY,
        frozenset(),
        api="/api/v1/me/contributions",
        page="/me",
    ),
    *cells("unanswered question", UNANSWERED, PROCURERS | {"supplier_a"}, **QA_PATHS),
    *cells("published answer", ANSWER, EVERYONE, **QA_PATHS),
    # The page and the socket show published answers in their anonymised wording to everyone;
    # the original stays in the API for those who may read it, and nowhere else.
    *cells(
        "published answer's original wording",
        ASKED,
        PROCURERS | {"supplier_a"},
        api=QA_PATHS["api"],
    ),
    *cells(
        "published answer's original wording on the Q&A page",
        ASKED,
        frozenset(),
        page=QA_PATHS["page"],
        socket=QA_PATHS["socket"],
    ),
    *cells(
        "who asked the published answer",
        "Leverandør AS",
        PROCURERS | {"supplier_a"},
        api="/api/v1/questions/{published}",
    ),
    *cells(
        "published answer in OCDS",
        ANSWER,
        EVERYONE,
        api="/api/v1/projects/{project}/ocds",
    ),
    *cells(
        "unanswered question or asker in OCDS",
        UNANSWERED,
        frozenset(),
        api="/api/v1/projects/{project}/ocds",
    ),
    *cells("asker in OCDS", "Leverandør AS", frozenset(), api="/api/v1/projects/{project}/ocds"),
    *cells(
        "registration list (company B)",
        "Konkurrent AS",
        PROCURERS | {"supplier_b"},
        api="/api/v1/projects/{project}/suppliers",
    ),
    *cells(
        "audit log",
        RATIONALE,
        PROCURERS,
        api="/api/v1/projects/{project}/audit-log",
        page="/projects/{project}/audit-log",
    ),
    *cells(
        "audit log as CSV",
        RATIONALE,
        PROCURERS,
        page="/projects/{project}/audit-log.csv",
    ),
    # Proposals: the full proposal for the procurers and the submitting company; a summary for
    # everyone once its company agreed to publish it; the live list shares only published ones.
    *cells(
        "full proposal (confidential body)",
        SECRET_BODY,
        PROCURERS | {"supplier_a"},
        api="/api/v1/proposals/{hidden_proposal}",
        page="/proposals/{hidden_proposal}",
    ),
    # Its withdrawal's confirmation page (issue 15) names it to the submitting company alone.
    *cells(
        "a proposal's withdrawal confirmation",
        'id="withdraw-proposal-form" method="post" action="/proposals/{hidden_proposal}/withdraw"',
        frozenset({"supplier_a"}),
        page="/proposals/{hidden_proposal}/withdraw",
    ),
    *cells(
        "full proposal in lists",
        SECRET_BODY,
        frozenset(),
        page="/projects/{project}/proposals",
        socket="/ws/projects/{project}/proposals",
    ),
    *cells(
        "unpublished summary",
        UNPUBLISHED_SUMMARY,
        PROCURERS | {"supplier_a"},
        api="/api/v1/projects/{project}/proposals",
        page="/projects/{project}/proposals",
    ),
    *cells(
        "unpublished summary, live",
        UNPUBLISHED_SUMMARY,
        PROCURERS,
        socket="/ws/projects/{project}/proposals",
    ),
    *cells(
        "published summary",
        PUBLISHED_SUMMARY,
        EVERYONE,
        api="/api/v1/projects/{project}/proposals",
        page="/projects/{project}/proposals",
        socket="/ws/projects/{project}/proposals",
    ),
    *cells(
        "proposals in OCDS",
        SECRET_BODY,
        frozenset(),
        api="/api/v1/projects/{project}/ocds",
    ),
    # Events: details for everyone who sees the project; who registered for procurers only.
    *cells(
        "dialogue conference",
        CONFERENCE,
        EVERYONE,
        api="/api/v1/projects/{project}/events",
        page="/projects/{project}/events",
    ),
    *cells(
        "event registration list",
        "Kim Konkurrent",
        PROCURERS,
        api="/api/v1/events/{event}/registrations",
    ),
    *cells(
        "event registration list on the event page",
        "Kim Konkurrent",
        PROCURERS | {"supplier_b"},  # supplier B sees its own name (it is logged in)
        page="/events/{event}",
    ),
    *cells(
        "published minutes",
        MINUTES,
        PROCURERS | {"supplier_a", "supplier_b"},
        api="/api/v1/events/{event}",
        page="/events/{event}",
    ),
    # Documents: each for its audience once published; drafts for the procurers.
    *cells(
        "public document",
        PUBLIC_DOCUMENT,
        EVERYONE,
        api="/api/v1/projects/{project}/documents",
        page="/projects/{project}/documents",
        socket="/ws/projects/{project}/documents",
    ),
    *cells(
        "participants' document",
        PARTICIPANTS_DOCUMENT,
        PARTICIPANTS,
        api="/api/v1/projects/{project}/documents",
        page="/projects/{project}/documents",
        socket="/ws/projects/{project}/documents",
    ),
    *cells(
        "participants' document, the file",
        "%PDF-",
        PARTICIPANTS,
        api="/api/v1/documents/{participants_document}/file",
    ),
    *cells(
        "draft document",
        DRAFT_DOCUMENT,
        PROCURERS,
        api="/api/v1/projects/{project}/documents",
        page="/projects/{project}/documents",
        socket="/ws/projects/{project}/documents",
    ),
    *cells(
        "documents in OCDS (public only)",
        PUBLIC_DOCUMENT,
        EVERYONE,
        api="/api/v1/projects/{project}/ocds",
    ),
    *cells(
        "documents in OCDS (never the others)",
        PARTICIPANTS_DOCUMENT,
        frozenset(),
        api="/api/v1/projects/{project}/ocds",
    ),
    # The participation log and the figures: researchers read them, but who asked, registered
    # or booked, and what is unpublished, stay the procurers' (`visible_participation_clause`).
    *cells(
        "supplier company acting, in the participation log",
        '"actor_org_id":{supplier_a_org},',
        PROCURERS,
        api="/api/v1/projects/{project}/participation-events",
    ),
    *cells(
        "the asker answered, in the participation log",
        '"addressee_org_id":{supplier_a_org},',
        PROCURERS,
        api="/api/v1/projects/{project}/participation-events",
    ),
    *cells(
        "unanswered question, in the participation log",
        '"object_type":"question","object_id":{unanswered},',
        PROCURERS,
        api="/api/v1/projects/{project}/participation-events",
    ),
    *cells(
        "published question, in the participation log",
        '"object_type":"question","object_id":{published},',
        PROCURERS | {"researcher"},
        api="/api/v1/projects/{project}/participation-events",
    ),
    *cells(
        "a booking, in the participation log",
        '"object_type":"meeting_slot"',
        PROCURERS,
        api="/api/v1/projects/{project}/participation-events",
    ),
    *cells(
        "supplier company in the figures",
        "Leverandør AS",
        PROCURERS,
        api="/api/v1/projects/{project}/metrics",
        page="/projects/{project}/metrics",
        socket="/ws/projects/{project}/metrics",
    ),
    # A figure's CSV download (issue 15) shows exactly what its dashboard shows.
    *cells(
        "supplier company in a figure's CSV download",
        "Leverandør AS",
        PROCURERS,
        page="/projects/{project}/metrics/data/participation_by_organisation.csv",
    ),
    *cells(
        "supplier company in the organisation's figures",
        "Leverandør AS",
        PROCURERS,
        page="/organisations/{owner_org}/metrics",
    ),
    *cells(
        "supplier company in the organisation's figures' CSV download",
        "Leverandør AS",
        PROCURERS,
        page="/organisations/{owner_org}/metrics/data/participation_by_organisation.csv",
    ),
    *cells(
        "supplier company in the platform's figures",
        "Leverandør AS",
        PROCURERS,
        page="/platform/metrics",
    ),
    *cells(
        "supplier company in the platform's figures' CSV download",
        "Leverandør AS",
        PROCURERS,
        page="/platform/metrics/data/participation_by_organisation.csv",
    ),
    *cells(
        "questions asked, unpublished ones too, in the figures",
        '"asked":',
        PROCURERS,
        api="/api/v1/projects/{project}/metrics",
    ),
    # The specification (issue 13, item 1): a draft requirement's text is for the project's
    # procurers and the co-author they invited (the scene's employee) only.
    *cells(
        "a draft requirement's text",
        DRAFT_REQUIREMENT,
        PROCURERS | {"employee"},
        api="/api/v1/projects/{project}/requirements",
    ),
    *cells(
        "a draft requirement's text, by itself",
        DRAFT_REQUIREMENT,
        PROCURERS | {"employee"},
        api="/api/v1/requirements/{requirement}",
    ),
    *cells(
        "a draft requirement's versions",
        DRAFT_REQUIREMENT,
        PROCURERS | {"employee"},
        api="/api/v1/requirements/{requirement}/versions",
    ),
    *cells(
        "a draft requirement's text, on its page",
        DRAFT_REQUIREMENT,
        PROCURERS | {"employee"},
        page="/requirements/{requirement}",
        socket="/ws/requirements/{requirement}",
    ),
    *cells(
        "a draft requirement in the workspace",
        "Varsling",
        PROCURERS | {"employee"},
        page="/projects/{project}/specification",
    ),
    *cells(
        "a draft requirement in the exported PDF",
        DRAFT_REQUIREMENT,
        PROCURERS | {"employee"},
        export="/api/v1/projects/{project}/specification.pdf",
    ),
    *cells(
        "a draft requirement in the exported Word document",
        DRAFT_REQUIREMENT,
        PROCURERS | {"employee"},
        export="/api/v1/projects/{project}/specification.docx",
    ),
    *cells(
        "a draft requirement's text on the project page",
        DRAFT_REQUIREMENT,
        frozenset(),
        page="/projects/{project}",
        socket="/ws/projects/{project}",
    ),
    # The influence report (issue 13, item 4): everyone who may see the project reads it, but
    # a draft requirement only its writers, and a confidential link (to supplier A's unpublished
    # proposal, named in the single-supplier flag) only the project's procurers.
    *cells(
        "a draft requirement in the influence report",
        "Varsling",
        PROCURERS | {"employee"},
        api="/api/v1/projects/{project}/influence",
        page="/projects/{project}/influence",
    ),
    *cells(
        "a confidential trace link's proposal in the influence report",
        "Radar i taket",
        PROCURERS,
        api="/api/v1/projects/{project}/influence",
        page="/projects/{project}/influence",
    ),
    # Trace links (issue 13, item 3): a draft requirement's links are for its writers; a link to
    # a proposal's confidential content, with its rationale, for the project's procurers alone.
    # From the need, its writers see the draft it led to; everyone else a sentence without it.
    *cells(
        "a draft requirement's trace link",
        NEED_LINK_RATIONALE,
        PROCURERS | {"employee"},
        **LINK_PATHS,
    ),
    *cells("a confidential trace link", CONFIDENTIAL_RATIONALE, PROCURERS, **LINK_PATHS),
    *cells(
        "the draft requirement a need led to, on the need's page",
        'href="/requirements/{requirement}"',
        PROCURERS | {"employee"},
        page="/needs/{need}",
    ),
    *cells(
        "that a need shapes a draft, without the draft, on the need's page",
        USED_IN_DRAFT,
        EVERYONE - PROCURERS - {"employee"},
        page="/needs/{need}",
    ),
    # The hearing (issue 13, item 2): put to the project's employees and registered suppliers;
    # nobody else learns it exists. A supplier's company is for the project's procurers alone.
    *cells(
        "the hearing, among the project's hearings",
        '"audiences":["employees","suppliers"]',
        HEARD,
        api="/api/v1/projects/{project}/hearings",
    ),
    *cells(
        "an employee's hearing comment",
        HEARING_COMMENT,
        HEARD,
        api="/api/v1/hearings/{hearing}",
        page="/hearings/{hearing}",
        socket="/ws/hearings/{hearing}",
    ),
    *cells(
        "a supplier's hearing comment",
        SUPPLIER_HEARING_COMMENT,
        HEARD,
        api="/api/v1/hearings/{hearing}",
        page="/hearings/{hearing}",
        socket="/ws/hearings/{hearing}",
    ),
    *cells(
        "the company of a supplier's hearing comment",
        '"author_name":"Leverandør AS"',
        PROCURERS,
        api="/api/v1/hearings/{hearing}",
    ),
    *cells(
        "the company of a supplier's hearing comment, on the page and live",
        "<strong>Leverandør AS</strong>",
        PROCURERS,
        page="/hearings/{hearing}",
        socket="/ws/hearings/{hearing}",
    ),
    *cells(
        "a supplier's hearing comment as a supplier's",
        '"author_name":"A supplier"',
        HEARD - PROCURERS,
        api="/api/v1/hearings/{hearing}",
    ),
    *cells(
        "the open hearing's link on the project page",
        'href="/hearings/{hearing}"',
        HEARD,
        page="/projects/{project}",
    ),
    *cells(
        "the hearing's comments, linked from a requirement's page",
        'href="/hearings/{hearing}#requirement-{requirement}"',
        PROCURERS | {"employee"},  # of those heard, the ones who may open the draft
        page="/requirements/{requirement}",
    ),
    # Editing and withdrawing (issue 12, item 4): the edited text for everyone; the earlier text
    # and a withdrawn comment's text for the project's procurers (among the earlier versions),
    # never in the thread.
    *cells(
        "an edited need's text",
        EDITED_PROBLEM,
        EVERYONE,
        api="/api/v1/needs/{edited_need}",
        page="/needs/{edited_need}",
        socket="/ws/needs/{edited_need}",
    ),
    *cells(
        "an edited need's earlier text",
        EARLIER_PROBLEM,
        PROCURERS,
        api="/api/v1/needs/{edited_need}/revisions",
        page="/needs/{edited_need}",
    ),
    *cells(
        "an edited need's earlier text, live",
        EARLIER_PROBLEM,
        frozenset(),
        socket="/ws/needs/{edited_need}",
    ),
    *cells(
        "a withdrawn comment's text, among the earlier versions",
        WITHDRAWN_BODY,
        PROCURERS,
        api="/api/v1/needs/{edited_need}/revisions",
        page="/needs/{edited_need}",
    ),
    *cells(
        "the author's form for an edited need",
        EDITED_PROBLEM,
        frozenset({"employee"}),
        page="/needs/{edited_need}/edit",
    ),
    *cells(
        "the form for the project's details",
        'id="project-edit-form"',
        PROCURERS,
        page="/projects/{project}/edit",
    ),
    *cells(
        "a withdrawn comment's text in the thread",
        WITHDRAWN_BODY,
        frozenset(),
        api="/api/v1/needs/{edited_need}/comments",
        socket="/ws/needs/{edited_need}",
    ),
    # Privacy by law (issue 12): one's data export holds one's own rows only; the owner's
    # retention time is set by its administrators.
    *cells("supplier A's token in a data export", SUPPLIER_TOKEN, {"supplier_a"}, api=EXPORT),
    *cells("supplier A's own question in a data export", ASKED, {"supplier_a"}, api=EXPORT),
    *cells(
        "the owner's retention form",
        'action="/organisations/{owner_org}/retention"',
        PROCURERS,
        page="/organisations/{owner_org}/people",
    ),
    # Issue 15: the owner's målform and accent colour are set by its administrators.
    *cells(
        "the owner's language and look form",
        'action="/organisations/{owner_org}/look"',
        PROCURERS,
        page="/organisations/{owner_org}/people",
    ),
    # Notifications (issue 12, items 1, 2 and 9): each person sees only their own, and only of
    # what they may open; the live unread count goes to its own person alone.
    *cells(
        "a published answer, in one's notifications",
        "/projects/{project}/questions#question-{published}",
        frozenset({"supplier_a", "supplier_b"}),
        api="/api/v1/me/notifications",
        page="/me/notifications",
    ),
    *cells(
        "a document published to participants, in one's notifications",
        "/projects/{project}/documents",
        frozenset({"supplier_a", "supplier_b"}),
        api="/api/v1/me/notifications",
        page="/me/notifications",
    ),
    *cells(
        "a comment on one's need, in one's notifications",
        "#comment-{comment}",
        frozenset({"employee"}),
        api="/api/v1/me/notifications",
        page="/me/notifications",
    ),
    # An invitation to answer a self-assessment round (issue 14): its invitee alone is told,
    # not the inviter, a colleague or anyone else; a round one is not invited to, nobody.
    *cells(
        "an invitation to answer a self-assessment, in one's notifications",
        "/maturity/rounds/{maturity_round}/answer",
        frozenset({"employee"}),
        api="/api/v1/me/notifications",
        page="/me/notifications",
    ),
    *cells(
        "an invitation to a round the employee is not invited to, in one's notifications",
        "/maturity/rounds/{leadership_round}/answer",
        frozenset(),
        api="/api/v1/me/notifications",
        page="/me/notifications",
    ),
    *cells(
        "the citizen's unread count, on their own channel",
        'id="notification-count"',
        frozenset({"citizen"}),
        socket="/ws/people/{users[citizen].id}",
    ),
    # Moderation (issue 12, item 5): the queue is its moderators'; a hidden comment's text is
    # theirs and its author's (not over the shared socket), its public reason everyone's.
    *cells("an open report in the queue", REPORT_REASON, PROCURERS, **QUEUE_PATHS),
    *cells(
        "a hidden comment's text",
        HIDDEN_BODY,
        PROCURERS | {"citizen"},
        api=THREAD_PATHS["api"],
        page=THREAD_PATHS["page"],
    ),
    *cells("a hidden comment's text, live", HIDDEN_BODY, PROCURERS, socket=THREAD_PATHS["socket"]),
    *cells("a hidden comment's public reason", HIDE_REASON, EVERYONE, **THREAD_PATHS),
    # Search (issue 13, item 6): a result shows its title and the text around the searched word
    # (marked on the page, so each marker is a part of the text beside the searched word).
    *cells(
        "a draft requirement (search)",
        "innen ti minutter",
        PROCURERS | {"employee"},
        **search_paths("pårørende"),
    ),
    *cells(
        "the internal project (search)",
        "Internt prosjekt",
        PROCURERS | {"employee"},
        **search_paths("internt"),
    ),
    *cells("a published summary (search)", "også merker hvem", EVERYONE, **search_paths("våken")),
    *cells(
        "an unpublished summary (search)",
        "ennå ikke er publisert",
        frozenset(),
        **search_paths("radarsensorer"),
    ),
    *cells(
        "a confidential proposal body (search)",
        "koster 1 240 kroner",
        frozenset(),
        **search_paths("radarmodulen"),
    ),
    *cells(
        "a published answer (search)",
        "ikke under dialogen",
        EVERYONE,
        **search_paths("tilbudsfristen"),
    ),
    *cells(
        "the asker's own wording (search)",
        "CE-merking klasse IIa",
        frozenset(),
        **search_paths("helsetek"),
    ),
    *cells(
        "an unanswered question (search)",
        "driftes uten",
        frozenset(),
        **search_paths("skytjenester"),
    ),
    # The self-assessment (issue 14, item 6): a round is seen by those who run it (the owner's
    # procurer), its respondents, and researchers through a study covering the municipality;
    # another municipality's procurer, a citizen, a supplier and an employee not invited see
    # nothing (404). A respondent sees their own answers only; the owners see names and progress.
    *cells(
        "a self-assessment round",
        ROUND_TITLE,
        PROCURERS | {"employee", "researcher"},
        api="/api/v1/maturity/rounds/{maturity_round}",
        page="/maturity/rounds/{maturity_round}",
    ),
    *cells(
        "a self-assessment round, in the municipality's list",
        ROUND_TITLE,
        PROCURERS | {"employee"},
        api="/api/v1/organisations/{owner_org}/maturity/rounds",
        page="/organisations/{owner_org}/maturity",
    ),
    *cells(
        "a round the employee is not invited to",
        LEADERSHIP_ROUND_TITLE,
        PROCURERS | {"researcher"},
        api="/api/v1/maturity/rounds/{leadership_round}",
        page="/maturity/rounds/{leadership_round}",
    ),
    *cells(
        "a round the employee is not invited to, in the municipality's list",
        LEADERSHIP_ROUND_TITLE,
        PROCURERS,
        api="/api/v1/organisations/{owner_org}/maturity/rounds",
        page="/organisations/{owner_org}/maturity",
    ),
    *cells(
        "a round's respondents by name",
        COLLEAGUE,
        PROCURERS,
        api="/api/v1/maturity/rounds/{maturity_round}",
        page="/maturity/rounds/{maturity_round}",
    ),
    *cells(
        "a respondent's own answer",
        OWN_EVIDENCE,
        frozenset({"employee"}),
        api="/api/v1/maturity/rounds/{maturity_round}",
        page="/maturity/rounds/{maturity_round}/answer",
    ),
    *cells(
        "another respondent's answer",
        COLLEAGUE_EVIDENCE,
        frozenset(),
        api="/api/v1/maturity/rounds/{maturity_round}",
        page="/maturity/rounds/{maturity_round}/answer",
    ),
    *cells("a need's edited text (search)", "men vekker", EVERYONE, **search_paths("beboerne")),
    # Development actions of the owner's self-assessment round (issue 14): while the round is
    # open only those who run it see them (its respondents and researchers with the results).
    *cells(
        "a development action of an open self-assessment round",
        ACTION_TITLE,
        PROCURERS,
        api="/api/v1/maturity/rounds/{open_round}/actions",
        page="/maturity/rounds/{open_round}/actions",
    ),
    *cells(
        "a need's text before its edit (search)",
        "rekker ikke alle",
        frozenset(),
        **search_paths("utkast"),
    ),
]


def _moderated(api: Api, market: Market) -> None:
    """An open report on the scene's comment, and the citizen's second comment hidden."""
    citizen, procurer = market.users["citizen"], market.users["procurer"]
    body = {"object_type": "comment", "object_id": market.comment, "reason": REPORT_REASON}
    assert api.post("/reports", market.users["employee"], json=body).status_code == 201
    hidden = api.comment(citizen, market.need, HIDDEN_BODY)["id"]
    body = {"object_type": "comment", "object_id": hidden, "reason": "Navn på beboer"}
    report = api.post("/reports", market.users["supplier_b"], json=body).json()
    decision = {"decision": "hide", "reason": HIDE_REASON}
    assert api.post(f"/reports/{report['id']}/decision", procurer, json=decision).is_success


def _maturity(api: Api, market: Market, session: Session) -> None:
    """An open self-assessment round of the owner with one action; its id is `open_round`."""
    procurer = market.users["procurer"]
    owner = session.get(Organisation, market.organisation)
    assert owner is not None
    rel = permissions.organisation_relation(session, procurer, owner)
    data = RoundOpen(title="Modenhet 2026", deadline=datetime.now(UTC) + timedelta(days=14))
    market.open_round = id_of(rounds.open_round(session, rel=rel, data=data))  # type: ignore[attr-defined]
    session.commit()
    body = {
        "title": ACTION_TITLE,
        "indicator": "market_dialogue",
        "owner_id": procurer.id,
        "due": "2030-01-31",
    }
    added = api.post(f"/maturity/rounds/{market.open_round}/actions", procurer, json=body)  # type: ignore[attr-defined]
    assert added.status_code == 201, added.text


def _duplicates(api: Api, market: Market) -> None:
    """Two needs on one subject, posted by two people; the first one's id is `duplicate`."""
    authors = (market.users["employee"], market.users["citizen"])
    ids = [
        api.post_need(author, market.project, title=title, problem=problem)["id"]
        for author, (title, problem) in zip(authors, DUPLICATES, strict=True)
    ]
    market.duplicate = ids[0]  # type: ignore[attr-defined]


def _look(client: TestClient, api: Api, market: Market, role: str, cell: Cell) -> str:
    """What this role gets through the cell's channel ("" for a refusal)."""
    user = market.users[role]
    path = cell.path.format(**vars(market))
    if cell.channel == "api":
        response = api.get(path.removeprefix("/api/v1"), user)
        assert response.status_code < 500, response.text
        return response.text if response.status_code == 200 else ""
    if cell.channel == "export":  # a file: its text as a real parser reads it
        response = api.get(path.removeprefix("/api/v1"), user)
        assert response.status_code < 500, response.text
        if response.status_code != 200:
            return ""
        read = pdf_text if path.endswith(".pdf") else docx_text
        return read(response.content)
    if cell.channel == "page":
        response = client.get(path)
        assert response.status_code < 500, response.text
        return response.text if response.status_code == 200 else ""
    try:
        with client.websocket_connect(path, headers=ORIGIN) as socket:
            return socket.receive_text()
    except WebSocketDisconnect:  # refused (1008)
        return ""


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_exactly_what_the_policy_allows(
    role: str,
    client: TestClient,
    api: Api,
    world: World,
    factory: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    market = Market(api, world, factory)
    _moderated(api, market)
    _duplicates(api, market)
    _maturity(api, market, factory.session)
    assert api.post("/auth/tokens", world.supplier, json={"name": SUPPLIER_TOKEN}).is_success
    login(TestClient(client.app, headers={"User-Agent": SUPPLIER_BROWSER}), world.supplier)
    linked = LinkedIdentity(
        user_id=id_of(world.supplier), provider=SUPPLIER_LOGIN_PROVIDER, subject="a"
    )
    factory.session.add(linked)
    factory.session.commit()
    # The role's browser session, logged in once: every page and socket below is read in it.
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    if market.users[role] is not None:
        login(client, market.users[role])
    wrong = []
    for cell in CELLS:
        shown = cell.marker.format(**vars(market)) in _look(client, api, market, role, cell)
        if shown != (role in cell.allowed):
            verdict = "shown but should be denied" if shown else "denied but should be shown"
            wrong.append(f"{cell.object} via {cell.channel} ({cell.path}): {verdict}")
    assert not wrong, f"{role}:\n  " + "\n  ".join(wrong)


def test_the_participation_log_does_not_tell_researchers_of_unpublished_proposals(
    api: Api, world: World, factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path / "uploads")
    market = Market(api, world, factory)

    def proposal_events(reader: Any) -> set[int]:
        log = api.get(f"/projects/{market.project}/participation-events", reader).json()
        return {e["object_id"] for e in log if e["object_type"] in ("proposal", "secrecy_claim")}

    assert market.hidden_proposal in proposal_events(world.procurer)
    seen_by_researcher = proposal_events(world.researcher)
    assert seen_by_researcher  # the published summary's proposal is there
    assert market.hidden_proposal not in seen_by_researcher


# ---- The results of a self-assessment round (issue 14, items 3 and 6) ---------------------------
# Their own small scene: a closed and an open round of the owner municipality, three respondents
# from procurement and one (the world's employee) from politics, a unit too small to show its
# figures to anyone but the round's owners. Each row: who asks, about which round, the status they
# get, and whether the politics unit's figures are held back from them (None: refused).
MATURITY_ROWS: list[tuple[str, str, int, bool | None]] = [
    ("procurer", "closed", 200, False),  # an owner: every unit
    ("admin", "closed", 200, False),
    ("procurer", "open", 200, False),  # owners follow the figures while the round is open
    ("respondent", "closed", 200, True),  # after close, without the small unit
    ("respondent", "open", 403, None),  # "shown when the round has closed"
    ("researcher", "closed", 200, True),  # through a study covering the municipality
    ("other_procurer", "closed", 404, None),
    ("citizen", "closed", 404, None),
    ("supplier", "closed", 404, None),
    ("uninvited_employee", "closed", 404, None),
    ("anonymous", "closed", 401, None),
]


def _maturity_scene(api: Api, world: World, factory: Factory, session: Session) -> dict[str, Any]:
    """The two rounds and the cast that looks at them."""
    today = datetime.now(UTC).date()
    study = api.post(
        "/research/studies",
        world.researcher,
        json={
            "title": "Modenhet i kommunene",
            "institution": "Universitetet",
            "ethics_reference": "Sikt 654321",
            "legal_basis": "consent",
            "period_start": (today - timedelta(days=30)).isoformat(),
            "period_end": (today + timedelta(days=365)).isoformat(),
            "project_ids": [world.public.id],
        },
    )
    assert study.status_code == 201, study.text
    procurement = [factory.user(Role.employee, world.owner) for _ in range(3)]
    answers: list[tuple[User, MaturityUnit, Levels]] = [
        (p, MaturityUnit.procurement, {"roles": 4}) for p in procurement
    ]
    answers.append((world.employee, MaturityUnit.politics, {"roles": 1}))
    rounds = {
        name: run_round(
            session,
            opener=world.procurer,
            organisation=world.owner,
            answers=answers,
            close=name == "closed",
        ).id
        for name in ("closed", "open")
    }
    people = {
        "procurer": world.procurer,
        "admin": world.admin,
        "respondent": world.employee,
        "researcher": world.researcher,
        "other_procurer": world.other_procurer,
        "citizen": world.citizen,
        "supplier": world.supplier,
        "uninvited_employee": factory.user(Role.employee, world.owner),
        "anonymous": None,
    }
    return {"rounds": rounds, "people": people}


@pytest.mark.parametrize(("who", "which", "status", "held_back"), MATURITY_ROWS)
def test_a_rounds_results_are_seen_by_exactly_whom_the_policy_allows(
    who: str,
    which: str,
    status: int,
    held_back: bool | None,
    client: TestClient,
    api: Api,
    world: World,
    factory: Factory,
    session: Session,
) -> None:
    scene = _maturity_scene(api, world, factory, session)
    user, round_id = scene["people"][who], scene["rounds"][which]
    response = api.get(f"/maturity/rounds/{round_id}/results", user)
    assert response.status_code == status, response.text
    if status == 403:
        assert "closed" in response.text or "lukket" in response.text
    if held_back is not None:
        body = response.json()
        assert (body["suppressed_units"] == ["politics"]) is held_back
        named = {unit for f in body["findings"] for unit in (f["low_unit"], f["high_unit"])}
        assert ("politics" in named) is not held_back  # owners read the disagreement
    if user is not None:
        login(client, user)
    page = client.get(f"/maturity/rounds/{round_id}/results", follow_redirects=False)
    if user is None:  # a visitor is sent to log in
        assert page.status_code in (303, 401), page.text
        return
    assert page.status_code == status, page.text
    if held_back is not None:
        assert ("for få til å vises" in page.text) is held_back


# Development actions (issue 14): who may list, add and change a round's actions, by status code.
# Outsiders learn nothing (404, as for a round that does not exist); an invited respondent knows
# the round but may not add or change actions, nor list them before the close (403; the change
# of an action they cannot see yet is a 404).
ACTION_ROUTES = ("list", "add", "change", "page", "page add", "page change")
ACTION_ANSWERS = {
    "procurer": (200, 201, 200, 200, 303, 303),
    "respondent": (403, 403, 404, 403, 403, 404),
    **dict.fromkeys(
        ("other_procurer", "citizen", "supplier", "employee", "researcher"),
        (404, 404, 404, 404, 404, 404),
    ),
}


@pytest.mark.parametrize("who", sorted(ACTION_ANSWERS))
def test_the_action_routes_answer_each_role_as_the_policy_says(
    who: str, client: TestClient, api: Api, world: World, factory: Factory
) -> None:
    session = factory.session
    round_ = open_round(session, world)
    respondent = factory.user(Role.employee, world.owner, name="Rita Respondent")
    invite_member(session, world, round_, respondent)
    user = respondent if who == "respondent" else getattr(world, who)
    body = {"title": "Tiltak", "indicator": "roles", "owner_id": world.employee.id}
    body["due"] = "2030-01-31"
    action = api.post(f"/maturity/rounds/{round_.id}/actions", world.procurer, json=body).json()
    login(client, user)
    csrf = client.headers["X-CSRF-Token"]
    form = {"csrf_token": csrf, "topic": "organisation_and_competence:roles", "title": "Eget"}
    form |= {"owner_id": str(world.employee.id), "due": "2030-01-31"}
    statuses = (
        api.get(f"/maturity/rounds/{round_.id}/actions", user).status_code,
        api.post(f"/maturity/rounds/{round_.id}/actions", user, json=body).status_code,
        api.request(
            "PATCH", f"/maturity/actions/{action['id']}", user, json={"status": "done"}
        ).status_code,
        client.get(f"/maturity/rounds/{round_.id}/actions").status_code,
        client.post(
            f"/maturity/rounds/{round_.id}/actions", data=form, follow_redirects=False
        ).status_code,
        client.post(
            f"/maturity/actions/{action['id']}",
            data={"csrf_token": csrf, "status": "in_progress"},
            follow_redirects=False,
        ).status_code,
    )
    assert dict(zip(ACTION_ROUTES, statuses, strict=True)) == dict(
        zip(ACTION_ROUTES, ACTION_ANSWERS[who], strict=True)
    )
