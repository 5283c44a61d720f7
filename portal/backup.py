"""Consistent backups and restores of the portal database.

SQLite: the online backup API copies a consistent snapshot, also while the
app is running (WAL). PostgreSQL: `pg_dump --format=custom` and
`pg_restore --clean`, the standard tools, which take a consistent snapshot.
"""
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from portal.errors import PortalError


def _sqlite_path(engine: Engine) -> str:
    return make_url(str(engine.url)).database


def _libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(engine: Engine, target: Path) -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return target
    _require_tool("pg_dump")
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq_url(engine)], check=True)
    return target


def restore(engine: Engine, source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise PortalError("backup.error.missing_file", path=str(source))
    if engine.dialect.name == "sqlite":
        _check_sqlite_file(source)
        engine.dispose()
        src = sqlite3.connect(source)
        dest = sqlite3.connect(_sqlite_path(engine))
        try:
            with dest:
                src.backup(dest)
        finally:
            src.close()
            dest.close()
        return
    _require_tool("pg_restore")
    engine.dispose()
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    f"--dbname={_libpq_url(engine)}", str(source)], check=True)


def _check_sqlite_file(path: Path) -> None:
    with open(path, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise PortalError("backup.error.not_sqlite", path=str(path))


def _require_tool(name: str) -> None:
    if shutil.which(name) is None:
        raise PortalError("backup.error.missing_tool", tool=name)
