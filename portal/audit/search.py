"""Finding entries: filters over the whole log, a page at a time, each entry told in words."""
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal.clock import center_zone
from portal.i18n import Translator
from portal.models import AuditEntry, User
from portal.paging import PAGE_SIZE, Page, fetch_page
from portal.permissions import permission
from portal.roles import Actor
from portal.audit.words import describe, lookups

SIGN_IN_ACTIONS = ("login.succeeded", "login.failed", "login.throttled", "logout")
COLUMNS = ["id", "at", "actor", "action", "target", "what", "details"]


@dataclass(frozen=True)
class AuditQuery:
    """What to look for; every field optional. Dates are days in the center's calendar, inclusive."""

    actor: str = ""  # who acted: part of a username or name
    subject: str = ""  # whom or what it concerned: part of the target (a username, a team, an exam code)
    action: str | None = None
    since: date | None = None
    until: date | None = None
    text: str = ""  # anywhere: target and details
    sign_ins: bool = False  # sign-ins and sign-outs are many; shown only when asked for


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, center_zone())


def _filtered(query: AuditQuery):
    conditions = []
    if query.action:
        conditions.append(AuditEntry.action == query.action)
    elif not query.sign_ins:
        conditions.append(AuditEntry.action.not_in(SIGN_IN_ACTIONS))
    if query.actor.strip():
        like = f"%{query.actor.strip()}%"
        conditions.append(AuditEntry.actor_id.in_(select(User.id).where(
            or_(User.username.ilike(like), User.display_name.ilike(like)))))
    if query.subject.strip():
        like = f"%{query.subject.strip()}%"
        named = select(User.username).where(or_(User.username.ilike(like), User.display_name.ilike(like)))
        conditions.append(or_(AuditEntry.target.ilike(like), AuditEntry.target.in_(named)))
    if query.text.strip():
        like = f"%{query.text.strip()}%"
        conditions.append(or_(AuditEntry.target.ilike(like), AuditEntry.details.ilike(like),
                              AuditEntry.action.ilike(like)))
    if query.since:
        conditions.append(AuditEntry.at >= _start_of(query.since))
    if query.until:
        conditions.append(AuditEntry.at < _start_of(query.until + timedelta(days=1)))
    return conditions


@permission("audit:read")
def search(session: Session, actor: Actor, query: AuditQuery, t: Translator, *, page: int = 0,
           page_size: int | None = PAGE_SIZE) -> Page[pd.DataFrame]:
    """One page of the entries matching `query`, newest first, each with `what` in words (`rows`: `COLUMNS`).

    `page_size=None` returns every match (for exports).
    """
    conditions = _filtered(query)
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    rows_query = (select(AuditEntry.id, AuditEntry.at, User.display_name, AuditEntry.action, AuditEntry.target,
                         AuditEntry.details)
                  .join(User, User.id == AuditEntry.actor_id, isouter=True)
                  .where(*conditions).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    shown = fetch_page(session, rows_query, page=page, page_size=page_size, total=total)
    return replace(shown, rows=pd.DataFrame(_described(session, t, shown.rows), columns=COLUMNS))


def _described(session: Session, t: Translator, rows: list) -> list[dict]:
    """The entries as the log shows them: names for ids, the action and the entry in words."""
    names = lookups(session, rows)
    records = []
    for entry_id, at, actor_name, action, target, details in rows:
        parsed = json.loads(details or "{}")
        actor_name = actor_name or t("audit.system")
        records.append({"id": entry_id, "at": at, "actor": actor_name, "action": action_label(t, action),
                        "target": names.person(target), "what": describe(t, action, actor_name, target, parsed, names),
                        "details": _details_text(parsed)})
    return records


def _details_text(details: dict) -> str:
    return "; ".join(f"{key}: {value}" for key, value in details.items()) if details else ""


def action_label(t: Translator, action: str) -> str:
    """An action in words ('Grade changed'); an action with no words yet shows as recorded."""
    key = f"audit.action.{action}"
    text = t(key)
    return action if text == key else text


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all())
