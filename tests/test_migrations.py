import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import portal.models  # noqa: F401
from portal.bulk import reset_sequences
from portal.db import alembic_config, downgrade, make_engine, migrate, table_names


def test_upgrade_from_empty_to_head_and_back(databases):
    databases.template("bare", lambda engine: None)
    url = databases.clone("bare")
    engine = make_engine(url)
    try:
        assert table_names(engine) == []
        migrate(engine)
        created = set(table_names(engine))
        assert set(SQLModel.metadata.tables) <= created
        downgrade(engine, "base")
        assert table_names(engine) == ["alembic_version"]
        migrate(engine)
        assert set(SQLModel.metadata.tables) <= set(table_names(engine))
    finally:
        engine.dispose()
        databases.drop(url)


def test_models_and_migrations_agree(engine):
    """Autogenerate finds nothing to add: every model change has its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], f"models differ from migrations: {diff}"


def test_sqlite_connections_use_foreign_keys_wal_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    assert inspect(engine).get_table_names() == []


# --- upgrading a database made by a released version ----------------------------------
#
# tests/fixtures/release-*/demo.json holds every table of the demo data as a release made
# it (scripts/make_release_fixture.py runs the release's own code). Each is loaded into a
# fresh database at the release's schema revision, upgraded to the newest schema, and every
# row must still be there with the same values in the columns it had; columns added later
# may hold anything (their defaults). A migration that drops or rewrites rows fails here.
# A migration that changes data on purpose says so below, with the reason.

RELEASE_FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("release-*/demo.json"))
NOT_COMPARED = {"alembic_version"}  # the schema revision itself: the upgrade moves it to the head
MAY_CHANGE: dict[str, set[str]] = {  # table -> columns whose values a migration may change
    "wellbeing_data_version": {"token"},  # a random cache token that triggers renew on any write
    "support_resource": {"language"},  # back below 0012 a joined resource is NULL: shown in every language
}
MAY_ADD_ROWS: set[str] = set()  # tables into which a migration may insert rows of its own
DROPPED: dict[str, set[str]] = {  # table -> columns a migration drops on purpose
    "user_account": {"failed_logins", "locked_until"},  # 0011: unread since 0008 (portal/throttle.py)
    "support_resource": {"language"},  # 0012: one resource holds both languages
}
JOINED: dict[str, str] = {  # table -> why a migration may fold rows into others (checked by its own test)
    "support_resource": "0012 joins each Chinese resource into its English twin",
}


def _decode(value, kind: str):
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    return value


def _encode(value, kind: str):
    """A database value in the fixture's neutral form (as scripts/make_release_fixture.py writes it)."""
    if value is None:
        return None
    if kind == "datetime":
        if value.tzinfo is None:  # SQLite keeps UTC without an offset
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "bool":
        return bool(value)
    return value


def load_release_fixture(engine, fixture: dict) -> None:
    """Insert every fixture row through SQLAlchemy Core into the tables as they are (reflected)."""
    meta = MetaData()
    meta.reflect(engine)
    tables = {name: t for name, t in fixture["tables"].items() if name not in NOT_COMPARED}
    with engine.begin() as connection:
        # Rows the migrations wrote themselves (wellbeing_data_version) are replaced, and last:
        # inserting other rows fires triggers that would change them.
        prefilled = [t for t in meta.sorted_tables
                     if t.name in tables and connection.execute(select(func.count()).select_from(t)).scalar()]
        order = [t for t in meta.sorted_tables if t.name in tables and t not in prefilled] + prefilled
        for table in order:
            spec = tables[table.name]
            rows = [{c: _decode(v, kind) for (c, kind), v in zip(spec["columns"], row)} for row in spec["rows"]]
            # A row may point at a later row of its own table (user_account.mentor_id): those go in second.
            self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            if table in prefilled:
                connection.execute(table.delete())
            if rows:
                connection.execute(table.insert(), [{**r, **{c: None for c in self_refs}} for r in rows])
            key = [table.c[k] for k in spec["primary_key"]]
            for column in self_refs:
                for row in rows:
                    if row[column] is not None:
                        connection.execute(table.update().where(*(k == row[k.name] for k in key))
                                           .values({column: row[column]}))
        reset_sequences(connection, [t.name for t in order if "id" in t.c and t.c.id.autoincrement])


