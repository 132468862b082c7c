"""What pages show, rendered outside a request: by the page routers and by the live hub alike.

A module per domain renders its fragments from the view's own templates and registers, in one
place at its end, what its pages show live (`app.services.live.registry`). Importing this package
registers them all; the socket router (`app/routers/live.py`) does.
"""

from app.services.live.registry import register_viewers
from app.views import (
    documents,
    events,
    hearings,
    metrics,
    moderation,
    needs,
    notifications,
    projects,
    proposals,
    questions,
    requirements,
    trace,
)
from app.views.templating import render_fragment

__all__ = [
    "documents",
    "events",
    "hearings",
    "metrics",
    "moderation",
    "needs",
    "notifications",
    "projects",
    "proposals",
    "questions",
    "requirements",
    "trace",
]


def viewers_html(lang: str, count: int) -> str:
    """How many people view a page now, out of band."""
    return render_fragment("_viewers.html", lang, count=count, oob=True)


register_viewers(viewers_html)
