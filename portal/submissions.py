"""Idempotency keys: the same submission sent twice creates one record.

A form that creates a record carries a key made when the form is drawn
(`portal.ui.forms.RecordForm`); the service stores it with the record, in a
`submission_key` column under a unique index on (owner, key). When the same
key comes again (a double click, a form sent again after a reload or a lost
answer), the service returns the record the first one made instead of
creating another. Records created without a form (CLI, seed) have no key.
"""
import re
from typing import TypeVar

from sqlalchemy import Index
from sqlmodel import Session, SQLModel, select

from portal.errors import ValidationFailed

SUBMISSION_KEY_LENGTH = 64
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
M = TypeVar("M", bound=SQLModel)


def submission_key_index(table: str, owner: str = "user_id") -> Index:
    """The unique index that keeps one record per owner and submission (NULL keys never collide)."""
    return Index(f"ix_{table}_submission", owner, "submission_key", unique=True)


def checked_key(key: str | None) -> str | None:
    """The key as given, or None; refuse anything that is not a key a form made."""
    if key is None:
        return None
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise ValidationFailed("error.bad_submission_key")
    return key


def earlier_submission(session: Session, model: type[M], key: str | None, *, owner_id: int,
                       owner: str = "user_id") -> M | None:
    """The record an earlier submission with this key created for this owner, if any."""
    if key is None:
        return None
    return session.exec(select(model).where(getattr(model, owner) == owner_id,
                                            model.submission_key == key)).first()
