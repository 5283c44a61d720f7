"""Fast bulk inserts for large data sets, bypassing the ORM.

SQLite: `executemany` on the raw DB-API cursor (about a million rows a
second). PostgreSQL: `COPY ... FROM STDIN`, the server's own bulk path.
Rows are tuples in the order of `columns`.
"""
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, text


def bulk_insert(connection: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    raw = connection.connection.driver_connection
    column_list = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", rows)
    finally:
        cursor.close()


def reset_sequences(connection: Connection, tables: Iterable[str]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past them."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 0) + 1,"
            " false)"))
