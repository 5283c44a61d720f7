"""Messages to one person: written once per event (deduplicated), read in the inbox, counted in the sidebar."""
import json
from datetime import date, datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.clock import utcnow
from portal.errors import ValidationFailed
from portal.formatting import format_date
from portal.i18n import Translator
from portal.models import Notification
from portal.permissions import permission
from portal.roles import Actor

PAGE_SIZE = 50
DATE_PARAMS = ("due", "held")  # stored as ISO dates, shown in the reader's calendar format


def notify(session: Session, user_id: int, kind: str, *, page: str, dedupe_key: str,
           query: dict | None = None, **params) -> bool:
    """Tell `user_id` about something once: a second call with the same `dedupe_key` adds nothing.

    `params` fill `notify.<kind>`; a value may be a dict by language ({"en": ..., "zh-CN": ...}),
    so the message reads in whatever language the person uses when they read it.
    Returns whether a message was added. Runs inside the caller's transaction (a savepoint,
    so a duplicate never spoils it).
    """
    exists = session.exec(select(Notification.id).where(Notification.user_id == user_id,
                                                        Notification.dedupe_key == dedupe_key)).first()
    if exists is not None:
        return False
    row = Notification(user_id=user_id, kind=kind, page=page, dedupe_key=dedupe_key[:200],
                       query=json.dumps({k: str(v) for k, v in (query or {}).items()}),
                       params=json.dumps(params, default=_plain, ensure_ascii=False))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same message written at the same moment by another process
        return False
    return True


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a notification")


@permission("notifications:read_own")
def unread_count(session: Session, actor: Actor) -> int:
    return session.exec(select(func.count()).select_from(Notification)
                        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))).one()


@permission("notifications:read_own")
def inbox(session: Session, actor: Actor, *, page: int = 0) -> list[Notification]:
    """The actor's own messages, newest first, a page at a time."""
    return list(session.exec(select(Notification).where(Notification.user_id == actor.id)
                             .order_by(Notification.created_at.desc(), Notification.id.desc())
                             .offset(page * PAGE_SIZE).limit(PAGE_SIZE)).all())


@permission("notifications:read_own")
def mark_read(session: Session, actor: Actor, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's own messages read (all of them when `notification_ids` is None)."""
    query = update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        if not notification_ids:
            raise ValidationFailed("notify.error.nothing_chosen")
        query = query.where(Notification.id.in_(notification_ids))
    return session.execute(query.values(read_at=utcnow())).rowcount


def message_text(row: Notification, t: Translator) -> str:
    """The message in the reader's language (a parameter given by language falls back to English)."""
    params = {}
    for name, value in json.loads(row.params).items():
        if isinstance(value, dict):
            value = value.get(t.language) or value.get("en") or next(iter(value.values()), "")
        elif name in DATE_PARAMS and value:
            value = format_date(date.fromisoformat(value), t.language)
        params[name] = value
    return t(f"notify.{row.kind}", **params)


def link_of(row: Notification) -> tuple[str, dict[str, str]]:
    return row.page, json.loads(row.query)
