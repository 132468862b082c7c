"""The language to write to a person in, when they are not there to ask: mail, notifications."""

from __future__ import annotations

from sqlmodel import Session

from app import i18n
from app.config import get_settings
from app.models import Organisation, User


def person_language(session: Session, user: User) -> str:
    """The person's own choice, else their organisation's målform, else the site's default."""
    if user.language in i18n.LANGUAGES:
        return user.language
    if user.organisation_id is not None:
        organisation = session.get(Organisation, user.organisation_id)
        if organisation is not None and organisation.default_language in i18n.LANGUAGES:
            return organisation.default_language
    return get_settings().default_language
