from sqlalchemy import inspect
from sqlmodel import SQLModel

import portal.models  # noqa: F401
from portal.db import downgrade, make_engine, migrate, table_names


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
