"""Notifications: what happened that a person cares about, how they want to hear of it, and what
they follow."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import Id, UtcDateTime, created_at_field, enum_field
from app.models.vocabulary import register_labels


class NotificationKind(StrEnum):
    """What a notification tells; a person chooses per kind how it reaches them by e-mail."""

    reply = "reply"  # a reply to my comment
    comment_on_need = "comment_on_need"  # a comment on my need
    need_status = "need_status"  # my need's status changed
    supported_need_status = "supported_need_status"  # a need I support changed status
    answer_published = "answer_published"  # in a market dialogue my company is registered for
    document_published = "document_published"  # likewise
    event_planned = "event_planned"  # likewise
    proposal_assessed = "proposal_assessed"  # a proposal of my company
    moderation = "moderation"  # my content was hidden or restored
    followed_need = "followed_need"  # a new comment on a need I follow
    followed_project = "followed_project"  # a new need in a project I follow
    round_invitation = "round_invitation"  # I am invited to answer a self-assessment round


class Delivery(StrEnum):
    """How a kind of notification reaches a person by e-mail (it always shows in the app)."""

    immediate = "immediate"
    digest = "digest"
    off = "off"


NOTIFICATION_KIND_LABELS = register_labels(
    NotificationKind,
    {
        NotificationKind.reply: N_("Replies to my comments"),
        NotificationKind.comment_on_need: N_("Comments on my needs"),
        NotificationKind.need_status: N_("Status changes of my needs"),
        NotificationKind.supported_need_status: N_("Status changes of needs I support"),
        NotificationKind.answer_published: N_("Published answers in market dialogues"),
        NotificationKind.document_published: N_("New documents in market dialogues"),
        NotificationKind.event_planned: N_("New dialogue events in market dialogues"),
        NotificationKind.proposal_assessed: N_("Assessments of my company's proposals"),
        NotificationKind.moderation: N_("Moderation decisions about my content"),
        NotificationKind.followed_need: N_("New comments on needs I follow"),
        NotificationKind.followed_project: N_("New needs in projects I follow"),
        NotificationKind.round_invitation: N_("Invitations to answer a self-assessment"),
    },
)
DELIVERY_LABELS = register_labels(
    Delivery,
    {
        Delivery.immediate: N_("E-mail at once"),
        Delivery.digest: N_("Daily e-mail digest"),
        Delivery.off: N_("No e-mail, only here"),
    },
)


class Notification(SQLModel, table=True):
    """One thing that happened, for one person; shown only while they may open what it is about.

    It happened in a project or in a municipality's self-assessment round, never both.
    """

    __table_args__ = (
        sa.Index("ix_notification_recipient_id_id", "recipient_id", "id"),
        sa.CheckConstraint(
            "(project_id IS NULL) != (maturity_round_id IS NULL)",
            name="ck_notification_one_place",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="user.id")
    kind: NotificationKind = enum_field(NotificationKind)
    verb: str = Field(max_length=40)  # the recorded act that caused it (a Verb)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    maturity_round_id: int | None = Field(default=None, foreign_key="maturity_round.id", index=True)
    object_type: str = Field(max_length=40)  # an ObjectType: what it is about
    object_id: int
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    extra: str = Field(default="", max_length=2000)  # e.g. a status change's reason
    created_at: datetime = created_at_field()
    read_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # How it is mailed, decided when it was made; `emailed_at` once mailed (or found not to be).
    delivery: Delivery = enum_field(Delivery)
    emailed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class NotificationPreference(SQLModel, table=True):
    """A person's choice of e-mail delivery for one kind; without one, the kind's default."""

    __tablename__ = "notification_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="uq_notification_pref"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: NotificationKind = enum_field(NotificationKind)
    delivery: Delivery = enum_field(Delivery)


class Follow(SQLModel, table=True):
    """A person follows a project or a need (`object_type` "project" or "need"); once each."""

    __table_args__ = (
        sa.UniqueConstraint("user_id", "object_type", "object_id", name="uq_follow_user_object"),
        sa.Index("ix_follow_object", "object_type", "object_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    project_id: int = Field(foreign_key="project.id")
    object_type: str = Field(max_length=10)
    object_id: int
    created_at: datetime = created_at_field()


class DeliveryChoices(SQLModel):
    """The settings form: how each kind it names is mailed (one field per NotificationKind)."""

    reply: Delivery | None = None
    comment_on_need: Delivery | None = None
    need_status: Delivery | None = None
    supported_need_status: Delivery | None = None
    answer_published: Delivery | None = None
    document_published: Delivery | None = None
    event_planned: Delivery | None = None
    proposal_assessed: Delivery | None = None
    moderation: Delivery | None = None
    followed_need: Delivery | None = None
    followed_project: Delivery | None = None
    round_invitation: Delivery | None = None

    def chosen(self) -> dict[NotificationKind, Delivery]:
        """The choices made, by kind."""
        return {NotificationKind(k): v for k, v in self.model_dump(exclude_none=True).items()}


class NotificationPublic(SQLModel):
    """A notification as the API shows it."""

    id: int
    kind: NotificationKind
    project_id: int | None  # where it happened: a project, or
    maturity_round_id: int | None = None  # a self-assessment round
    object_type: str
    object_id: int
    text: str
    url: str
    created_at: datetime
    read: bool


class NotificationPage(SQLModel):
    """A page of notifications, newest first; `next_before` fetches the next (older) page."""

    unread_count: int
    items: list[NotificationPublic]
    next_before: int | None


class MarkRead(SQLModel):
    """Which notifications to mark read: the given ids, or all when none are given."""

    ids: list[Id] | None = Field(default=None, max_length=500)
