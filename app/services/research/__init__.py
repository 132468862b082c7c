"""Research studies, participants' consent, and the pseudonymised research export.

The export is a Frictionless Data Package (a zip of CSV tables and `datapackage.json`). What it
holds follows the study's legal basis and the platform's own visibility rules:

- participants appear only as keyed pseudonyms: HMAC-SHA256 of the user id with the study's
  secret (kept in the database, never exported or returned), so they are stable within a study
  and cannot be linked across studies;
- with consent as the legal basis, only rows of participants whose consent stands are exported;
  an event answering someone who did not consent keeps its row but loses the addressee;
- with public interest as the legal basis, everyone's rows but those of people who objected
  (GDPR art. 21) and of deleted accounts; a deleted account's participation events stay without
  anyone's pseudonym (the deletion cleared their actor), its needs and comments are left out;
- the participation log as `permissions` lets anyone but the project's procurers see it: no
  unpublished question or proposal, no booking, no secrecy claim, no confidential proposal
  content; private acts (asking, registering, attending) without their actor's pseudonym, and a
  question's asking dated at its publication;
- an anonymous need's author is never linked to it: the need, its posting and the author's own
  comments and supports on it carry a pseudonym of the need's own and no organisation; events
  answering the author name no addressee; under consent these rows are left out altogether,
  since keeping them only while the author consents would tie them to the author's pseudonym
  when the author withdraws;
- only what happened within the study's period (events, needs and comments by when they
  happened or were posted, proposals by when their summary was published);
- free text (need texts, comment bodies, proposal titles and summaries) only when the study
  allows it and the export asks for it;
- organisation ids only of public bodies (municipalities, counties): a supplier company's id
  would tell who asked or booked, and a one-person company is a person;
- the aggregate table suppresses cells with fewer than `MIN_CELL` distinct people;
- self-assessment rounds only of municipalities the study covers, closed and overlapping its
  period, their respondents as pseudonyms with their unit (`maturity`).

The package, by job: `studies` (registering studies, consent, who may export), `scope` (the
study's projects, period and pseudonyms as the export's SQL), `codebook` (columns and tables
as declarations, and the codebook made from them), `records`, `activity`, `ledger` and
`maturity` (the tables' declarations and queries) and `export` (writing the package).
"""

from app.services.research.activity import MIN_CELL, SUPPRESSED_NOTE
from app.services.research.codebook import Column, Table
from app.services.research.export import (
    EXPORT_TABLES,
    TABLES,
    ExportSummary,
    Progress,
    export_study,
)
from app.services.research.scope import PUBLIC_BODIES, ExportScope, pseudonym
from app.services.research.studies import (
    ensure_can_export,
    ensure_can_register_study,
    get_study,
    give_consent,
    list_studies,
    may_export,
    may_register_study,
    object_to,
    present,
    project_titles,
    register_study,
    take_back_objection,
    withdraw_consent,
)

__all__ = [
    "EXPORT_TABLES",
    "MIN_CELL",
    "PUBLIC_BODIES",
    "SUPPRESSED_NOTE",
    "TABLES",
    "Column",
    "ExportScope",
    "ExportSummary",
    "Progress",
    "Table",
    "ensure_can_export",
    "ensure_can_register_study",
    "export_study",
    "get_study",
    "give_consent",
    "list_studies",
    "may_export",
    "may_register_study",
    "object_to",
    "present",
    "project_titles",
    "pseudonym",
    "register_study",
    "take_back_objection",
    "withdraw_consent",
]
