"""The two stores a row view can live in: SQLite (a file per view) and PostgreSQL.

The read models' views mix one of these into their :class:`~projections.rows.RowView`
subclass; everything else — buffering, batches, positions, queries — is the same
code on both stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder
from psycopg.sql import SQL, Composed

from projections.rows import SCHEMA_TABLE, RowView, Table


class _Names(dict[str, str]):
    """Format mapping: ``{name}`` -> the store's table name, ``{name__ixN}`` -> index name."""

    def __init__(self, qualify: Any) -> None:
        super().__init__()
        self.qualify = qualify

    def __missing__(self, name: str) -> str:
        return str(self.qualify(name))


#: SQLite page cache per view connection (KiB): a rebuild's batches touch many pages.
CACHE_KIB = 32_768


class SQLiteRowView(RowView, SQLiteTrackingRecorder):
    """A row view in its own SQLite file (``<data dir>/views/<name>.sqlite``)."""

    datastore: SQLiteDatastore
    #: Prefix of the table names inside the view's file.
    sqlite_prefix: ClassVar[str] = ""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                *(self._sql(s) for s in self.create_statements())]

    def create_statements(self) -> list[str]:
        # Every table has a primary key: WITHOUT ROWID stores each row once, in the
        # key's B-tree, instead of a rowid table plus an index on the key.
        return [f"{s} WITHOUT ROWID" if s.startswith("CREATE TABLE") else s
                for s in super().create_statements()]

    def _sql(self, query: str) -> str:
        return query.format_map(_Names(lambda name: f'"{self.sqlite_prefix}{name}"'))

    @contextmanager
    def _write_transaction(self) -> Iterator[Any]:
        """A write transaction with ``synchronous=NORMAL``: a power cut may lose the last
        batches of a view (the next catch-up redoes them from the log), but never
        separates rows from their tracking record."""
        with self.datastore.get_connection(commit=True) as connection:
            connection.cursor().execute("PRAGMA synchronous=NORMAL")
            connection.cursor().execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            with connection.transaction(commit=True) as cursor:
                yield cursor

    def _read_transaction(self) -> Any:
        return self.datastore.transaction(commit=False)

    def _executemany(self, cursor: Any, query: str, rows: list[tuple[Any, ...]]) -> None:
        cursor.executemany(query, rows)

    def _current_position(self, cursor: Any, application_name: str) -> int | None:
        # Write first, so the transaction holds SQLite's write lock before it reads the
        # position: another runner cannot commit between the check and our commit.
        cursor.execute(self._sql(f"UPDATE {{{SCHEMA_TABLE.name}}} SET fingerprint = fingerprint"))
        cursor.execute("SELECT MAX(notification_id) FROM tracking WHERE application_name = ?",
                       (application_name,))
        row = cursor.fetchone()
        return None if row is None else row[0]

    def _drop_all(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for statement in (*self.drop_statements(), 'DROP TABLE IF EXISTS "tracking"'):
                cursor.execute(self._sql(statement))


#: The array type of each column type, for ``unnest``.
_ARRAY_TYPES = {"TEXT": "text[]", "BIGINT": "bigint[]", "BOOLEAN": "boolean[]"}


class PostgresRowView(RowView, PostgresTrackingRecorder):
    """A row view in PostgreSQL: tables ``<name>_<table>`` beside the event store."""

    datastore: PostgresDatastore

    def __init__(self, datastore: PostgresDatastore, *,
                 tracking_table_name: str = "rowview_tracking", **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=tracking_table_name, **kwargs)
        self.prefix = tracking_table_name.removesuffix("_tracking")
        for table in self.tables:
            self.check_identifier_length(f"{self.prefix}_{table.name}__ix9")
        self.sql_create_statements += [Composed([SQL(self._sql(s))])
                                       for s in self.create_statements()]

    def _sql(self, query: str) -> str:
        schema = self.datastore.schema
        return query.replace("?", "%s").format_map(
            _Names(lambda name: f'"{schema}"."{self.prefix}_{name}"'
                   if "__ix" not in name else f'"{self.prefix}_{name}"'))

    def _write_transaction(self) -> Any:
        return self.datastore.transaction(commit=True)

    def _drop_index_sql(self, name: str) -> str:
        # An index lives in its table's schema; CREATE INDEX names it without one.
        return f'DROP INDEX IF EXISTS "{self.datastore.schema}"."{self.prefix}_{name}"'

    def _read_transaction(self) -> Any:
        return self.datastore.transaction(commit=False)

    def _values(self, spec: Table, columns: tuple[str, ...]) -> str:
        # A batch's rows go as one array per column, in one statement: far cheaper
        # than a statement per row. Keys are unique within a batch (its upserts are
        # merged per row), so ON CONFLICT never meets the same row twice.
        # (``%b``: arrays sent in binary, no quoting of each element.)
        arrays = ", ".join(f"%b::{_ARRAY_TYPES[spec.sql_type(c).split()[0]]}" for c in columns)
        return f"SELECT * FROM unnest({arrays})"

    def _executemany(self, cursor: Any, query: str, rows: list[tuple[Any, ...]]) -> None:
        cursor.execute(query, [list(column) for column in zip(*rows, strict=True)])

    def _current_position(self, cursor: Any, application_name: str) -> int | None:
        cursor.execute(
            f'SELECT notification_id FROM "{self.datastore.schema}".'
            f'"{self.tracking_table_name}" WHERE application_name = %s FOR UPDATE',
            (application_name,))
        row = cursor.fetchone()
        return None if row is None else int(row["notification_id"])

    def _drop_all(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for statement in self.drop_statements():
                cursor.execute(self._sql(statement))
            cursor.execute(f'DROP TABLE IF EXISTS "{self.datastore.schema}".'
                           f'"{self.tracking_table_name}"')
