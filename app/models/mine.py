"""A person's own contributions across projects, as /me and its API show them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.vocabulary import register_labels


class ContributionKind(StrEnum):
    """The kinds of thing a person has put into the dialogue."""

    need = "need"
    comment = "comment"
    support = "support"
    question = "question"
    proposal = "proposal"
    registration = "registration"
    booking = "booking"


CONTRIBUTION_KIND_LABELS = register_labels(
    ContributionKind,
    {
        ContributionKind.need: N_("My needs"),
        ContributionKind.comment: N_("My comments"),
        ContributionKind.support: N_("Needs I support"),
        ContributionKind.question: N_("Questions from my company"),
        ContributionKind.proposal: N_("Proposals from my company"),
        ContributionKind.registration: N_("My event registrations"),
        ContributionKind.booking: N_("One-to-one meetings booked"),
    },
)


class CommentState(StrEnum):
    """Where one's own comment stands."""

    visible = "visible"
    hidden = "hidden"
    held = "held"
    withdrawn = "withdrawn"


COMMENT_STATE_LABELS = register_labels(
    CommentState,
    {
        CommentState.visible: N_("Visible"),
        CommentState.hidden: N_("Hidden by a moderator"),
        CommentState.held: N_("Awaiting approval"),
        CommentState.withdrawn: N_("Withdrawn"),
    },
)


class BookingState(StrEnum):
    """A booked one-to-one meeting."""

    booked = "booked"


BOOKING_STATE_LABELS = register_labels(BookingState, {BookingState.booked: N_("Booked")})


class ContributionPublic(SQLModel):
    """One of my contributions with where it stands now and what is new on it."""

    kind: ContributionKind
    id: int = Field(
        description="The id of the need, comment, support, question, proposal, "
        "registration or booking"
    )
    project_id: int
    project_title: str
    title: str = Field(description="What it is about: the need, question, proposal or event")
    status: str = Field(description="Its current status (the status of the need for a support)")
    status_label: str
    at: datetime = Field(description="When I contributed it; the key the feed is ordered by")
    starts_at: datetime | None = Field(
        default=None, description="When the event or the booked meeting starts"
    )
    need_id: int | None = Field(default=None, description="The need (of a need, comment, support)")
    url: str
    new_count: int = Field(
        default=0, description="Things that happened to it since I last opened /me"
    )


class ContributionsPage(SQLModel):
    """A page of my contributions, newest first, and where the next page starts."""

    items: list[ContributionPublic]
    next: str | None = Field(description="The cursor of the next page (null after the last)")
    seen_at: datetime | None = Field(description="When I last opened /me; newer is new")
    new_count: int = Field(default=0, description="Everything new since then, on this page")
