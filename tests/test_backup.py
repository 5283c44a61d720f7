import shutil

import pytest
from sqlalchemy import text

from portal.backup import backup, restore
from portal.errors import PortalError


def counts(engine):
    with engine.connect() as c:
        return {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                for t in ("user_account", "user_role", "team", "cohort", "audit_log")}


def test_backup_and_restore_round_trip(demo_engine, tmp_path):
    if demo_engine.dialect.name == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")
    before = counts(demo_engine)
    path = backup(demo_engine, tmp_path / "academy.backup")
    with demo_engine.begin() as c:
        c.execute(text("DELETE FROM user_role"))
        c.execute(text("DELETE FROM audit_log"))
    assert counts(demo_engine)["user_role"] == 0
    restore(demo_engine, path)
    assert counts(demo_engine) == before


def test_restore_refuses_missing_or_foreign_files(demo_engine, tmp_path):
    with pytest.raises(PortalError, match="No backup file"):
        restore(demo_engine, tmp_path / "missing.backup")
    if demo_engine.dialect.name == "sqlite":
        junk = tmp_path / "junk.backup"
        junk.write_text("not a database")
        with pytest.raises(PortalError, match="not a SQLite"):
            restore(demo_engine, junk)
