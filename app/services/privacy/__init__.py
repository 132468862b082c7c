"""Privacy by law: the person's data export, account deletion, and retention of closed projects.

By job: `personal_data` (the one table of where a person's data lives), `export` (everything
about the caller as JSON), `erasure` (deleting an account; the anonymisation that retention
shares), `retention` (organisations' retention times and the job that applies them),
`statements` (the privacy and accessibility statements' contents from the settings).
"""

from app.services.privacy.erasure import (
    CONFIRM_WORD,
    DELETED_NAME,
    anonymise,
    delete_account,
    deleted_name,
)
from app.services.privacy.export import export_person
from app.services.privacy.personal_data import CONTRIBUTIONS, PERSONAL_DATA, Held
from app.services.privacy.retention import (
    MAX_MONTHS,
    apply_retention,
    due_projects,
    keep_retention,
    months_before,
    run_retention,
    set_retention,
)

__all__ = [
    "CONFIRM_WORD",
    "CONTRIBUTIONS",
    "DELETED_NAME",
    "MAX_MONTHS",
    "PERSONAL_DATA",
    "Held",
    "anonymise",
    "apply_retention",
    "delete_account",
    "deleted_name",
    "due_projects",
    "export_person",
    "keep_retention",
    "months_before",
    "run_retention",
    "set_retention",
]
