"""The weekly check-in: participation under a keyed hash, one anonymous response, the person's own result."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import delete, event, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.errors import ValidationFailed
from portal.models import User, WellbeingParticipation, WellbeingPublication, WellbeingResponse
from portal.permissions import permission
from portal.roles import Actor
from portal.settings import REPO_ROOT, get_settings
from portal.wellbeing.aggregates import pss4_total_sql
from portal.wellbeing.periods import closed_periods, current_week
from portal.wellbeing.publication import PUBLICATION_LOCK
from portal.wellbeing.scoring import CHECKIN_COMMENT_MAX, Score, score

# --- participation: HMAC under a secret outside the database ------------------

SECRET_FILE = REPO_ROOT / "db" / "wellbeing-secret"


def participation_secret(path: Path = SECRET_FILE) -> bytes:
    """`WELLBEING_SECRET`, else a random secret made once in a git-ignored file (mode 600)."""
    configured = get_settings().wellbeing_secret
    if configured:
        return configured.encode()
    try:
        return path.read_text().strip().encode()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def participation_token(user_id: int, week: str) -> str:
    return hmac.new(participation_secret(), f"{user_id}:{week}".encode(), hashlib.sha256).hexdigest()


# --- the check-in --------------------------------------------------------------

@dataclass(frozen=True)
class CheckIn:
    who5: Sequence[int | None]
    pss4: Sequence[int | None]
    comment: str = ""


@dataclass(frozen=True)
class CheckInResult:
    week: str
    who5: Score
    pss4: Score
    pss4_typical: tuple[int, int] | None = None  # middle half of recent PSS-4 totals
    pss4_typical_scope: str | None = None  # "team" or "center"

    @property
    def needs_support(self) -> bool:
        return self.who5.needs_support


@permission("wellbeing:check_in")
def has_checked_in(session: Session, actor: Actor) -> bool:
    """Whether the actor already checked in this ISO week (only the actor can ask)."""
    return session.get(WellbeingParticipation, participation_token(actor.id, current_week())) is not None


@permission("wellbeing:check_in")
def check_in(session: Session, actor: Actor, answers: CheckIn) -> CheckInResult:
    """Store one anonymous response and the actor's participation for this week.

    Deliberately no audit entry and no logging: nothing may record that this
    person answered, when, or what.
    """
    try:
        who5, pss4 = score("who5", answers.who5), score("pss4", answers.pss4)
    except ValueError:
        raise ValidationFailed("wellbeing.error.incomplete") from None
    comment = (answers.comment or "").strip()
    if len(comment) > CHECKIN_COMMENT_MAX:
        raise ValidationFailed("wellbeing.error.comment_too_long", maximum=CHECKIN_COMMENT_MAX, length=len(comment))
    _serialise_check_ins(session)
    week = current_week()  # read under the lock: publication of the week that just ended waits for this
    if session.get(WellbeingPublication, week) is not None:  # only if the clock went back
        raise ValidationFailed("wellbeing.error.week_closed")
    participation = WellbeingParticipation.__table__
    try:
        session.execute(insert(participation).values(token=participation_token(actor.id, week), iso_week=week))
    except IntegrityError:  # the primary key keeps it to one per person and week, even for a double click
        raise ValidationFailed("wellbeing.error.already_checked_in") from None
    user = session.get(User, actor.id)
    team_id = user.team_id if user else None
    response = dict(id=secrets.token_hex(16), iso_week=week, team_id=team_id, comment=comment or None,
                    **{f"who5_{i}": int(a) for i, a in enumerate(answers.who5, 1)},
                    **{f"pss4_{i}": int(a) for i, a in enumerate(answers.pss4, 1)})
    _rewrite_week_shuffled(session, participation, week)
    _rewrite_week_shuffled(session, WellbeingResponse.__table__, week, response)
    typical, scope = _pss4_typical_range(session, team_id)
    return CheckInResult(week, who5, pss4, typical, scope)


CHECK_IN_LOCK = PUBLICATION_LOCK  # PostgreSQL advisory lock id, shared with publication


def _serialise_check_ins(session: Session) -> None:
    """One check-in at a time, because each rewrites the whole week, and none while a week is published.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the PRAGMA that
    follows is the transaction's first statement, so under `run_action`
    (BEGIN IMMEDIATE) it takes the write lock before anything is read. It
    makes SQLite overwrite deleted rows with zeros, and once the check-in
    has committed, a truncating checkpoint empties the `-wal` file: no file
    of the database then keeps an earlier copy of the week, whose number of
    copies would give each response's place in the order of arrival.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHECK_IN_LOCK})
    else:
        session.execute(text("PRAGMA secure_delete=ON"))
        database = bind.url.database
        if database and database != ":memory:":
            event.listen(session, "after_commit", lambda _session: _truncate_wal(database), once=True)


CHECKPOINT_BUSY_MS = 2000


def _truncate_wal(database: str) -> None:
    """Copy the WAL into the database file and cut it to zero bytes.

    On a connection of its own, outside the pool (the committing session
    still holds its pooled connection). It waits up to CHECKPOINT_BUSY_MS
    for readers and writers; if one still holds an older snapshot, the WAL
    is left as it is and the next check-in's checkpoint finishes the job.
    """
    connection = sqlite3.connect(database, timeout=CHECKPOINT_BUSY_MS / 1000, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.OperationalError:
        pass  # busy: the next check-in's checkpoint truncates it
    finally:
        connection.close()


def _rewrite_week_shuffled(session: Session, table, week: str, new_row: dict | None = None) -> None:
    """Write the week's rows (and `new_row`) back in a fresh random order.

    One DELETE and one multi-row INSERT: on PostgreSQL every row of the week
    then carries the same transaction id (xmin) and a shuffled position
    (ctid), so neither tells which row came last.
    """
    rows = [dict(r) for r in session.execute(select(table).where(table.c.iso_week == week)).mappings()]
    if new_row is not None:
        rows.append(new_row)
    secrets.SystemRandom().shuffle(rows)
    session.execute(delete(table).where(table.c.iso_week == week))
    session.execute(insert(table), rows)


def _pss4_typical_range(session: Session, team_id: int | None) -> tuple[tuple[int, int] | None, str | None]:
    """The middle half (25th..75th percentile) of recent PSS-4 totals, team first, else the center.

    Only from at least `wellbeing_min_comments` responses over the last 12 closed weeks: the current
    week stays out, so that checking in shows nothing of this week's other answers.
    """
    minimum = get_settings().wellbeing_min_comments
    table = WellbeingResponse.__table__
    recent = select(pss4_total_sql(table)).where(table.c.iso_week >= closed_periods("week", 12)[0],
                                                 table.c.iso_week < current_week())
    for scope, query in (("team", recent.where(table.c.team_id == team_id) if team_id else None), ("center", recent)):
        totals = session.execute(query).scalars().all() if query is not None else []
        if len(totals) >= minimum:
            low, high = np.percentile(np.asarray(totals, dtype=np.int64), [25, 75])
            return (int(round(low)), int(round(high))), scope
    return None, None

