"""Row views: the storage every read model shares, one code path for SQLite and PostgreSQL.

A read model declares its tables (:class:`Table`) and writes them through three
operations, all buffered until the event's tracking record is written:

* ``upsert(table, key, set=..., add=...)`` — insert or update one row: ``set``
  columns take the new value, ``add`` columns (counters) are added to;
* ``delete(table, where)`` — delete the rows matching some columns;
* ``append(table, row)`` — insert a row that is never updated (audit entries).

``commit(tracking)`` ends an event. Outside a batch it writes the event's rows
and its tracking record in one transaction at once (following the live log).
Inside ``with view.batching(n):`` it keeps going and writes every ``n`` events
in one transaction, with the tracking record of the last of them — a rebuild
then costs one transaction per ``n`` events, and a crash still loses or
doubles nothing: a batch's rows and its position commit together or not at all.

Before writing, a batch checks that the view's position is still the one it
started from; if another runner moved it meanwhile, the batch is refused with
:class:`IntegrityError` (the caller resets the view and continues after the
other runner's position), so two runners never count an event twice.

``get(table, key)`` reads a row as it will be once the buffered writes are
committed. Rows read are cached; so are the rows written to a table declared
``cached`` (the tables a read model reads back while projecting). A view that
was empty when it was opened knows every row of its cached tables, so a
rebuild does not read the database back: when a table's cache grows past
``CACHE_ROWS`` its oldest half is dropped (those rows are committed or
buffered, and only their keys are kept, so a later ``get`` of one of them reads
it back from the database and replays the buffered writes on it).

Every number is an integer (minutes, counts), so sums do not depend on the
order or batching of the additions and a restarted view equals a clean rebuild
to the last bit (see ``digest``).
"""

from __future__ import annotations

import hashlib
import itertools
from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from eventsourcing.persistence import (
    IntegrityError,
    PersistenceError,
    Tracking,
    TrackingRecorder,
)

Key = tuple[Any, ...]
Row = dict[str, Any]

#: Rows kept in memory per table; beyond it the table's cache starts over.
CACHE_ROWS = 250_000


@dataclass(frozen=True)
class Table:
    """A view table: key columns, value columns (text, integer, boolean) and counters."""

    name: str
    key: tuple[str, ...]
    text: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()
    bools: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    append_only: bool = False
    #: Read back (``get``) while projecting: keep every written row in memory.
    cached: bool = False

    @cached_property
    def columns(self) -> tuple[str, ...]:
        values = [c for c in (*self.text, *self.ints, *self.counters, *self.bools)
                  if c not in self.key]
        return (*self.key, *values)

    @cached_property
    def template(self) -> Row:
        """A new row's values before anything is set: NULL, counters 0."""
        row: Row = dict.fromkeys(self.columns)
        row.update(dict.fromkeys(self.counters, 0))
        return row

    def sql_type(self, column: str) -> str:
        if column in self.counters:
            return "BIGINT NOT NULL DEFAULT 0"
        if column in self.bools:
            return "BOOLEAN"
        return "BIGINT" if column in self.ints else "TEXT"

    @cached_property
    def _values_template(self) -> tuple[Any, ...]:
        template = self.template
        return tuple(template[c] for c in self.columns[len(self.key):])

    def empty_row(self, key: Key) -> Row:
        if len(key) != len(self.key):
            raise ValueError(f"{self.name}: key {key!r} does not fit {self.key}")
        return dict(zip(self.columns, (*key, *self._values_template), strict=True))


#: Where a view keeps the fingerprint of the definitions it was made with.
SCHEMA_TABLE = Table("schema_fingerprint", ("fingerprint",))

#: A buffered upsert: [values to set, amounts to add].
_Op = list[dict[str, Any]]


class _Segment:
    """Writes that may be reordered freely: deletes first, then merged upserts, appends."""

    __slots__ = ("deletes", "upserts", "appends")

    def __init__(self) -> None:
        self.deletes: list[tuple[str, dict[str, Any]]] = []
        self.upserts: dict[tuple[str, Key], _Op] = {}
        self.appends: dict[str, list[tuple[Any, ...]]] = {}


