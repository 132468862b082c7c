"""Topics: the pages a live event shows on, as a typed value, formatted and parsed only here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PageKind(StrEnum):
    """A kind of page with a socket of its own; its topics carry the id of the page's object."""

    project = "project"  # a project's needs list and phase (the id is the project's)
    need = "need"  # one need's status, supports and comments
    questions = "questions"  # a project's questions and answers
    documents = "documents"  # a project's documents
    proposals = "proposals"  # a project's solution proposals
    events = "events"  # a project's dialogue events
    event = "event"  # one dialogue event
    reports = "reports"  # a project's moderation queue (its moderators only)
    specification = "specification"  # a project's specification workspace (its writers')
    requirement = "requirement"  # one requirement: its text, status and trace links
    hearing = "hearing"  # one hearing of a draft specification (its id; those heard only)
    metrics = "metrics"  # a project's dashboard: figures, recomputed after a burst
    person = "person"  # one person's own header: their unread notifications (the id is theirs)


@dataclass(frozen=True)
class Topic:
    """One page's live channel: which kind of page, and whose."""

    page: PageKind
    id: int

    def __str__(self) -> str:
        return f"{self.page}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Topic:
        """The topic a string such as "event:7" names (ValueError when it names none)."""
        page, _, raw = text.partition(":")
        return cls(PageKind(page), int(raw))
