"""`portal backup` / `portal restore`: exact round trips, checked table by table against the manifest."""
import json
import math
import shutil

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import portal.models  # noqa: F401  (every table in the metadata)
from portal.backup import BackupMismatch, backup, compare, manifest_path_for, restore, table_checksums
from portal.cli import main
from portal.errors import PortalError


@pytest.fixture
def demo(demo_engine):
    if demo_engine.dialect.name == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    return demo_engine


def scramble(engine):
    """Changes in several tables, so a restore has something to put back."""
    with engine.begin() as c:
        c.execute(text("DELETE FROM user_role"))
        c.execute(text("DELETE FROM audit_log"))
        c.execute(text("DELETE FROM question_tag"))
        c.execute(text("UPDATE attempt_answer SET mark = NULL"))
        c.execute(text("UPDATE user_account SET display_name = display_name || ' (changed)'"))


def test_round_trip_is_exact_on_every_table(demo, tmp_path):
    before = table_checksums(demo)
    assert set(SQLModel.metadata.tables) | {"alembic_version"} == set(before)
    assert sum(t.rows for t in before.values()) > 2000
    assert sum(1 for t in before.values() if t.rows) >= 25  # the demo fills most tables

    result = backup(demo, tmp_path / "academy.backup")
    assert result.tables == before
    manifest = json.loads(manifest_path_for(result.path).read_text())
    assert manifest["database"] == demo.dialect.name
    assert manifest["schema_revision"] == result.revision != "none"
    assert {name: (t["rows"], t["sha256"]) for name, t in manifest["tables"].items()} == \
        {name: (t.rows, t.checksum) for name, t in before.items()}

    scramble(demo)
    changed = {d.table for d in compare(before, table_checksums(demo))}
    assert {"user_role", "audit_log", "question_tag", "attempt_answer", "user_account"} <= changed

    restored = restore(demo, result.path)
    assert restored.verified
    assert restored.tables == before
    assert table_checksums(demo) == before  # every table: the same row count and checksum


def test_checksum_sees_a_change_to_one_value_of_one_row(demo):
    before = table_checksums(demo)
    assert table_checksums(demo) == before  # deterministic
    with demo.begin() as c:  # attempt.score: a float column no trigger reacts to (attempt_answer's clear attempt_marks)
        row = c.execute(text("SELECT id, score FROM attempt WHERE score > 0 ORDER BY id")).first()
        c.execute(text("UPDATE attempt SET score = :s WHERE id = :id"),
                  {"s": math.nextafter(row.score, math.inf), "id": row.id})  # one ulp
    differences = compare(before, table_checksums(demo))
    assert [d.table for d in differences] == ["attempt"]
    assert differences[0].expected.rows == differences[0].actual.rows
    assert "checksum differs" in differences[0].describe()

    with demo.begin() as c:
        c.execute(text("UPDATE attempt SET score = :s WHERE id = :id"), {"s": row.score, "id": row.id})
        c.execute(text("UPDATE team SET name = name || '.' WHERE id = (SELECT min(id) FROM team)"))
    assert [d.table for d in compare(before, table_checksums(demo))] == ["team"]


def test_manifest_describes_the_backup_even_when_the_app_writes_meanwhile(demo, tmp_path, monkeypatch):
    """The checksums are read from the backup's own snapshot, not from the live database a moment later."""
    import portal.backup as module

    real = module._sqlite_checksums if demo.dialect.name == "sqlite" else module._postgres_checksums

    def write_then_checksum(raw):
        with demo.begin() as c:  # another connection, committed while the backup runs
            c.execute(text("DELETE FROM audit_log"))
        return real(raw)

    before = table_checksums(demo)
    monkeypatch.setattr(module, "_sqlite_checksums" if demo.dialect.name == "sqlite" else "_postgres_checksums",
                        write_then_checksum)
    result = backup(demo, tmp_path / "academy.backup")
    monkeypatch.undo()
    assert result.tables == before
    assert table_checksums(demo)["audit_log"].rows == 0
    assert restore(demo, result.path).tables == before


def test_restore_names_the_tables_a_mismatching_manifest_disagrees_on(demo, tmp_path):
    result = backup(demo, tmp_path / "academy.backup")
    manifest_file = manifest_path_for(result.path)
    manifest = json.loads(manifest_file.read_text())
    manifest["tables"]["team"]["sha256"] = "0" * 64
    manifest["tables"]["user_role"]["rows"] += 1
    manifest_file.write_text(json.dumps(manifest))

    with pytest.raises(BackupMismatch, match=r"does not match .* in 2 tables: team, user_role") as raised:
        restore(demo, result.path)
    described = {d.table: d.describe() for d in raised.value.differences}
    assert set(described) == {"team", "user_role"}
    assert "checksum differs" in described["team"]
    assert f"rows {result.tables['user_role'].rows + 1} in the backup, {result.tables['user_role'].rows} restored" \
        in described["user_role"]