def differences_from_release(engine, fixture: dict) -> list[str]:
    """Every way the database's rows differ from the fixture's, in the columns the fixture has."""
    meta = MetaData()
    meta.reflect(engine)
    problems = []
    with engine.connect() as connection:
        for name, spec in fixture["tables"].items():
            if name in NOT_COMPARED:
                continue
            table = meta.tables.get(name)
            if table is None:
                problems.append(f"{name}: table gone ({len(spec['rows'])} rows)")
                continue
            columns = [(c, kind) for c, kind in spec["columns"] if c not in MAY_CHANGE.get(name, set())
                       and (c in table.c or c not in DROPPED.get(name, set()))]
            gone = [c for c, _ in columns if c not in table.c]
            if gone:
                problems.append(f"{name}: columns gone: {', '.join(gone)}")
                continue
            key = spec["primary_key"]
            names = [c for c, _ in spec["columns"]]
            expected = {tuple(row[names.index(k)] for k in key):
                        tuple(row[names.index(c)] for c, _ in columns) for row in spec["rows"]}
            result = connection.execute(select(*(table.c[c] for c, _ in columns)))
            actual = {}
            for row in result:
                values = tuple(_encode(v, kind) for v, (_, kind) in zip(row, columns))
                actual[tuple(values[[c for c, _ in columns].index(k)] for k in key)] = values
            lost = expected.keys() - actual.keys()
            added = actual.keys() - expected.keys()
            if lost and name not in JOINED:
                problems.append(f"{name}: {len(lost)} of {len(expected)} rows lost, e.g. key {sorted(lost)[0]}")
            if added and name not in MAY_ADD_ROWS:
                problems.append(f"{name}: {len(added)} rows added, e.g. key {sorted(added)[0]}")
            changed = sorted(k for k in expected.keys() & actual.keys() if expected[k] != actual[k])
            if changed:
                first = changed[0]
                columns_changed = [c for (c, _), a, b in zip(columns, expected[first], actual[first]) if a != b]
                problems.append(f"{name}: {len(changed)} rows changed, e.g. key {first}: "
                                + ", ".join(f"{c} {expected[first][[n for n, _ in columns].index(c)]!r} -> "
                                            f"{actual[first][[n for n, _ in columns].index(c)]!r}"
                                            for c in columns_changed))
    return problems


