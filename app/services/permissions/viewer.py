"""The stand-in for a person in a page rendered once for everyone who stands alike to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.models import Need
from app.models.base import Role


class SharedRenderError(RuntimeError):
    """A page shared by an audience asked for something of one person's own."""


@dataclass(frozen=True)
class AudienceViewer:
    """The person, as far as everyone sharing a page with them is alike: what a page rendered
    once for an audience may read of them (its cache key holds all of it; app/web/shared_pages.py).

    Anything else (their id, name, what they follow) raises, so that a page shared by many
    never shows one person's own part: those parts are rendered per request.
    """

    role: Role
    organisation_id: int | None
    is_moderator: bool
    co_author: bool  # invited to write the project's specification (it opens its tab)
    author_of: int | None = None  # the page's need, when the person wrote it

    def wrote(self, content: object) -> bool:
        """Whether the person wrote this (of what the page shows, only its need can say yes)."""
        return isinstance(content, Need) and content.id == self.author_of

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise SharedRenderError(
            f"a page shared by an audience read the person's {name!r}: make it an own_part() slot"
        )
