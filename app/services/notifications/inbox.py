"""A person's notifications: newest first in keyset pages, the unread count, marking read.

Every listing re-checks that the person may still open what each notification is about; what
they may no longer open is left out (and not counted).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, ScalarSelect, func, update
from sqlmodel import Session, col, select

from app.models import Notification, User
from app.models.base import id_of, utcnow
from app.models.notification import (
    Delivery,
    NotificationKind,
    NotificationPage,
    NotificationPublic,
)
from app.services import contribution
from app.services.notifications.access import Opener, Subject
from app.services.notifications.texts import text_of

PAGE_SIZE = 30
MAX_PAGE_SIZE = 100
COUNT_CAP = 99  # the header shows "99+" beyond this, and counting stops there
COUNT_MAX_AGE = 30.0  # seconds an unread count, checked subject by subject, is reused
COUNTED_MAX = 10_000  # people whose checked count a process keeps
# person id → ((unread number, newest unread id), when checked, how many of them are visible)
_counted: dict[int, tuple[tuple[int, int | None], float, int]] = {}


@dataclass(frozen=True)
class NotificationView:
    """A notification as its recipient sees it: what it says and where it leads."""

    notification: Notification
    text: str
    url: str

    @property
    def read(self) -> bool:
        """Whether the person has marked it read."""
        return self.notification.read_at is not None

    def to_public(self) -> NotificationPublic:
        """The API view."""
        n = self.notification
        return NotificationPublic(
            id=id_of(n),
            kind=n.kind,
            project_id=n.project_id,
            maturity_round_id=n.maturity_round_id,
            object_type=n.object_type,
            object_id=n.object_id,
            text=self.text,
            url=self.url,
            created_at=n.created_at,
            read=self.read,
        )


def _visible(
    session: Session, user: User, rows: Iterable[Notification]
) -> list[tuple[Notification, Subject]]:
    """The rows the person may still open, with what each is about."""
    opener = Opener(session, user)
    rows = list(rows)
    opener.preload(rows)
    return [(row, subject) for row in rows if (subject := opener.opens(row)) is not None]


def _views(session: Session, user: User, rows: Iterable[Notification]) -> list[NotificationView]:
    """The rows the person may still open, each with its text in the current language."""
    visible = _visible(session, user, rows)
    actor_ids = {row.actor_id for row, _ in visible if row.actor_id is not None}
    names = dict(
        session.exec(select(User.id, User.display_name).where(col(User.id).in_(actor_ids))).all()
    )
    return [
        NotificationView(
            notification=row,
            text=text_of(
                row.kind, row.verb, subject, actor=names.get(row.actor_id, ""), extra=row.extra
            ),
            url=subject.url,
        )
        for row, subject in visible
    ]


def _mine(user: User) -> ColumnElement[bool]:
    return col(Notification.recipient_id) == id_of(user)


def page(
    session: Session, *, user: User, before: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[NotificationView], int | None]:
    """A page of the person's notifications, newest first, older than the id `before`.

    Returns the page and the cursor of the next (older) page, None at the end.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    views: list[NotificationView] = []
    cursor = before
    while True:
        query = select(Notification).where(_mine(user))
        if cursor is not None:
            query = query.where(col(Notification.id) < cursor)
        batch = session.exec(query.order_by(col(Notification.id).desc()).limit(limit)).all()
        for view in _views(session, user, batch):
            views.append(view)
            if len(views) == limit:
                return views, id_of(view.notification)
        if len(batch) < limit:
            return views, None
        cursor = id_of(batch[-1])  # some were left out: read on until the page is full


def unread_count(session: Session, *, user: User) -> int:
    """How many of the person's notifications are unread and still open to them (at most 100).

    Every logged-in page shows it, so the check of what each unread notification points at is
    kept per process while the unread ones stay the same (their number and newest id), for at
    most `COUNT_MAX_AGE` seconds: a subject closed to the person meanwhile drops out by then.
    """
    unread = (_mine(user), col(Notification.read_at).is_(None))
    count, newest = session.exec(select(*unread_of(id_of(user)))).one()
    if (kept := kept_unread(id_of(user), count, newest)) is not None:
        return kept
    seen = (count, newest)
    rows = session.exec(
        select(Notification)
        .where(*unread)
        .order_by(col(Notification.id).desc())
        .limit(COUNT_CAP + 1)
    ).all()
    visible = len(_visible(session, user, rows))
    if len(_counted) >= COUNTED_MAX:
        _counted.pop(next(iter(_counted)))  # the oldest entry (dicts keep insertion order)
    _counted[id_of(user)] = (seen, time.monotonic(), visible)
    return visible


def unread_of(recipient: ColumnElement[int] | int) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """How many of the recipient's notifications are unread, and the newest one's id: what
    `kept_unread` needs (columns of a statement that reads more besides)."""
    unread = (col(Notification.recipient_id) == recipient, col(Notification.read_at).is_(None))
    count = select(func.count()).select_from(Notification).where(*unread).scalar_subquery()
    newest = select(func.max(Notification.id)).where(*unread).scalar_subquery()
    return count, newest


def kept_unread(user_id: int, count: int, newest: int | None) -> int | None:
    """The person's unread count, when `count` unread notifications up to the id `newest` need
    no check: none (the usual case: one indexed count), or the same ones as counted lately in
    this process; None when they must be checked (`unread_count`)."""
    if not count:
        return 0
    kept = _counted.get(user_id)
    if kept is None or kept[0] != (count, newest) or time.monotonic() - kept[1] >= COUNT_MAX_AGE:
        return None
    return kept[2]


def forget_unread(user_id: int | None = None) -> None:
    """Drop the kept unread counts of one person (their access changed), or of everyone (some
    content changed, and with it maybe what a notification may still show)."""
    if user_id is None:
        _counted.clear()
    else:
        _counted.pop(user_id, None)


def inbox(
    session: Session, *, user: User, before: int | None = None, limit: int = PAGE_SIZE
) -> NotificationPage:
    """The API's page: the unread count, the items and the next page's cursor."""
    views, next_before = page(session, user=user, before=before, limit=limit)
    return NotificationPage(
        unread_count=unread_count(session, user=user),
        items=[view.to_public() for view in views],
        next_before=next_before,
    )


def mark_read(session: Session, *, user: User, ids: list[int] | None = None) -> int:
    """Mark the person's notifications read: the given ids (others' are ignored), or all."""
    query = update(Notification).where(_mine(user), col(Notification.read_at).is_(None))
    if ids is not None:
        query = query.where(col(Notification.id).in_(ids))
    changed = int(session.execute(query.values(read_at=utcnow())).rowcount)  # type: ignore[attr-defined]
    if changed:
        contribution.notifications_changed(session, user_id=id_of(user))
    return changed


def visible_lines(
    session: Session, *, user: User, ids: list[int], wanted: dict[NotificationKind, Delivery]
) -> list[tuple[str, str]]:
    """The text and link of each item the person may still open and still wants mailed."""
    rows = session.exec(
        select(Notification).where(col(Notification.id).in_(ids)).order_by(col(Notification.id))
    ).all()
    rows = [row for row in rows if wanted.get(NotificationKind(row.kind)) != Delivery.off]
    return [(view.text, view.url) for view in _views(session, user, rows)]
