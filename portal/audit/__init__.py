"""The audit log: who did what, to whom or what, when — kept append-only, read as sentences.

- `record(...)` is the only writer. Nothing updates or deletes an entry: `guard` refuses it at the
  session (a changed or deleted `AuditEntry`, or a bulk UPDATE/DELETE on `audit_log`), and
  `tests/test_audit_log.py` proves it.
- `portal.audit.search` filters the whole log (who acted, whom or what, action, dates, free text),
  a page at a time, and names people and things in words (`portal.audit.words`).
"""
import json

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from portal.models import AuditEntry


def record(session: Session, *, actor_id: int | None, action: str, target: str = "", **details) -> None:
    session.add(AuditEntry(actor_id=actor_id, action=action, target=target,
                           details=json.dumps(details, ensure_ascii=False, default=str)))


def details_of(entry: AuditEntry) -> dict:
    """An entry's details as recorded (an entry written by hand with bad JSON reads as none)."""
    try:
        details = json.loads(entry.details or "{}")
    except ValueError:
        return {}
    return details if isinstance(details, dict) else {}


class AuditLogIsAppendOnly(RuntimeError):
    """A programming error: audit entries are written once and never changed or removed."""


@event.listens_for(OrmSession, "before_flush")
def _no_changes_to_entries(session, _context, _instances) -> None:
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, AuditEntry) and (instance in session.deleted or session.is_modified(instance)):
            raise AuditLogIsAppendOnly(f"audit entry {instance.id} may not be changed or deleted")


@event.listens_for(OrmSession, "do_orm_execute")
def _no_bulk_changes(state) -> None:
    if (state.is_update or state.is_delete) and any(
            getattr(mapper, "class_", None) is AuditEntry for mapper in state.all_mappers):
        raise AuditLogIsAppendOnly("the audit log may not be updated or deleted in bulk")
