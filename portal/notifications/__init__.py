"""Notifications: an in-app inbox with an unread count, reminders before things are late, e-mail.

- `inbox`: `notify(...)` writes a message once (deduplicated), `unread_count`, `inbox`, `mark_read`;
- `events`: what services call when something happens to someone (a coaching session written,
  a ticket reviewed, a stage signed off or asked to repeat, an attempt marked);
- `reminders.sweep`: reminders three days before, the day before and when overdue, taken from
  the same to-do list Home shows, plus new open exams and the weekly wellbeing invitation;
- `mail`: the e-mail digest (or immediate e-mail) over SMTP, in each person's language;
- `preferences`: a person's own e-mail address and choices.

`portal notify sweep`, `portal notify send-digests` (sweeps, then sends; for cron, idempotent) and
`portal notify send-immediate` run them. Wellbeing stays out: no message ever says anything about
a person's check-in; the only wellbeing message is the weekly invitation, the same for everyone
who opted in.
"""
from portal.notifications.inbox import PAGE_SIZE, inbox, link_of, mark_read, message_text, notify, unread_count
from portal.notifications.preferences import MODES, Preferences, preferences, set_preferences

__all__ = ["PAGE_SIZE", "inbox", "link_of", "mark_read", "message_text", "notify", "unread_count", "MODES", "Preferences",
           "preferences", "set_preferences"]
