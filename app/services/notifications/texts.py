"""What a notification says, in the current language: one message per kind (and act)."""

from __future__ import annotations

from app.i18n import N_, gettext
from app.models.notification import NotificationKind
from app.models.vocabulary import Verb
from app.services.notifications.access import Subject

MESSAGES: dict[str, str] = {
    NotificationKind.reply: N_("%(actor)s replied to your comment on “%(title)s”."),
    NotificationKind.comment_on_need: N_("%(actor)s commented on your need “%(title)s”."),
    NotificationKind.need_status: N_("Your need “%(title)s” is now: %(state)s."),
    NotificationKind.supported_need_status: N_(
        "A need you support, “%(title)s”, is now: %(state)s."
    ),
    NotificationKind.answer_published: N_(
        "A new answer was published in the market dialogue of “%(project)s”."
    ),
    NotificationKind.document_published: N_(
        "A new document was published in “%(project)s”: %(title)s."
    ),
    NotificationKind.event_planned: N_("A dialogue event was planned in “%(project)s”: %(title)s."),
    NotificationKind.proposal_assessed: N_(
        "Your company's proposal “%(title)s” was assessed: %(state)s."
    ),
    NotificationKind.moderation: N_("A moderator hid your contribution in “%(project)s”."),
    NotificationKind.followed_need: N_("%(actor)s commented on “%(title)s”, a need you follow."),
    NotificationKind.followed_project: N_(
        "A new need was posted in “%(project)s”, which you follow: %(title)s."
    ),
    # In a self-assessment round "project" is the municipality: the round has no project.
    NotificationKind.round_invitation: N_(
        "%(actor)s invites you to answer %(project)s's self-assessment “%(title)s” by %(state)s."
    ),
}
RESTORED = N_("A moderator restored your contribution in “%(project)s”.")
REASON = N_("Reason: %(reason)s")


def text_of(kind: str, verb: str, subject: Subject, *, actor: str, extra: str) -> str:
    """The notification's sentence (with the reason, where the act gave one)."""
    message = RESTORED if verb == Verb.restored_content else MESSAGES[kind]
    text = gettext(
        message,
        actor=actor,
        title=subject.title,
        project=subject.project_title,
        state=subject.state,
    )
    if extra:
        text = f"{text} {gettext(REASON, reason=extra)}"
    return text