def test_a_table_the_backup_does_not_have_is_reported_or_gone(demo, tmp_path):
    """SQLite replaces the whole file; pg_restore --clean replaces only what the dump holds."""
    result = backup(demo, tmp_path / "academy.backup")
    with demo.begin() as c:
        c.execute(text("CREATE TABLE added_by_a_later_migration (id INTEGER PRIMARY KEY)"))
    if demo.dialect.name == "sqlite":
        assert restore(demo, result.path).verified
        assert "added_by_a_later_migration" not in table_checksums(demo)
    else:
        with pytest.raises(BackupMismatch, match="added_by_a_later_migration") as raised:
            restore(demo, result.path)
        assert [d.describe() for d in raised.value.differences] == ["added_by_a_later_migration (not in the backup)"]


def test_restore_refuses_a_backup_file_changed_after_the_backup(demo, tmp_path):
    result = backup(demo, tmp_path / "academy.backup")
    with open(result.path, "ab") as handle:
        handle.write(b"\0")
    with demo.begin() as c:
        c.execute(text("DELETE FROM audit_log"))
    with pytest.raises(PortalError, match="does not match its manifest .*Nothing was restored"):
        restore(demo, result.path)
    with demo.connect() as c:
        assert c.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0  # untouched


def test_restore_refuses_a_backup_of_the_other_database_kind(demo, tmp_path):
    result = backup(demo, tmp_path / "academy.backup")
    manifest_file = manifest_path_for(result.path)
    manifest = json.loads(manifest_file.read_text())
    manifest["database"] = "postgresql" if demo.dialect.name == "sqlite" else "sqlite"
    manifest_file.write_text(json.dumps(manifest))
    with pytest.raises(PortalError, match="Nothing was restored"):
        restore(demo, result.path)


def test_restore_without_a_manifest_works_unverified(demo, tmp_path):
    before = table_checksums(demo)
    result = backup(demo, tmp_path / "academy.backup")
    result.manifest_path.unlink()
    scramble(demo)
    restored = restore(demo, result.path)
    assert not restored.verified and restored.tables == {}
    assert table_checksums(demo) == before


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9])
def test_a_truncated_backup_without_a_manifest_is_refused_clearly_and_changes_nothing(demo, tmp_path, capsys, keep):
    before = table_checksums(demo)
    result = backup(demo, tmp_path / "academy.backup")
    result.manifest_path.unlink()
    data = result.path.read_bytes()
    result.path.write_bytes(data[:int(len(data) * keep)])
    assert main(["restore", str(result.path)]) == 1
    captured = capsys.readouterr()
    assert "is not a complete, readable backup" in captured.err and "Nothing was restored" in captured.err
    assert "Traceback" not in captured.out + captured.err
    assert table_checksums(demo) == before


def test_unreadable_manifest_is_a_clear_error(demo, tmp_path):
    result = backup(demo, tmp_path / "academy.backup")
    result.manifest_path.write_text("{not json")
    with pytest.raises(PortalError, match="manifest .* cannot be read"):
        restore(demo, result.path)


def test_restore_refuses_missing_or_foreign_files(demo_engine, tmp_path):
    with pytest.raises(PortalError, match="No backup file"):
        restore(demo_engine, tmp_path / "missing.backup")
    if demo_engine.dialect.name == "sqlite":
        junk = tmp_path / "junk.backup"
        junk.write_text("not a database")
        with pytest.raises(PortalError, match="not a SQLite"):
            restore(demo_engine, junk)


def test_cli_prints_the_tables_after_backup_and_the_verification_after_restore(demo, tmp_path, capsys):
    path = tmp_path / "cli.backup"
    before = table_checksums(demo)
    rows = sum(t.rows for t in before.values())

    assert main(["backup", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"backup written to {path}" in out
    assert f"manifest: {path}.manifest.json ({demo.dialect.name}, schema " in out
    for name, summary in before.items():
        assert f"{summary.rows:>10,}  {summary.short()}" in next(line for line in out.splitlines()
                                                                 if line.startswith(name + " "))
    assert f"{len(before)} tables, {rows:,} rows" in out

    scramble(demo)
    assert main(["restore", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"database restored from {path}" in out
    assert f"verified {len(before)} tables, {rows:,} rows against {path}.manifest.json" in out

    manifest = json.loads(manifest_path_for(path).read_text())
    manifest["tables"]["cohort"]["sha256"] = "f" * 64
    manifest_path_for(path).write_text(json.dumps(manifest))
    assert main(["restore", str(path)]) == 1
    err = capsys.readouterr().err
    assert "does not match the backup's manifest" in err and "1 table: cohort" in err
    assert f"differs: cohort (same {before['cohort'].rows} rows, checksum differs)" in err

    manifest_path_for(path).unlink()
    assert main(["restore", str(path)]) == 0
    assert "not verified: no manifest" in capsys.readouterr().out
