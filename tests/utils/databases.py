"""Fresh test databases on SQLite and PostgreSQL, cloned from templates.

A template is migrated (and optionally seeded) once per test session; each
test gets its own copy: a file copy on SQLite, `CREATE DATABASE ... TEMPLATE`
on PostgreSQL. So every test starts from a known state and none can leak.
"""
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from portal.db import make_engine

DEFAULT_POSTGRES_URL = "postgresql://academy:academy@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    return os.environ.get("PORTAL_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_unavailable_reason() -> str | None:
    url = postgres_admin_url()
    try:
        with psycopg.connect(url, connect_timeout=2):
            return None
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL not reachable at {make_url(url).render_as_string()} ({first_line}); " \
               f"set PORTAL_TEST_POSTGRES_URL to a server where the user may create databases"


class SqliteDatabases:
    name = "sqlite"

    def __init__(self, root: Path):
        self.root = root
        self.templates: dict[str, Path] = {}

    def template(self, label: str, build: Callable[[Engine], None]) -> str:
        if label not in self.templates:
            path = self.root / f"template-{label}.sqlite3"
            engine = make_engine(f"sqlite:///{path}")
            with engine.connect():  # creates the file even when `build` adds nothing
                pass
            build(engine)
            engine.dispose()
            self.templates[label] = path
        return label

    def clone(self, label: str) -> str:
        target = self.root / f"test-{uuid.uuid4().hex[:10]}.sqlite3"
        shutil.copyfile(self.templates[label], target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.prefix = f"academy_t{uuid.uuid4().hex[:6]}"
        self.templates: dict[str, str] = {}

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def _url(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def template(self, label: str, build: Callable[[Engine], None]) -> str:
        if label not in self.templates:
            name = f"{self.prefix}_tpl_{label}"
            self._admin(f'CREATE DATABASE "{name}"')
            engine = make_engine(self._url(name))
            build(engine)
            engine.dispose()
            self.templates[label] = name
        return label

    def clone(self, label: str) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.templates[label]}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        for name in self.templates.values():
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