@pytest.fixture(params=RELEASE_FIXTURES, ids=lambda p: p.parent.name)
def release(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


@pytest.fixture
def release_engine(databases, release):
    """A fresh database at the release's revision, holding the release's demo data."""
    databases.template(f"release-{release['schema_revision']}",
                       lambda engine: (migrate(engine, release["schema_revision"]), load_release_fixture(engine, release)))
    url = databases.clone(f"release-{release['schema_revision']}")
    engine = make_engine(url)
    yield engine
    engine.dispose()
    databases.drop(url)


def test_a_release_fixture_exists_and_has_demo_data():
    assert RELEASE_FIXTURES, "tests/fixtures/release-*/demo.json: run scripts/make_release_fixture.py"
    first = json.loads(RELEASE_FIXTURES[0].read_text(encoding="utf-8"))
    assert (first["release"], first["schema_revision"]) == ("v0.1.0", "0006b")
    assert sum(len(t["rows"]) for t in first["tables"].values()) > 2000


def test_upgrading_a_released_database_keeps_every_row(release_engine, release):
    with release_engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == release["schema_revision"]
    problems = differences_from_release(release_engine, release)
    assert not problems, "the fixture did not load exactly:\n" + "\n".join(problems)

    migrate(release_engine)

    with release_engine.connect() as c:
        versions = {r[0] for r in c.execute(text("SELECT version_num FROM alembic_version"))}
    assert versions == set(ScriptDirectory.from_config(alembic_config(release_engine)).get_heads())
    problems = differences_from_release(release_engine, release)
    assert not problems, f"upgrading {release['release']} to the newest schema lost or changed rows:\n" + \
        "\n".join(problems)
    with release_engine.begin() as c:  # ids continue after the release's rows
        new_id = c.execute(text("INSERT INTO team (name, created_at) VALUES ('After the upgrade', :now) RETURNING id"),
                           {"now": datetime.now(timezone.utc)}).scalar()
    assert new_id > max(row[0] for row in release["tables"]["team"]["rows"])


def test_0011_drops_the_lock_columns_keys_exams_and_attempts_and_downgrades_losing_no_row(release_engine, release):
    """0011 on a database full of people, exams and attempts, and back to 0010 (both SQLite and PostgreSQL)."""
    migrate(release_engine)
    columns = {table: {c["name"] for c in inspect(release_engine).get_columns(table)}
               for table in ("user_account", "exam", "attempt")}
    assert not columns["user_account"] & {"failed_logins", "locked_until"}
    assert "submission_key" in columns["exam"] and "submission_key" in columns["attempt"]
    with release_engine.begin() as c:  # one key per author: a second exam with the same key is refused
        c.execute(text("UPDATE exam SET submission_key = 'k' WHERE id = (SELECT min(id) FROM exam)"))
    with pytest.raises(IntegrityError), release_engine.begin() as c:
        c.execute(text("UPDATE exam SET submission_key = 'k', created_by = (SELECT created_by FROM exam "
                       "WHERE submission_key = 'k') WHERE id = (SELECT max(id) FROM exam)"))

    downgrade(release_engine, "0010")

    assert {"failed_logins", "locked_until"} <= {c["name"] for c in inspect(release_engine).get_columns("user_account")}
    assert "submission_key" not in {c["name"] for c in inspect(release_engine).get_columns("attempt")}
    problems = differences_from_release(release_engine, release)  # the demo's counters were 0 and NULL
    assert not problems, "0011 and back lost or changed rows:\n" + "\n".join(problems)
    migrate(release_engine)


def test_0012_joins_each_chinese_resource_into_its_english_twin(release_engine, release):
    spec = release["tables"]["support_resource"]
    names = [c for c, _ in spec["columns"]]
    rows = [dict(zip(names, row)) for row in spec["rows"]]
    chinese = [r for r in rows if r["language"] == "zh-CN"]
    assert chinese, "the release has Chinese resources to join"
    migrate(release_engine)
    with release_engine.connect() as c:
        after = c.execute(text("SELECT name, name_zh, description_zh, hours_zh FROM support_resource")).all()
    assert len(after) == len(rows) - len(chinese)
    assert {r["name"] for r in chinese} <= {name_zh for _, name_zh, _, _ in after}
    english = {r["name"] for r in rows if r["language"] != "zh-CN"}
    assert {name for name, *_ in after} == english


def test_the_release_check_fails_when_rows_are_lost_or_rewritten(release_engine, release):
    migrate(release_engine)
    with release_engine.begin() as c:
        c.execute(text("DELETE FROM user_role WHERE user_id = (SELECT min(user_id) FROM user_role)"))
        c.execute(text("UPDATE attempt SET score = score + 1e-9 WHERE id = (SELECT min(id) FROM attempt)"))
        c.execute(text("UPDATE user_account SET created_at = :at WHERE id = 1"),
                  {"at": datetime(2001, 1, 1, tzinfo=timezone.utc)})
        c.execute(text("INSERT INTO question_tag (question_id, tag) SELECT min(id), 'added-by-a-migration' "
                       "FROM question"))
    problems = differences_from_release(release_engine, release)
    assert [p.split(":")[0] for p in problems] == ["attempt", "question_tag", "user_account", "user_role"]
    assert "1 of" in problems[3] and "rows lost" in problems[3]
    assert "score" in problems[0] and "created_at" in problems[2] and "2001-01-01" in problems[2]
    assert "rows added" in problems[1]
