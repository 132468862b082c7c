"""A person's unread count as it shows live in the header of every page, on their own socket."""

from __future__ import annotations

from sqlmodel import Session

from app.models import User
from app.services.live import PageKind
from app.services.live.registry import PersonalPage, register_personal
from app.services.notifications import inbox
from app.views.templating import render_fragment


def count_html(session: Session, user: User, lang: str) -> str:
    """The header's notifications link with the person's unread count, out of band."""
    count = inbox.unread_count(session, user=user)
    return render_fragment("notifications/_count.html", lang, count=count, oob=True)


register_personal(PersonalPage(kind=PageKind.person, state=count_html))
