"""Notifications: made from what was recorded, shown in the app, mailed at once or in a digest.

- `fanout`: the one place that maps a recorded act to recipients and kinds (called by
  `contribution.record`; a self-assessment invitation by `maturity.rounds.invite`)
- `access`: whether a recipient may open what a notification is about, now
- `texts`: what a notification says
- `inbox`: a person's notifications, newest first, the unread count, marking read
- `delivery`: per-kind e-mail choices, one-click unsubscribe, the daily digest
"""