class _RowState:
    """A view's buffered writes, cached rows and positions."""

    __slots__ = ("tables", "segments", "segment", "tracking", "events", "batch", "expected",
                 "cache", "complete", "evicted", "checked_empty")

    def __init__(self, tables: tuple[Table, ...]) -> None:
        self.tables = {t.name: t for t in tables}
        self.segments = [_Segment()]
        self.segment = self.segments[0]
        self.tracking: Tracking | None = None
        self.events = 0
        self.batch = 1
        self.expected: dict[str, int | None] = {}
        self.cache: dict[str, dict[Key, Row | None]] = {t.name: {} for t in tables}
        #: Tables whose cache, with the keys in ``evicted``, covers every row.
        self.complete: set[str] = set()
        self.evicted: dict[str, set[Key]] = {t.name: set() for t in tables}
        self.checked_empty = False

    def remember(self, table: str, key: Key, row: Row | None) -> None:
        """Cache a row; past ``CACHE_ROWS`` drop the oldest half (keeping their keys)."""
        cache = self.cache[table]
        if len(cache) >= CACHE_ROWS:
            evicted = self.evicted[table]
            for old in list(itertools.islice(cache, len(cache) // 2)):
                del cache[old]
                evicted.add(old)
        cache[key] = row

    def new_segment(self) -> None:
        self.segment = _Segment()
        self.segments.append(self.segment)


def _apply(row: Row, values: Mapping[str, Any] | None, amounts: Mapping[str, int] | None
           ) -> None:
    if values:
        row.update(values)
    if amounts:
        for column, amount in amounts.items():
            row[column] = (row[column] or 0) + amount


def _cached_tables(tables: tuple[Table, ...]) -> set[str]:
    return {t.name for t in tables if t.cached and not t.append_only}


def _matches(row: Row, where: Mapping[str, Any]) -> bool:
    return all(row.get(column) == value for column, value in where.items())


class RowView(TrackingRecorder):
    """A read model's view: declared tables, buffered writes, tracking in the same commit.

    Subclasses (one per read model) set ``tables`` and add domain methods that
    call ``upsert``/``delete``/``append`` and end with ``commit(tracking)``, and
    query methods that call ``select``. The store is chosen by mixing in
    :class:`~projections.rowstores.SQLiteRowView` or
    :class:`~projections.rowstores.PostgresRowView`.
    """

    tables: tuple[Table, ...] = ()

    def __getattr__(self, name: str) -> Any:
        # The state is made on first use: eventsourcing's factory constructs recorders.
        if name == "_rs":
            state = _RowState(self.tables)
            self.__dict__["_rs"] = state
            return state
        raise AttributeError(name)

    def table(self, name: str) -> Table:
        try:
            return self._rs.tables[name]
        except KeyError:
            raise KeyError(f"{type(self).__name__} has no table {name!r}") from None

    # -- writing ------------------------------------------------------------------------

    def upsert(self, table: str, key: Key, *, set: Mapping[str, Any] | None = None,
               add: Mapping[str, int] | None = None) -> None:
        """Insert or update the row with ``key`` (a tuple): ``set`` replaces, ``add`` adds."""
        rs = self._rs
        if not rs.checked_empty:
            self._check_empty()
        upserts = rs.segment.upserts
        op = upserts.get((table, key))
        if op is None:
            upserts[(table, key)] = [dict(set) if set else {}, dict(add) if add else {}]
        else:
            if set:
                op[0].update(set)
            if add:
                amounts = op[1]
                for column, amount in add.items():
                    amounts[column] = amounts.get(column, 0) + amount
        cache = rs.cache[table]
        if not cache and table not in rs.complete:
            return  # a table not read back while projecting (or nothing of it cached yet)
        row = cache.get(key)
        if row is not None:
            _apply(row, set, add)
        elif key in cache or (table in rs.complete and key not in rs.evicted[table]):
            row = rs.tables[table].empty_row(key)
            _apply(row, set, add)
            rs.remember(table, key, row)

    def delete(self, table: str, where: Mapping[str, Any]) -> None:
        """Delete every row of ``table`` whose columns equal ``where``."""
        rs = self._rs
        if not rs.checked_empty:
            self._check_empty()
        if rs.segment.upserts or rs.segment.appends:
            rs.new_segment()
        rs.segment.deletes.append((table, dict(where)))
        cache = rs.cache[table]
        for key in [k for k, row in cache.items() if row is not None and _matches(row, where)]:
            cache[key] = None

    def append(self, table: str, row: Mapping[str, Any]) -> None:
        """Insert a row that is never updated or read back while projecting."""
        self.append_values(table, tuple(map(row.get, self._rs.tables[table].columns)))

    def append_values(self, table: str, values: tuple[Any, ...]) -> None:
        """``append`` with the row's values already in the order of ``Table.columns``."""
        appends = self._rs.segment.appends
        rows = appends.get(table)
        if rows is None:
            appends[table] = [values]
        else:
            rows.append(values)

    def commit(self, tracking: Tracking) -> None:
        """End one event: write now, or at the end of the batch, with its tracking record."""
        rs = self._rs
        last = rs.tracking
        if last is not None and last.notification_id >= tracking.notification_id:
            raise IntegrityError(f"tracking {tracking.notification_id} is not after "
                                 f"{last.notification_id}")
        rs.tracking = tracking
        rs.events += 1
        if rs.events >= rs.batch:
            self.flush()

    def insert_tracking(self, tracking: Tracking) -> None:
        """An event this read model ignores: only its position advances (batched too)."""
        self.commit(tracking)

    @contextmanager
    def batching(self, events: int = 1000) -> Iterator[None]:
        """Write ``events`` events per transaction inside the block; flush at its end."""
        rs = self._rs
        previous = rs.batch
        rs.batch = max(1, events)
        try:
            yield
            self.flush()
        finally:
            self._rs.batch = previous

    def flush(self) -> None:
        """Write the buffered rows and the last tracking record in one transaction."""
        rs = self._rs
        tracking = rs.tracking
        if tracking is None:
            return
        name = tracking.application_name
        try:
            with self._write_transaction() as cursor:
                current = self._current_position(cursor, name)
                if name in rs.expected and current != rs.expected[name]:
                    raise IntegrityError(
                        f"the view moved from {rs.expected[name]} to {current} meanwhile")
                for segment in rs.segments:
                    self._write_segment(cursor, segment)
                self._insert_tracking(cursor, tracking)
        except BaseException:
            self.reset()
            raise
        rs.expected[name] = tracking.notification_id
        rs.segments = [_Segment()]
        rs.segment = rs.segments[0]
        rs.tracking = None
        rs.events = 0

    def reset(self, *, empty: bool = False) -> None:
        """Forget buffered writes and cached rows (after a refused or failed batch);
        ``empty``: the tables were just emptied, so the cache knows every row."""
        batch = self._rs.batch
        rs = self.__dict__["_rs"] = _RowState(self.tables)
        rs.batch = batch
        rs.checked_empty = True
        if empty:
            rs.complete = _cached_tables(self.tables)

    def max_tracking_id(self, application_name: str) -> int | None:
        """The committed position; remembered as the start of the next batch when idle."""
        position = super().max_tracking_id(application_name)  # type: ignore[safe-super]
        rs = self._rs
        if rs.tracking is None:
            if rs.expected.get(application_name, position) != position:
                self.reset()  # another runner moved the view: cached rows may be stale
                rs = self._rs
            rs.expected[application_name] = position
        return position

    def position(self, application_name: str) -> int:
        """The position including buffered events (0 if none)."""
        tracking = self._rs.tracking
        if tracking is not None and tracking.application_name == application_name:
            return int(tracking.notification_id)
        return self.max_tracking_id(application_name) or 0

    # -- reading ------------------------------------------------------------------------

    def get(self, table: str, key: Key) -> Row | None:
        """The row with ``key`` as it is with the buffered writes applied, or None.

        Read-only: the row is the cached one and changes with later writes, so
        read what you need from it before writing to the same row.
        """
        rs = self._rs
        cache = rs.cache[table]
        if key in cache:
            return cache[key]
        if not rs.checked_empty:
            self._check_empty()
        if table in rs.complete and key not in rs.evicted[table]:
            return None
        spec = rs.tables[table]
        where = " AND ".join(f"{c} = ?" for c in spec.key)
        rows = self.select(f"SELECT * FROM {{{table}}} WHERE {where}", key)
        row: Row | None = dict(rows[0]) if rows else None
        for segment in rs.segments:
            for name, condition in segment.deletes:
                if name == table and row is not None and _matches(row, condition):
                    row = None
            op = segment.upserts.get((table, key))
            if op is not None:
                row = row or spec.empty_row(key)
                _apply(row, op[0], op[1])
        rs.remember(table, key, row)
        return row

    def _check_empty(self) -> None:
        """Once, before the first write or read: if the view holds no rows yet, every
        table's cache is complete (rows not in it do not exist)."""
        rs = self._rs
        rs.checked_empty = True
        if all(not self.select(f"SELECT 1 FROM {{{t.name}}} LIMIT 1") for t in self.tables):
            rs.complete = _cached_tables(self.tables)

    def select(self, query: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query: ``{table}`` names a table of this view, ``?`` marks a parameter."""
        with self._read_transaction() as cursor:
            cursor.execute(self._sql(query), tuple(params))
            return [dict(r) for r in cursor.fetchall()]

    def digest(self) -> str:
        """A SHA-256 of every row of every table (tracking excluded), in key order."""
        sha = hashlib.sha256()
        for table in sorted(self.tables, key=lambda t: t.name):
            columns = ", ".join(table.columns)
            sha.update(f"#{table.name}\n".encode())
            for row in self.select(f"SELECT {columns} FROM {{{table.name}}} ORDER BY {columns}"):
                sha.update(repr(tuple(row[c] for c in table.columns)).encode())
                sha.update(b"\n")
        return sha.hexdigest()

    def row_count(self, table: str) -> int:
        return int(self.select(f"SELECT COUNT(*) AS n FROM {{{table}}}")[0]["n"])

    # -- statements ---------------------------------------------------------------------

    def create_statements(self) -> list[str]:
        """The DDL of the declared tables and indexes (placeholders as in ``select``)."""
        statements = []
        for table in self.tables:
            columns = ", ".join(f"{c} {table.sql_type(c)}" for c in table.columns)
            statements.append(f"CREATE TABLE IF NOT EXISTS {{{table.name}}} "
                              f"({columns}, PRIMARY KEY ({', '.join(table.key)}))")
            for number, index in enumerate(table.indexes, start=1):
                statements.append(
                    f"CREATE INDEX IF NOT EXISTS {{{table.name}__ix{number}}} "
                    f"ON {{{table.name}}} ({', '.join(index)})")
        return statements

    def drop_statements(self) -> list[str]:
        return [f"DROP TABLE IF EXISTS {{{t.name}}}" for t in (*self.tables, SCHEMA_TABLE)]

    def fingerprint(self) -> str:
        """A hash of the tables' definitions: a view made by other code is rebuilt."""
        return hashlib.sha256("\n".join(self.create_statements()).encode()).hexdigest()[:16]

    def create_table(self) -> None:
        """Create the tables; if they were made for other definitions, drop them first
        (the view then starts from the beginning of the log)."""
        try:
            found = [r["fingerprint"] for r in self.select(
                f"SELECT fingerprint FROM {{{SCHEMA_TABLE.name}}}")]
        except PersistenceError:
            found = []
        if found != [self.fingerprint()]:
            self._drop_all()
            self.tracking_table_exists = False
        super().create_table()  # type: ignore[misc]
        with self._write_transaction() as cursor:
            for statement in self.create_statements_of(SCHEMA_TABLE):
                cursor.execute(self._sql(statement))
            cursor.execute(self._sql(f"DELETE FROM {{{SCHEMA_TABLE.name}}}"))
            cursor.execute(self._sql(f"INSERT INTO {{{SCHEMA_TABLE.name}}} VALUES (?)"),
                           (self.fingerprint(),))

    @staticmethod
    def create_statements_of(table: Table) -> list[str]:
        columns = ", ".join(f"{c} {table.sql_type(c)}" for c in table.columns)
        return [f"CREATE TABLE IF NOT EXISTS {{{table.name}}} "
                f"({columns}, PRIMARY KEY ({', '.join(table.key)}))"]

    def drop_tables(self, *, defer_indexes: bool = False) -> None:
        """Drop every table of the view, tracking included, and make them again, empty.

        ``defer_indexes``: leave out the secondary indexes (a rebuild fills the
        tables first and then builds each index in one go with ``create_indexes``,
        cheaper than keeping it up to date row by row). Opening the view makes
        any missing index again, so an interrupted rebuild never leaves one out.
        """
        self._drop_all()
        self.tracking_table_exists = False
        self.create_table()
        if defer_indexes:
            with self._write_transaction() as cursor:
                for name in self.index_names():
                    cursor.execute(self._drop_index_sql(name))
        self.reset(empty=True)

    def index_names(self) -> list[str]:
        """The names (placeholders as in ``select``) of the secondary indexes."""
        return [f"{t.name}__ix{number}" for t in self.tables
                for number in range(1, len(t.indexes) + 1)]

    def create_indexes(self) -> None:
        """Make any secondary index that is missing (after a rebuild with deferred indexes)."""
        statements = [s for s in self.create_statements() if s.startswith("CREATE INDEX")]
        if statements:
            with self._write_transaction() as cursor:
                for statement in statements:
                    cursor.execute(self._sql(statement))

    def _drop_index_sql(self, name: str) -> str:
        return self._sql(f"DROP INDEX IF EXISTS {{{name}}}")

    def _write_segment(self, cursor: Any, segment: _Segment) -> None:
        for name, where in segment.deletes:
            condition = " AND ".join(f"{c} = ?" for c in where)
            cursor.execute(self._sql(f"DELETE FROM {{{name}}} WHERE {condition}"),
                           tuple(where.values()))
        groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[tuple[Any, ...]]] = {}
        for (name, key), (values, amounts) in segment.upserts.items():
            # The columns in the dicts' own order, so a row is the key and the values.
            signature = (name, tuple(values), tuple(amounts))
            row = (*key, *values.values(), *amounts.values())
            rows = groups.get(signature)
            if rows is None:
                groups[signature] = [row]
            else:
                rows.append(row)
        for (name, set_columns, add_columns), rows in groups.items():
            width = len(self._rs.tables[name].key)
            try:  # rows in key order touch fewer pages of the table's B-tree
                rows.sort(key=lambda row: row[:width])
            except TypeError:  # a NULL in a key: keep the order
                pass
            self._executemany(cursor, self._upsert_sql(name, set_columns, add_columns), rows)
        for name, rows in segment.appends.items():
            self._executemany(cursor, self._insert_sql(name), rows)

    def _insert_sql(self, name: str) -> str:
        columns = self.table(name).columns
        return self._sql(f"INSERT INTO {{{name}}} ({', '.join(columns)}) "
                         f"{self._values(self.table(name), columns)}")

    def _values(self, spec: Table, columns: tuple[str, ...]) -> str:
        """The rows of an INSERT: one row of parameters, run once per row."""
        return f"VALUES ({', '.join('?' for _ in columns)})"

    def _upsert_sql(self, name: str, set_columns: tuple[str, ...],
                    add_columns: tuple[str, ...]) -> str:
        cache = self.__dict__.setdefault("_upsert_sql_cache", {})
        signature = (name, set_columns, add_columns)
        if signature not in cache:
            spec = self.table(name)
            columns = (*spec.key, *set_columns, *add_columns)
            updates = [f"{c} = excluded.{c}" for c in set_columns]
            updates += [f"{c} = r.{c} + excluded.{c}" for c in add_columns]
            action = f"DO UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"
            cache[signature] = self._sql(
                f"INSERT INTO {{{name}}} AS r ({', '.join(columns)}) {self._values(spec, columns)} "
                f"ON CONFLICT ({', '.join(spec.key)}) {action}")
        return str(cache[signature])

    # -- the store's dialect --------------------------------------------------------------

    @abstractmethod
    def _sql(self, query: str) -> str:
        """Replace ``{name}`` by the store's table name and ``?`` by its placeholder."""

    @abstractmethod
    def _write_transaction(self) -> Any:
        """A context manager yielding a cursor in a transaction that commits."""

    @abstractmethod
    def _read_transaction(self) -> Any:
        """A context manager yielding a cursor in a read-only transaction."""

    @abstractmethod
    def _executemany(self, cursor: Any, query: str, rows: list[tuple[Any, ...]]) -> None:
        """Run one statement for many rows."""

    @abstractmethod
    def _current_position(self, cursor: Any, application_name: str) -> int | None:
        """The committed position, read (and locked) inside the write transaction."""

    @abstractmethod
    def _drop_all(self) -> None:
        """Drop every table of the view, tracking included."""

    def close(self) -> None:
        """Close the view's database connections."""
        self.datastore.close()  # type: ignore[attr-defined]
