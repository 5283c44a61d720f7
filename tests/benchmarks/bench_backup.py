"""Back up the `large` data set, restore it into a fresh database and compare every table (prints; asserts nothing).

    .venv/bin/python -m tests.benchmarks.bench_backup --database-url sqlite:///db/large.sqlite3
    .venv/bin/python -m tests.benchmarks.bench_backup --database-url postgresql://academy:academy@127.0.0.1/academy_large

Phases, each timed: table checksums of the source; `portal.backup.backup` (copy or
pg_dump, checksums of the backup's snapshot, manifest); `portal.backup.restore` into a
FRESH database (SQLite: a new file in a temporary folder; PostgreSQL: a new database on
the same server, created and dropped here), which checks the file's SHA-256, restores
and verifies every table against the manifest; then the restored database's checksums
once more, on their own, compared table by table with the source. The source database
is only read. The backup file, the manifest and the fresh database are removed at the end.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from portal.backup import BackupMismatch, backup, compare, restore, table_checksums
from portal.db import make_engine, normalise_url


def timed(label: str, timings: list, fn):
    started = time.perf_counter()
    value = fn()
    timings.append((label, time.perf_counter() - started))
    return value


class FreshPostgres:
    """An empty database beside the source one, dropped on exit."""

    def __init__(self, source_url: str):
        url = make_url(normalise_url(source_url))
        self.name = f"academy_bench_restore_{uuid.uuid4().hex[:8]}"
        self.admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        self.url = url.set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> str:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the large data set (default: $DATABASE_URL); only read")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url (or set DATABASE_URL)")
    source = make_engine(args.database_url)
    kind = source.dialect.name
    print(f"source: {source.url.render_as_string()}  ({kind})\n")
    timings: list[tuple[str, float]] = []

    with tempfile.TemporaryDirectory(prefix="bench-backup-") as folder:
        folder = Path(folder)
        if kind == "sqlite":
            fresh_url, cleanup = f"sqlite:///{folder / 'restored.sqlite3'}", None
        else:
            cleanup = FreshPostgres(args.database_url)
            fresh_url = cleanup.__enter__()
        try:
            original = timed("checksums of the source", timings, lambda: table_checksums(source))
            result = timed("backup (copy + checksums of its snapshot + manifest)", timings,
                           lambda: backup(source, folder / "large.backup"))
            size_mb = result.path.stat().st_size / 2**20
            target = make_engine(fresh_url)
            try:
                restored = timed("restore into a fresh database (file check + restore + verify)", timings,
                                 lambda: restore(target, result.path))
                verified = f"restore verified {len(restored.tables)} tables, {restored.rows:,} rows"
            except BackupMismatch as mismatch:
                verified = f"restore REPORTED A MISMATCH: {mismatch}"
            again = timed("checksums of the restored database, on their own", timings,
                          lambda: table_checksums(target))
            target.dispose()
        finally:
            source.dispose()
            if cleanup is not None:
                cleanup.__exit__(None, None, None)

    differences = {d.table for d in compare(original, again)}
    same_as_manifest = result.tables == original
    width = max(len(name) for name in original | again)
    print(f"{'table':<{width}}  {'rows':>10}  {'source':<12}  {'restored':<12}  match")
    for name in sorted(original | again):
        a, b = original.get(name), again.get(name)
        print(f"{name:<{width}}  {(a or b).rows:>10,}  {a.short() if a else '-':<12}  "
              f"{b.short() if b else '-':<12}  {'no' if name in differences else 'yes'}")
    total = sum(t.rows for t in original.values())
    print(f"\n{len(original)} tables, {total:,} rows; {len(original) - len(differences & set(original))} tables match, "
          f"{len(differences)} differ; the manifest {'equals' if same_as_manifest else 'DIFFERS FROM'} the source's "
          f"checksums; {verified}")
    print(f"backup file: {size_mb:.1f} MiB\n")
    width = max(len(label) for label, _ in timings)
    for label, seconds in timings:
        print(f"{label:<{width}}  {seconds:7.2f} s")


if __name__ == "__main__":
    main()
