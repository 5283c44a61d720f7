"""A person's own choices: where e-mail goes, how often, and the weekly wellbeing invitation."""
import re
from dataclasses import dataclass

from sqlmodel import Session

from portal import audit
from portal.clock import utcnow
from portal.errors import ValidationFailed
from portal.models import NotificationPreference
from portal.permissions import permission
from portal.roles import Actor

MODES = ("none", "digest", "immediate")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Preferences:
    email: str | None
    mode: str
    wellbeing_reminder: bool


@permission("account:manage_own")
def preferences(session: Session, actor: Actor) -> Preferences:
    row = session.get(NotificationPreference, actor.id)
    if row is None:
        return Preferences(email=None, mode="none", wellbeing_reminder=False)
    return Preferences(email=row.email, mode=row.mode, wellbeing_reminder=row.wellbeing_reminder)


@permission("account:manage_own")
def set_preferences(session: Session, actor: Actor, *, email: str | None, mode: str,
                    wellbeing_reminder: bool) -> Preferences:
    """Save the actor's own preferences; e-mail by digest or at once needs a valid address."""
    email = (email or "").strip() or None
    if mode not in MODES:
        raise ValidationFailed("notify.error.mode")
    if email is not None and (len(email) > 254 or not EMAIL.match(email)):
        raise ValidationFailed("notify.error.email")
    if mode != "none" and email is None:
        raise ValidationFailed("notify.error.email_needed")
    row = session.get(NotificationPreference, actor.id) or NotificationPreference(user_id=actor.id)
    row.email, row.mode, row.wellbeing_reminder, row.updated_at = email, mode, bool(wellbeing_reminder), utcnow()
    session.add(row)
    audit.record(session, actor_id=actor.id, action="notifications.preferences_set", target=actor.username,
                 mode=mode, wellbeing_reminder=bool(wellbeing_reminder))
    return Preferences(email=email, mode=mode, wellbeing_reminder=bool(wellbeing_reminder))
