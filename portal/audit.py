"""The audit log: who did what, to what, when."""
import json

import pandas as pd
from sqlmodel import Session, select

from portal.models import AuditEntry, User
from portal.permissions import permission
from portal.roles import Actor


def record(session: Session, *, actor_id: int | None, action: str, target: str = "", **details) -> None:
    session.add(AuditEntry(actor_id=actor_id, action=action, target=target,
                           details=json.dumps(details, ensure_ascii=False, default=str)))


@permission("audit:read")
def recent_entries(session: Session, actor: Actor, *, limit: int = 500, action: str | None = None) -> pd.DataFrame:
    query = (select(AuditEntry.at, User.username, AuditEntry.action, AuditEntry.target, AuditEntry.details)
             .join(User, User.id == AuditEntry.actor_id, isouter=True)
             .order_by(AuditEntry.id.desc()).limit(limit))
    if action:
        query = query.where(AuditEntry.action == action)
    rows = session.exec(query).all()
    return pd.DataFrame(rows, columns=["at", "actor", "action", "target", "details"])


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all())
