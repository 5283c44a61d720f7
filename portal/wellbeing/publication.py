"""Publication: a period's cells are published once, all at once, after the period has closed, and never change.

A week is published when it has closed in the center's time zone: every
group's cell of that week and the center's, in one batch. A month is
published right after its last week, in a second batch. Before anything is
published, `audit.audit_batch` checks the batch against everything published
before (see portal/wellbeing/audit.py) and hides more cells until no hidden
cell can be worked out. The published figures are written to
`wellbeing_aggregate` and the period to `wellbeing_publication`; nothing
rewrites them afterwards, whatever happens to the raw responses.

Only cells of one month are ever linked (a group's month is the sum of its
weeks, the center the sum of the groups), so a week's batch is audited
alone and a month's batch with its weeks.

Publication runs lazily (the first read after a period closes) or from
`portal wellbeing publish`. It takes the check-in lock, so a check-in that
is still running when the week ends lands before the week is published, and
checks again under the lock what is still to do, so concurrent readers
publish each period exactly once.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import insert, text
from sqlmodel import Session, select

from portal.db import run_transaction
from portal.models import WellbeingAggregate, WellbeingPublication, WellbeingResponse
from portal.settings import get_settings
from portal.wellbeing.aggregates import cell_relations, cell_sums, stats_of, sums_of, week_cell_sums
from portal.wellbeing.audit import Cell, audit_batch
from portal.wellbeing.periods import current_week, last_week_of_month, month_of_week, weeks_of_month

PUBLICATION_LOCK = 7_470_001  # the check-in lock (PostgreSQL advisory lock id), see checkin.CHECK_IN_LOCK


# --- deciding a batch (pure: tests/test_wellbeing_audit.py runs it on many random centers) -----------------

@dataclass
class BatchDecision:
    shown: dict[Cell, tuple[int, ...]]  # cell -> its sums, to publish
    unprotected: list[Cell] = field(default_factory=list)


def decide_week(week: str, week_sums: Iterable[tuple], minimum: int) -> BatchDecision:
    """The cells of one closed week to publish: every group's and the center's, audited together."""
    cells = {key: sums for key, sums in cell_sums(s for s in week_sums if s[0] == week).items() if key[1] == week}
    return _decide(cells, cells, {}, minimum)


def decide_month(month: str, week_sums: Iterable[tuple], published: Mapping[Cell, tuple[int, ...]],
                 minimum: int) -> BatchDecision:
    """The month cells to publish, audited with every cell of the month's weeks and the week cells
    published before (`published`, with the sums shown then)."""
    weeks = set(weeks_of_month(month))
    cells = cell_sums(s for s in week_sums if s[0] in weeks)
    published = {key: sums for key, sums in published.items() if key[1] in weeks}
    return _decide(cells, {key: s for key, s in cells.items() if key[1] == month}, published, minimum)


def _decide(cells: Mapping[Cell, tuple[int, ...]], batch: Mapping[Cell, tuple[int, ...]],
            published: Mapping[Cell, tuple[int, ...]], minimum: int) -> BatchDecision:
    result = audit_batch(cells, cell_relations({**cells, **published}), published, batch, minimum)
    return BatchDecision({key: cells[key] for key in sorted(result.shown)}, result.unprotected)


# --- publishing to the database --------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicationReport:
    periods: tuple[str, ...]  # weeks and months published now, in order
    cells_published: int
    cells_unprotected: int  # should always be 0: hidden cells the audit could not protect


def pending_periods(session: Session, current: str | None = None) -> list[str]:
    """Closed weeks and months with responses that are not published yet, in the order they closed.

    Only weeks after the newest published one are read: periods are published all at once, in order,
    and a check-in is always saved under the week it is given in, so nothing older can still be
    waiting. The team page asks this on every view; reading every response's week instead grew with
    the center's whole history (issue 15).
    """
    current = current or current_week()
    table = WellbeingResponse.__table__
    done = set(session.execute(select(WellbeingPublication.__table__.c.period)).scalars())
    newest_done = max((p for p in done if "-W" in p), default="")
    weeks = set(session.execute(select(table.c.iso_week).where(
        table.c.iso_week < current, table.c.iso_week > newest_done).distinct()).scalars())
    months = {month_of_week(w) for w in weeks if last_week_of_month(month_of_week(w)) < current}
    pending = (weeks | months) - done
    return sorted(pending, key=lambda p: (p, 0) if "-W" in p else (last_week_of_month(p), 1))


def publish_closed_periods(session: Session, current: str | None = None) -> PublicationReport:
    """Publish every closed period not yet published (idempotent). Runs in the caller's transaction."""
    _take_publication_lock(session)
    current = current or current_week()
    minimum = get_settings().wellbeing_min_responses
    periods, published, unprotected = pending_periods(session, current), 0, 0
    for period in periods:
        decision = _decide_period(session, period, minimum)
        rows = [dict(group_key=group, period=p, **stats_of(sums)) for (group, p), sums in decision.shown.items()]
        if rows:
            session.execute(insert(WellbeingAggregate.__table__), rows)
        session.execute(insert(WellbeingPublication.__table__), [{"period": period}])
        published += len(rows)
        unprotected += len(decision.unprotected)
    session.flush()
    return PublicationReport(tuple(periods), published, unprotected)


def _take_publication_lock(session: Session) -> None:
    """PostgreSQL: the check-in advisory lock. SQLite: the transaction's write lock (BEGIN IMMEDIATE from
    `run_transaction`; else the first INSERT takes it, and the primary key of `wellbeing_publication`
    refuses a period published twice)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLICATION_LOCK})


def _decide_period(session: Session, period: str, minimum: int) -> BatchDecision:
    if "-W" in period:
        return decide_week(period, week_cell_sums(session, [period]), minimum)
    weeks = weeks_of_month(period)
    table = WellbeingAggregate.__table__
    shown = {(row.group_key, row.period): sums_of(row._mapping)
             for row in session.execute(select(table).where(table.c.period.in_(weeks)))}
    return decide_month(period, week_cell_sums(session, weeks), shown, minimum)


def ensure_published(session: Session) -> None:
    """Publish what has closed since the last read. From a read-only session (a page), in a transaction of
    its own, after which the session starts a fresh snapshot so that it sees the result."""
    if not pending_periods(session):
        return
    if session.info.get("read_only"):
        run_transaction(publish_closed_periods, session.get_bind())
        session.commit()  # nothing to write; ends the read transaction
    else:
        publish_closed_periods(session)


CELL_FIELDS = ("responses", "who5_mean_pct", "pss4_mean", "very_low", "low", "ok", "support_signal")


def published_cells(session: Session, groups: Collection[str] | None = None) -> dict[Cell, Mapping]:
    """Every cell ever published (only those; each read-only), publishing what has closed first; only
    those of `groups` if given: a team's page reads its team's cells, not the whole center's (issue 15),
    as plain rows by the (group_key, period) index."""
    ensure_published(session)
    table = WellbeingAggregate.__table__
    query = select(table.c.group_key, table.c.period, *(table.c[name] for name in CELL_FIELDS))
    if groups is not None:
        query = query.where(table.c.group_key.in_(list(groups)))
    return {(row.group_key, row.period): MappingProxyType({name: row._mapping[name] for name in CELL_FIELDS})
            for row in session.execute(query)}


def published_periods(session: Session) -> set[str]:
    return set(session.execute(select(WellbeingPublication.__table__.c.period)).scalars())
