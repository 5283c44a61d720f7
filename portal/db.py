"""Engine, sessions and migrations.

SQLite (the default file under db/) gets foreign keys, WAL and a busy
timeout on every connection; PostgreSQL is reached through
`postgresql+psycopg://`. The app and the CLI call `migrate()` on start.
"""
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from portal.clock import center_date_of_stored
from portal.errors import PortalError
from portal.settings import REPO_ROOT, get_settings

MIGRATIONS_DIR = REPO_ROOT / "db" / "migrations"


def normalise_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and use psycopg 3 for it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(engine: Engine) -> None:
    busy_ms = get_settings().sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy own transactions (pysqlite's implicit BEGIN is off),
        # then begin explicitly so writers take the lock at BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.create_function("center_date", 1, center_date_of_stored)
        if OPTIMIZE_ON_OPEN:
            _optimize(cursor, "PRAGMA optimize=0x10002")
        cursor.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record):
        # A long-running server keeps its pooled connections for days: every
        # OPTIMIZE_EVERY_S, let SQLite re-analyze what this connection's queries
        # would have planned better with fresh statistics (usually a no-op).
        due = record.info.setdefault("optimize_due", time.monotonic() + OPTIMIZE_EVERY_S)
        if dbapi_connection is not None and time.monotonic() >= due:
            record.info["optimize_due"] = time.monotonic() + OPTIMIZE_EVERY_S
            cursor = dbapi_connection.cursor()
            _optimize(cursor, "PRAGMA optimize")
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred
        # transaction that reads, then writes after another writer committed,
        # fails at once with "database is locked" instead of waiting its turn.
        immediate = connection.get_execution_options().get("sqlite_begin_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# SQLite's statistics (sqlite_stat1), as https://sqlite.org/lang_analyze.html recommends: since 3.46
# `PRAGMA optimize=0x10002` when a connection opens (cheap: it sets its own analysis limit), and
# `PRAGMA optimize` now and then on long-lived connections; older versions get the second only.
# Bulk loads and migrations call refresh_statistics() themselves.
OPTIMIZE_ON_OPEN = sqlite3.sqlite_version_info >= (3, 46, 0)
OPTIMIZE_EVERY_S = 3600.0


def _optimize(cursor, statement: str) -> None:
    """Statistics are an optimisation: a busy or read-only database skips them, never fails a request."""
    try:
        cursor.execute("PRAGMA analysis_limit=400")
        cursor.execute(statement)
    except sqlite3.OperationalError:
        pass


class rare(FunctionElement):
    """A condition few rows meet, though its column has few values: `rare(Attempt.status == "needs_marking")`.

    SQLite's statistics (sqlite_stat1) know only a column's average rows per value: with three statuses
    it takes `status = 'needs_marking'` for a third of all attempts and scans the table to count them.
    On SQLite this says `likelihood(condition, 0.001)`, the planner's own hint, so the index on status
    is used; elsewhere (PostgreSQL keeps per-value statistics) it is the condition as written."""
    type = NullType()  # not Boolean: SQLite would get `likelihood(...) = 1`, which hides the condition
    name = "rare"
    inherit_cache = True


@compiles(rare)
def _rare_as_written(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(rare, "sqlite")
def _rare_on_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(list(element.clauses)[0], **kw)}, 0.001)"


def refresh_statistics(engine: Engine) -> None:
    """Gather the planner's statistics now: after a migration (new indexes) or a bulk load.

    Without them SQLite plans `attempt` lookups blind (issue 15: My exams walked
    `ix_attempt_exam_status`, every graded attempt of each exam, instead of
    `ix_attempt_exam_user`). A full ANALYZE on both databases: on SQLite 1.5 s on
    `large` and 4-10 s at 5x on a busy 2-core machine. A sampled one
    (analysis_limit=1000, 0.13 s) guessed 1,001 attempts per exam instead of 5,000
    and every status as selective, and walked the cohort board's best-marks query
    exam by exam instead of person by person. PostgreSQL's autovacuum would get
    there too, but only after a while."""
    with engine.connect() as connection:
        if is_sqlite(engine):
            connection.exec_driver_sql("PRAGMA analysis_limit=0")  # 0: no limit, whatever the connection had
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work: commit on success, roll back everything on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class WriteInReadScope(RuntimeError):
    """A programming error: page writes go through `run_transaction` (retried when busy)."""


@contextmanager
def read_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading only: a flush with changes raises WriteInReadScope.

    A page that read, then wrote, in one deferred SQLite transaction fails at once
    with "database is locked" whenever another writer committed in between, and
    the write cannot be retried from here; `run_transaction` can."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        session.info["read_only"] = True
        yield session  # closing the session ends its transaction; loaded objects stay readable


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_read_scope(session, _context, _instances) -> None:
    if session.info.get("read_only") and (session.new or session.deleted or any(
            session.is_modified(obj) for obj in session.dirty)):
        raise WriteInReadScope("a write in a read-only session: use run_transaction / run_action")


T = TypeVar("T")
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


class DatabaseBusy(PortalError):
    """Another writer held the database too long; nothing was saved, trying again is safe."""

    key = "error.busy_retry"


def is_retryable(exc: BaseException) -> bool:
    original = getattr(exc, "orig", exc)
    if getattr(original, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database is busy" in message


def run_transaction(work: Callable[[Session], T], engine: Engine | None = None, attempts: int = 3, *,
                    immediate: bool = True) -> T:
    """Run `work(session)` as one transaction; retry it whole when the database says "busy".

    Either everything `work` wrote lands, or nothing does and DatabaseBusy says so.
    `immediate=False` is for work that mostly reads and seldom writes (touching a
    login session): on SQLite it does not queue for the writer lock, and the rare
    write that finds the database changed under it is retried whole instead.
    """
    writer = (engine or get_engine()).execution_options(sqlite_begin_immediate=immediate)
    for attempt in range(1, attempts + 1):
        try:
            with session_scope(writer) as session:
                return work(session)
        except DBAPIError as exc:
            if not is_retryable(exc):
                raise
            if attempt == attempts:
                raise DatabaseBusy() from exc
            time.sleep(0.05 * 2 ** attempt)
    raise AssertionError("unreachable")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine | None = None, revision: str = "heads") -> None:
    """Upgrade the database to the newest schema (creating it if empty); when that changed the
    schema, refresh the planner's statistics (new indexes have none)."""
    engine = engine or get_engine()
    before = current_revisions(engine)
    command.upgrade(alembic_config(engine), revision)
    if current_revisions(engine) != before:
        refresh_statistics(engine)


def current_revisions(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
